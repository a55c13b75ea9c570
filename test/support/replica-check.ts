import { latest, type SecretVersion, type VaultState } from '../../emulator/model.ts';
import type { KeyVaultEmulator } from '../../emulator/server.ts';

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const sortedTags = (t?: Record<string, string>) =>
  Object.fromEntries(Object.entries(t ?? {}).sort(([a], [b]) => a.localeCompare(b)));

/**
 * Every way the target differs from the source, read straight from the emulator's vaults. Each target secret
 * version ever written must be one source version whole (nothing partial, nothing mixed), and the latest the
 * source's latest; with `complete`, every replicable source item must also be there.
 */
export function replicaProblems(
  emulator: KeyVaultEmulator,
  source: string,
  target: string,
  complete: boolean,
): string[] {
  const s: VaultState = emulator.vault(source);
  const t: VaultState = emulator.vault(target);
  const problems: string[] = [];
  for (const [name, item] of s.secrets.live) {
    if (item.managed) continue;
    const want = latest(item);
    const copy = t.secrets.live.get(name);
    if (!want.attributes.enabled) {
      if (copy) problems.push(`secret ${name}: disabled on the source, yet copied`);
      continue;
    }
    if (!copy) {
      if (complete) problems.push(`secret ${name}: missing`);
      continue;
    }
    // Each version written holds one source version whole (value with its own attributes), and the latest the latest.
    const fingerprint = (v: SecretVersion) =>
      JSON.stringify([
        v.value,
        v.contentType ?? null,
        sortedTags(v.tags),
        v.attributes.enabled,
        v.attributes.exp ?? null,
        v.attributes.nbf ?? null,
      ]);
    const sourceVersions = new Set(item.versions.map(fingerprint));
    copy.versions.forEach((v, i) => {
      if (!sourceVersions.has(fingerprint(v)))
        problems.push(`secret ${name} version ${i}: not a source version (value or attributes wrong)`);
    });
    if (fingerprint(latest(copy)) !== fingerprint(want))
      problems.push(`secret ${name}: latest version is not the source's latest`);
  }
  for (const [name, item] of s.certificates.live) {
    const copy = t.certificates.live.get(name);
    if (!copy) {
      if (complete && item.policy.exportable) problems.push(`certificate ${name}: missing`);
      continue;
    }
    const [want, got] = [latest(item), latest(copy)];
    if (
      got.x5t !== want.x5t ||
      !same(sortedTags(got.tags), sortedTags(want.tags)) ||
      got.attributes.enabled !== want.attributes.enabled
    )
      problems.push(`certificate ${name}: differs`);
    if (!got.privateKeyPem) problems.push(`certificate ${name}: no private key`);
  }
  for (const [name, item] of s.keys.live) {
    if (item.managed) continue;
    const copy = t.keys.live.get(name);
    if (!copy) {
      if (complete) problems.push(`key ${name}: missing`);
      continue;
    }
    if (
      !same(
        copy.versions.map((v) => v.version),
        item.versions.map((v) => v.version),
      )
    )
      problems.push(`key ${name}: other versions`);
  }
  return problems;
}
