import { AzureVaultPort } from '../../src/azure/key-vault-port.ts';
import { DEFAULT_CERTIFICATE_ISSUANCE_MS } from '../../emulator/model.ts';
import { MemoryVault } from '../fakes/memory-vault.ts';
import { ADMIN, credentialFor, startWorld, vaultSpec, emulatorPerFile } from '../support/world.ts';
import { vaultPortContract } from '../support/vault-port-contract.ts';

let n = 0;
vaultPortContract('in-memory fake', {
  pair: async () => ({ a: new MemoryVault({ name: `mem-a${++n}` }), b: new MemoryVault({ name: `mem-b${n}` }) }),
  seedCertificate: async (p, name, exportable) => {
    (p as MemoryVault).seedCertificate(name, `${name}thumbprintxxxxxxxxxxxxxxxx`.slice(0, 27), exportable);
  },
  seedPendingCertificate: async (p, name) => {
    (p as MemoryVault).seedPendingCertificate(name);
  },
  seedKey: async (p, name) => {
    (p as MemoryVault).seedKey(name);
  },
  advance: () => {}, // the fake's clock moves a second on every write
});

// Azure's windows: a delete, a recover and a purge take seconds. The adapter waits on its clock, and here its clock is
// the emulator's, so a wait is time passing for the service and the test sleeps for real nowhere.
const emulator = emulatorPerFile(() => startWorld({ windows: { deleteMs: 3000, recoverMs: 3000, purgeMs: 2000 } }));
const emulatorTime = { now: () => emulator.clock.now(), sleep: async (ms: number) => emulator.clock.advance(ms) };

const port = (name: string) => {
  const spec = vaultSpec(name, 'westeurope');
  emulator.addVault(spec);
  return new AzureVaultPort(
    {
      name,
      uri: `https://${name}.vault.azure.net`,
      location: spec.location,
      subscriptionId: spec.subscriptionId,
      resourceGroup: spec.resourceGroup,
      tenantId: spec.tenantId,
      tags: {},
      rbac: true,
      purgeProtection: false,
    },
    credentialFor(ADMIN),
    'contract',
    emulatorTime,
  );
};

vaultPortContract('Azure adapter over the emulator', {
  pair: async () => ({ a: port(`contract-a${++n}`), b: port(`contract-b${n}`) }),
  seedCertificate: async (p, name, exportable) => {
    emulator.invoke(p.info.name, 'POST', `certificates/${name}/create`, {
      policy: { key_props: { exportable }, issuer: { name: 'Self' }, x509_props: { subject: `CN=${name}` } },
    });
    emulator.clock.advance(DEFAULT_CERTIFICATE_ISSUANCE_MS); // issued
  },
  seedPendingCertificate: async (p, name) => {
    emulator.invoke(p.info.name, 'POST', `certificates/${name}/create`, {
      policy: { issuer: { name: 'Self' }, x509_props: { subject: `CN=${name}` } },
    });
  },
  seedKey: async (p, name) => {
    emulator.invoke(p.info.name, 'POST', `keys/${name}/create`, { kty: 'RSA' });
  },
  advance: (ms) => emulator.clock.advance(ms),
});
