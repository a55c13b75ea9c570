import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { FaultSettings } from './faults.ts';
import type { Principal } from './identity.ts';
import type { VaultSpec } from './model.ts';
import type { EmulatorControl } from './control.ts';

/** A seed file: tenant principals, vaults and the items they start with. */
export interface SeedDocument {
  principals?: Principal[];
  vaults: (VaultSpec & {
    secrets?: {
      name: string;
      value: string;
      contentType?: string;
      enabled?: boolean;
      tags?: Record<string, string>;
      expires?: number;
      notBefore?: number;
    }[];
    certificates?: { name: string; subject?: string; exportable?: boolean; tags?: Record<string, string> }[];
    keys?: { name: string; kty?: string; size?: number; curve?: string; tags?: Record<string, string> }[];
    deleted?: { secrets?: string[] };
    faults?: Partial<FaultSettings>;
  })[];
}

export const readSeed = (path: string): SeedDocument => parse(readFileSync(path, 'utf8')) as SeedDocument;

/** Puts a seed's principals, vaults and items into a running emulator, through its own route handlers. */
export function applySeed(emulator: EmulatorControl, seed: SeedDocument): void {
  for (const p of seed.principals ?? []) emulator.identity.addPrincipal(p);
  for (const { secrets, certificates, keys, deleted, faults, ...spec } of seed.vaults) {
    const vault = emulator.addVault(spec);
    if (faults) emulator.setFaults(spec.name, faults);
    for (const s of secrets ?? []) {
      emulator.invoke(spec.name, 'PUT', `secrets/${s.name}`, {
        value: s.value,
        contentType: s.contentType,
        tags: s.tags,
        attributes: { enabled: s.enabled ?? true, exp: s.expires, nbf: s.notBefore },
      });
    }
    // A seed describes certificates that exist, issued: they are created with no issuance delay.
    const issuanceMs = vault.spec.certificateIssuanceMs;
    vault.spec.certificateIssuanceMs = 0;
    for (const c of certificates ?? []) {
      emulator.invoke(spec.name, 'POST', `certificates/${c.name}/create`, {
        policy: {
          key_props: { exportable: c.exportable ?? true, kty: 'RSA', key_size: 2048 },
          x509_props: { subject: c.subject ?? `CN=${c.name}` },
          issuer: { name: 'Self' },
        },
        tags: c.tags,
      });
    }
    vault.spec.certificateIssuanceMs = issuanceMs;
    for (const k of keys ?? []) {
      emulator.invoke(spec.name, 'POST', `keys/${k.name}/create`, {
        kty: k.kty ?? 'RSA',
        key_size: k.size,
        crv: k.curve,
        tags: k.tags,
      });
    }
    for (const name of deleted?.secrets ?? []) {
      emulator.invoke(spec.name, 'PUT', `secrets/${name}`, { value: 'deleted-before-start' });
      emulator.invoke(spec.name, 'DELETE', `secrets/${name}`);
    }
  }
}
