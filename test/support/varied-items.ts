import { DEFAULT_CERTIFICATE_ISSUANCE_MS } from '../../emulator/model.ts';
import type { KeyVaultEmulator } from '../../emulator/server.ts';

/** How many records the varied source yields: each certificate also lists its managed secret and key. */
export const VARIED_RECORDS = 36 + 3 * 3 + 2;

/**
 * Seeds a source with every kind of item and attribute the tool carries: 36 secrets (2 disabled), 3 certificates, 2
 * keys.
 */
export function seedVariedItems(emulator: KeyVaultEmulator, vault: string): void {
  for (let i = 0; i < 36; i++) {
    emulator.invoke(vault, 'PUT', `secrets/app-${i}`, {
      value: `value-${i}-${'v'.repeat(i)}`,
      contentType: i % 3 ? 'text/plain' : undefined,
      tags: i % 2 ? { team: `t${i}`, env: 'prod' } : undefined,
      attributes: {
        enabled: i % 11 !== 5,
        exp: i % 4 ? 1_900_000_000 + i : undefined,
        nbf: i % 5 ? 1_700_000_000 : undefined,
      },
    });
  }
  for (const name of ['web-tls', 'api-tls', 'mtls-client']) {
    emulator.invoke(vault, 'POST', `certificates/${name}/create`, {
      policy: {
        key_props: { exportable: true, kty: 'RSA', key_size: 2048 },
        x509_props: { subject: `CN=${name}` },
        issuer: { name: 'Self' },
      },
      tags: { cert: name },
    });
  }
  emulator.clock.advance(DEFAULT_CERTIFICATE_ISSUANCE_MS); // issued, as the service's next call finds them
  for (const name of ['data-key', 'sign-key'])
    emulator.invoke(vault, 'POST', `keys/${name}/create`, { kty: 'RSA', tags: { key: name } });
}

/** Every version of every item in a vault, by type and name: a second apply must leave this as it was. */
export function versionCounts(emulator: KeyVaultEmulator, vault: string): Record<string, number> {
  const v = emulator.vault(vault);
  return Object.fromEntries([
    ...[...v.secrets.live].map(([n, i]) => [`secret/${n}`, i.versions.length]),
    ...[...v.certificates.live].map(([n, i]) => [`certificate/${n}`, i.versions.length]),
    ...[...v.keys.live].map(([n, i]) => [`key/${n}`, i.versions.length]),
  ]);
}
