// Standalone emulator: `npm run emulator -- --seed fixtures.yml`. Prints the vault URLs and the environment to use.
import { parseArgs } from 'node:util';
import { KeyVaultEmulator } from './server.ts';
import { applySeed, readSeed } from './seed.ts';

const { values } = parseArgs({ options: { seed: { type: 'string' }, seedRandom: { type: 'string', default: '1' } } });
const emulator = await KeyVaultEmulator.start({ seed: Number(values.seedRandom) });
if (values.seed) applySeed(emulator, readSeed(values.seed));

console.log('Key Vault emulator running.');
for (const v of emulator.vaults.values())
  console.log(
    `  vault  https://${v.spec.name}.vault.azure.net  (${v.spec.location}, subscription ${v.spec.subscriptionId})`,
  );
console.log(`  admin  https://localhost:${emulator.tlsPort}/__admin/vaults`);
console.log('Environment for a client process:');
for (const [k, v] of Object.entries(emulator.env())) if (k === k.toUpperCase()) console.log(`  export ${k}=${v}`);
console.log('Ctrl-C stops it.');
const stop = () => void emulator.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
