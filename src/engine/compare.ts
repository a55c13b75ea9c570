import type { ItemSnapshot } from './model.ts';

const sameTags = (a: Record<string, string>, b: Record<string, string>) => {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
};

/** Attribute differences between a source item and its target copy (the ones replication carries). */
export function attributeDifferences(s: ItemSnapshot, t: ItemSnapshot): string[] {
  const d: string[] = [];
  if (s.enabled !== t.enabled) d.push('enabled');
  if (!sameTags(s.tags, t.tags)) d.push('tags');
  if (s.type === 'secret') {
    if ((s.contentType ?? '') !== (t.contentType ?? '')) d.push('content type');
    if (s.expiresOn !== t.expiresOn) d.push('expiry');
    if (s.notBefore !== t.notBefore) d.push('not-before');
  }
  if (s.type === 'certificate' && s.thumbprint !== t.thumbprint) d.push('thumbprint');
  return d;
}
