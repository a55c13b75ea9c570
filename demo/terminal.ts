// The README's terminal session: `script -q -c "stty cols 120; npm run -s demo:terminal" /dev/null`, an embedded
// emulator, the CLI's own run() on this process's terminal.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../src/hosts/cli/main.ts';
import { KeyVaultEmulator } from '../emulator/server.ts';
import { applySeed } from '../emulator/seed.ts';
import { DEMO_APP, demoVault as vault, SUB, useEmulator } from './demo-tenant.ts';

const tagged = { replicate: 'true' };

const emulator = await KeyVaultEmulator.start({ windows: { deleteMs: 0, recoverMs: 0, purgeMs: 0 } });
applySeed(emulator, {
  principals: [DEMO_APP],
  vaults: [
    {
      ...vault('contoso-prod-weu', 'westeurope'),
      secrets: [
        ...Array.from({ length: 6 }, (_, i) => ({
          name: `app-setting-${String(i).padStart(2, '0')}`,
          value: `value-${i}`,
          tags: tagged,
        })),
        { name: 'db-password', value: 'correct horse battery staple', tags: tagged },
        { name: 'shared-api-key', value: 'source-copy', tags: tagged },
        { name: 'paused-feature', value: 'off for now', enabled: false, tags: tagged },
      ],
      certificates: [{ name: 'www-contoso-com', subject: 'CN=www.contoso.com', tags: tagged }],
      keys: [{ name: 'data-encryption-key', tags: tagged }],
    },
    {
      ...vault('contoso-dr-neu', 'northeurope'),
      secrets: [{ name: 'shared-api-key', value: 'edited by hand in DR' }],
    },
  ],
});

const dir = mkdtempSync(join(tmpdir(), 'kvr-terminal-'));
const config = join(dir, 'keyvault-replication.yml');
writeFileSync(
  config,
  `version: 1
subscriptions: [${SUB}]
replications:
  - name: prod-dr
    source: contoso-prod-weu
    targets: [contoso-dr-neu]
    types: [secrets, certificates, keys]
    rule: { tagged: replicate=true }
`,
);
useEmulator(emulator);
const cli = async (...args: string[]) => {
  process.stdout.write(`\n$ keyvault-replicate ${args.join(' ')}\n`);
  const code = await run([...args, '--config', config, '--state', join(dir, 'state.json')]);
  process.stdout.write(`$ echo $?\n${code}\n`);
};

await cli('plan', '--detailed-exitcode');
await cli('apply');
emulator.invoke('contoso-prod-weu', 'PUT', 'secrets/db-password', { value: 'rotated', tags: tagged });
await cli('plan', '--detailed-exitcode');
await emulator.close();
rmSync(dir, { recursive: true, force: true });
