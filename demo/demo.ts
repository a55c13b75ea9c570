// `npm run demo`: a replication on embedded emulator vaults: plan → apply → a change at the source → plan → apply
// with a conflict acknowledged → the next run's delete. Each step prints the counts and only the rows that need a
// person or change something, and the items missing once (the next run deletes their copies); the quiet and other
// waiting ones are left out: the JSON report, --json, has them all.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { previewRows, renderMarkdown, type RunReport } from '../src/engine/report.ts';
import { run } from '../src/hosts/cli/main.ts';
import { KeyVaultEmulator } from '../emulator/server.ts';
import { applySeed } from '../emulator/seed.ts';
import { DEMO_APP, demoVault as vault, SUB, useEmulator } from './demo-tenant.ts';

const OTHER_SUB = '22222222-2222-2222-2222-222222222222';

// The demo seeds deletes and purges back to back, so Azure's windows for them are off here (the tests run with them).
const emulator = await KeyVaultEmulator.start({ windows: { deleteMs: 0, recoverMs: 0, purgeMs: 0 } });
applySeed(emulator, {
  principals: [DEMO_APP],
  vaults: [
    {
      ...vault('contoso-prod-weu', 'westeurope'),
      secrets: [
        ...Array.from({ length: 24 }, (_, i) => ({
          name: `app-setting-${String(i).padStart(2, '0')}`,
          value: `value-${i}`,
          tags: { replicate: 'true' },
        })),
        {
          name: 'db-password',
          value: 'correct horse battery staple',
          contentType: 'text/plain',
          tags: { replicate: 'true', owner: 'data' },
        },
        { name: 'shared-api-key', value: 'source-copy', tags: { replicate: 'true' } },
        { name: 'already-there', value: 'same everywhere', tags: { replicate: 'true' } },
        { name: 'paused-feature', value: 'off for now', enabled: false, tags: { replicate: 'true' } },
        { name: 'recycled-name', value: 'new', tags: { replicate: 'true' } },
        { name: 'scratch-tmp', value: 'ignore me', tags: { replicate: 'true' } },
        { name: 'local-only', value: 'not tagged' },
        { name: 'to-be-removed', value: 'soon gone', tags: { replicate: 'true' } },
        { name: 'to-be-recycled', value: 'soon soft-deleted', tags: { replicate: 'true' } },
      ],
      certificates: [
        { name: 'www-contoso-com', subject: 'CN=www.contoso.com', tags: { replicate: 'true' } },
        { name: 'api-contoso-com', subject: 'CN=api.contoso.com', tags: { replicate: 'true' } },
        { name: 'hsm-bound-cert', subject: 'CN=signing.contoso.com', exportable: false, tags: { replicate: 'true' } },
      ],
      keys: [
        { name: 'data-encryption-key', tags: { replicate: 'true' } },
        { name: 'token-signing-key', curve: 'P-256', kty: 'EC', tags: { replicate: 'true' } },
      ],
    },
    {
      ...vault('contoso-dr-neu', 'northeurope'),
      secrets: [
        { name: 'shared-api-key', value: 'edited by hand in DR' },
        { name: 'already-there', value: 'same everywhere', tags: { replicate: 'true' } },
      ],
      deleted: { secrets: ['recycled-name'] },
    },
    vault('contoso-read-eus', 'eastus'),
    vault('contoso-sandbox-weu', 'westeurope', OTHER_SUB),
  ],
});

const dir = mkdtempSync(join(tmpdir(), 'kvr-demo-'));
const config = join(dir, 'keyvault-replication.yml');
writeFileSync(
  config,
  `version: 1
subscriptions: [${SUB}, ${OTHER_SUB}]
replications:
  - name: prod-dr
    source: contoso-prod-weu
    targets: [contoso-dr-neu, contoso-read-eus, contoso-sandbox-weu]
    types: [secrets, certificates, keys]
    rule: { tagged: replicate=true }
    exclude: ["*-tmp"]
    propagate_deletes: true
`,
);
useEmulator(emulator);
/**
 * The report with only its attention and changed rows and the items missing once (a delete announced): the counts stay
 * whole, and say how many rows are left out.
 */
const changesOnly = (report: RunReport): { report: RunReport; left: number } => {
  let left = 0;
  const pairs = previewRows(report, Infinity).map(({ pair, rows }) => {
    const shown = rows
      .filter((r) => r.group === 'attention' || r.group === 'changed' || r.record.status === 'missing_once')
      .map((r) => r.record);
    left += pair.records.length - shown.length;
    return { ...pair, records: shown };
  });
  return { report: { ...report, pairs }, left };
};
const cli = async (title: string, ...args: string[]) => {
  console.log(`\n\x1b[1m$ keyvault-replicate ${args.join(' ')}\x1b[0m   # ${title}`);
  let json = '';
  let notes = '';
  const code = await run([...args, '--config', config, '--state', join(dir, 'state.json'), '--quiet', '--json'], {
    env: process.env,
    stdout: (t) => {
      json += t;
    },
    // The blocked notices repeat the rows below; only a run that stopped needs what it said.
    stderr: (t) => {
      notes += t;
    },
  });
  if (code === 2) process.stderr.write(notes);
  const { report, left } = changesOnly(JSON.parse(json) as RunReport);
  console.log(renderMarkdown(report));
  console.log(`(${left} rows in sync, excluded or waiting not shown; exit code ${code})`);
};

console.log(
  `Emulated vaults: contoso-prod-weu (West Europe) → contoso-dr-neu (North Europe), contoso-read-eus (East US), contoso-sandbox-weu (another subscription). Config: ${config}`,
);
await cli('1. preview: nothing is written', 'plan');
await cli('2. apply', 'apply');
emulator.invoke('contoso-prod-weu', 'PUT', 'secrets/db-password', {
  value: 'rotated',
  contentType: 'text/plain',
  tags: { replicate: 'true', owner: 'data' },
});
emulator.invoke('contoso-prod-weu', 'DELETE', 'secrets/to-be-removed');
emulator.invoke('contoso-prod-weu', 'DELETE', 'deletedsecrets/to-be-removed');
emulator.invoke('contoso-prod-weu', 'DELETE', 'secrets/to-be-recycled');
emulator.invoke('contoso-prod-weu', 'POST', 'keys/data-encryption-key/create', {
  kty: 'RSA',
  tags: { replicate: 'true' },
});
// A renewal through an external CA: pending until its signed certificate is merged (Key Vault shows it disabled).
emulator.invoke('contoso-prod-weu', 'POST', 'certificates/api-contoso-com/create', {
  policy: { issuer: { name: 'Unknown' }, x509_props: { subject: 'CN=api.contoso.com' } },
  tags: { replicate: 'true' },
});
await cli(
  '3. after a rotation, a purge, a soft delete, a new key version and a pending certificate renewal on the source',
  'plan',
);
await cli(
  '4. apply, overwriting the hand-edited shared-api-key in contoso-dr-neu (acknowledged)',
  'apply',
  '--acknowledge',
  'shared-api-key',
);
await cli('5. the next run: to-be-removed is gone two runs in a row, so its copies are deleted', 'apply');
await emulator.close();
rmSync(dir, { recursive: true, force: true });
