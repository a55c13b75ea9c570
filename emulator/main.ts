// Standalone emulator: `npm run emulator -- --seed fixtures.yml`. Prints the vault URLs and the environment to use:
// the proxy and CA, and the sign-in and subscription keyvault-replicate's CLI reads (AZURE_TENANT_ID, AZURE_CLIENT_ID,
// AZURE_CLIENT_SECRET: the seed's first principal with a secret; AZURE_SUBSCRIPTION_ID: the seeded vaults'), as
// `export` lines to paste into another shell.
import { parseArgs } from 'node:util';
import { vaultHost } from './keyvault/router.ts';
import { KeyVaultEmulator } from './server.ts';
import { applySeed, readSeed } from './seed.ts';

const { values } = parseArgs({ options: { seed: { type: 'string' }, seedRandom: { type: 'string', default: '1' } } });
const emulator = await KeyVaultEmulator.start({ seed: Number(values.seedRandom) });
if (values.seed) applySeed(emulator, readSeed(values.seed));

console.log('Key Vault emulator running.');
for (const v of emulator.vaults.values())
  console.log(`  vault  https://${vaultHost(v.spec)}  (${v.spec.location}, subscription ${v.spec.subscriptionId})`);
console.log(`  admin  https://localhost:${emulator.tlsPort}/__admin/vaults`);
/** The value as a shell word: as it is when plain, else single-quoted. */
const shellWord = (v: string) => (/^[\w.,:/@%+=-]*$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);
const principal = [...emulator.identity.principals.values()].find((p) => p.clientSecret);
const subscriptions = [...new Set([...emulator.vaults.values()].map((v) => v.spec.subscriptionId))];
const env: Record<string, string> = {
  ...Object.fromEntries(Object.entries(emulator.env()).filter(([k]) => k === k.toUpperCase())),
  ...(principal && {
    AZURE_TENANT_ID: principal.tenantId,
    AZURE_CLIENT_ID: principal.clientId,
    AZURE_CLIENT_SECRET: principal.clientSecret!,
  }),
  ...(subscriptions.length > 0 && { AZURE_SUBSCRIPTION_ID: subscriptions.join(',') }),
};
console.log('Environment for a client process (keyvault-replicate, the SDK):');
for (const [k, v] of Object.entries(env)) console.log(`  export ${k}=${shellWord(v)}`);
if (!principal) console.log('  (no principal with a client secret seeded: nothing can sign in with AZURE_* yet)');
console.log('Ctrl-C stops it.');
const stop = () => void emulator.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
