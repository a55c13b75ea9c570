import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { AzureVaultPort } from '../../src/azure/key-vault-port.ts';
import { KvrError } from '../../src/engine/errors.ts';
import { DEFAULT_CERTIFICATE_ISSUANCE_MS } from '../../emulator/model.ts';
import { MemoryVault } from '../fakes/memory-vault.ts';
import { ADMIN, credentialFor, startWorld, vaultSpec, emulatorPerFile } from '../support/world.ts';
import { FAR_DATES, vaultPortContract } from '../support/vault-port-contract.ts';

let n = 0;
vaultPortContract('in-memory fake', {
  pair: async () => ({ a: new MemoryVault({ name: `mem-a${++n}` }), b: new MemoryVault({ name: `mem-b${n}` }) }),
  seedCertificate: async (p, name, exportable) => {
    (p as MemoryVault).seedCertificate(name, `${name}thumbprintxxxxxxxxxxxxxxxx`.slice(0, 27), exportable);
  },
  seedPendingCertificate: async (p, name) => {
    (p as MemoryVault).seedPendingCertificate(name);
  },
  seedKey: async (p, name, dates) => {
    (p as MemoryVault).seedKey(name, dates);
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
  seedKey: async (p, name, dates) => {
    const attributes = {
      ...(dates?.expiresOn !== undefined ? { exp: dates.expiresOn / 1000 } : {}),
      ...(dates?.notBefore !== undefined ? { nbf: dates.notBefore / 1000 } : {}),
    };
    emulator.invoke(p.info.name, 'POST', `keys/${name}/create`, { kty: 'RSA', attributes });
  },
  advance: (ms) => emulator.clock.advance(ms),
});

/** A self-signed certificate and its key, PEM, valid exactly from `nbf` to `exp` (ms). */
function pemValidFor(nbf: number, exp: number): string {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(nbf);
  cert.validity.notAfter = new Date(exp);
  cert.setSubject([{ name: 'commonName', value: 'far' }]);
  cert.setIssuer([{ name: 'commonName', value: 'far' }]);
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
  return `${forge.pki.certificateToPem(cert)}${keyPem}`;
}

/** The seconds the emulator holds, read from it over its own REST surface (no SDK in between). */
const stored = (vault: string, path: string) =>
  (emulator.invoke(vault, 'GET', path) as { attributes: { exp?: number; nbf?: number } }).attributes;
const seconds = (d: { notBefore: number; expiresOn: number }) => ({ nbf: d.notBefore / 1000, exp: d.expiresOn / 1000 });

describe('Azure adapter: dates past 2038 are stored exactly in the target', () => {
  test.each(Object.entries(FAR_DATES))('a secret written dated %s', async (_, dates) => {
    const b = port(`dates-s${++n}`);
    await b.writeSecret('far', 'v', { type: 'secret', name: 'far', enabled: true, tags: {}, managed: false, ...dates });
    expect(stored(b.info.name, 'secrets/far')).toMatchObject(seconds(dates));
  });

  test.each(Object.entries(FAR_DATES))('a key restored dated %s', async (_, dates) => {
    const a = port(`dates-ka${++n}`);
    const b = port(`dates-kb${n}`);
    emulator.invoke(a.info.name, 'POST', 'keys/far/create', { kty: 'RSA', attributes: seconds(dates) });
    await b.restoreKey(await a.backupKey('far'));
    expect(stored(b.info.name, 'keys/far')).toMatchObject(seconds(dates));
  });

  // A certificate's dates are its X.509 validity: one case holds both far dates (issuing one takes seconds).
  test('a certificate imported valid from 2100-01-01 to 9999-12-31', async () => {
    const dates = FAR_DATES['from 2100-01-01 to 9999-12-31'];
    const a = port(`dates-ca${++n}`);
    const b = port(`dates-cb${n}`);
    const value = pemValidFor(dates.notBefore, dates.expiresOn);
    emulator.invoke(a.info.name, 'POST', 'certificates/far/import', {
      value,
      policy: { secret_props: { contentType: 'application/x-pem-file' } },
    });
    expect(stored(a.info.name, 'certificates/far')).toMatchObject(seconds(dates));
    const [c] = await a.list('certificate');
    await b.importCertificate('far', await a.exportCertificate('far'), c!);
    expect(stored(b.info.name, 'certificates/far')).toMatchObject(seconds(dates));
  });
});

test("a sign-in refused for the vault's resource stays the sign-in failure (KVR024 with Entra's reason), not a transient one", async () => {
  const name = 'kv-contract-signin';
  const spec = vaultSpec(name, 'westeurope');
  emulator.addVault(spec);
  const refused = new KvrError('KVR024', 'authentication failed (test): AADSTS500011: The resource principal named …');
  const vault = new AzureVaultPort(
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
    { getToken: async () => Promise.reject(refused) },
    'contract',
    emulatorTime,
  );
  await expect(vault.get('secret', 'any')).rejects.toMatchObject({ code: 'KVR024' });
  await expect(vault.list('secret')).rejects.toMatchObject({ code: 'KVR024' });
});

test('a recovery Key Vault has not finished after a minute fails with KVR065, waited on the adapter clock', async () => {
  const name = `contract-slow${++n}`;
  const vault = port(name);
  await vault.writeSecret('s', 'v', { type: 'secret', name: 's', enabled: true, tags: {}, managed: false });
  await vault.deleteItem('secret', 's');
  emulator.setWindows(name, { deleteMs: 0, recoverMs: 120_000, purgeMs: 0 });
  const started = emulator.clock.now();
  await expect(vault.recoverDeletedItem('secret', 's')).rejects.toMatchObject({ code: 'KVR065' });
  expect(emulator.clock.now() - started).toBeGreaterThanOrEqual(60_000);
  expect(emulator.clock.now() - started).toBeLessThan(120_000);
});

describe('Azure adapter: a listing answered 429 without Retry-After mid-way goes on from the page it stopped at', () => {
  // 26 of each: two pages of Key Vault's 25. One call a second, no Retry-After: pages (the first too) are answered 429
  // and read again after the adapter's back-off, a second on the emulator's clock.
  const COUNT = 26;
  const names = (prefix: string) => Array.from({ length: COUNT }, (_, i) => `${prefix}${i}`);
  const throttle = (vault: string) =>
    emulator.setFaults(vault, { throttle: { mode: 'bare', createLimit: 1000, otherLimit: 1, windowMs: 1000 } });

  test('live and deleted secrets, certificates and keys: every item, none left out', async () => {
    const name = `contract-pages${++n}`;
    const vault = port(name);
    const live = { secret: names('s'), certificate: names('c'), key: names('k') };
    const deleted = { secret: names('ds'), certificate: names('dc'), key: names('dk') };
    for (const s of [...live.secret, ...deleted.secret]) emulator.invoke(name, 'PUT', `secrets/${s}`, { value: 'v' });
    for (const c of [...live.certificate, ...deleted.certificate])
      emulator.invoke(name, 'POST', `certificates/${c}/create`, {
        policy: { issuer: { name: 'Self' }, x509_props: { subject: `CN=${c}` } },
      });
    for (const k of [...live.key, ...deleted.key]) emulator.invoke(name, 'POST', `keys/${k}/create`, { kty: 'EC' });
    emulator.clock.advance(DEFAULT_CERTIFICATE_ISSUANCE_MS);
    for (const s of deleted.secret) emulator.invoke(name, 'DELETE', `secrets/${s}`);
    for (const c of deleted.certificate) emulator.invoke(name, 'DELETE', `certificates/${c}`);
    for (const k of deleted.key) emulator.invoke(name, 'DELETE', `keys/${k}`);
    emulator.clock.advance(3000);
    throttle(name);
    for (const type of ['secret', 'certificate', 'key'] as const) {
      // A certificate's backing secret and key are listed with the secrets and keys, and deleted with it.
      const listed = (await vault.list(type)).filter((i) => !i.managed).map((i) => i.name);
      expect(listed.sort()).toEqual([...live[type]].sort());
      const gone = [...(await vault.listDeletedNames(type))].filter((d) => d.startsWith(`d${type[0]}`));
      expect(gone.sort()).toEqual([...deleted[type]].sort());
    }
    // Each of the six listings met at least one 429.
    expect(emulator.vault(name).counters.throttled).toBeGreaterThanOrEqual(6);
  }, 60_000);

  test("a disabled secret's versions: the latest is found on the second page", async () => {
    const name = `contract-versions${++n}`;
    const vault = port(name);
    let latest = '';
    for (let i = 0; i < COUNT; i++) {
      latest = (emulator.invoke(name, 'PUT', 'secrets/v', { value: `v${i}` }) as { id: string }).id.split('/').pop()!;
      emulator.clock.advance(1000);
    }
    emulator.invoke(name, 'PATCH', `secrets/v/${latest}`, { attributes: { enabled: false } });
    throttle(name);
    expect(await vault.get('secret', 'v')).toMatchObject({ version: latest, enabled: false });
    expect(emulator.vault(name).counters.throttled).toBeGreaterThan(0);
  });
});
