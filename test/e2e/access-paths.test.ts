import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretClient } from '@azure/keyvault-secrets';
import type { Principal } from '../../emulator/identity.ts';
import { customRole } from '../../emulator/rbac.ts';
import { DEFAULT_CERTIFICATE_ISSUANCE_MS } from '../../emulator/model.ts';
import { putSecret } from '../support/vault-inspect.ts';
import { ADMIN, assign, credentialFor, principal, vaultUrl, emulatorPerFile } from '../support/world.ts';
import {
  addVault,
  replication,
  startReplicationWorld,
  statusOf,
  uniqueVault,
  Workspace,
} from '../support/replication-world.ts';

/**
 * The ways a caller may be granted access in Azure, and the refusals ARM and Key Vault give when it is not: the
 * product's checks must agree with both (a hint that names the right role, no block where Azure would let it through).
 */

const GROUP = { objectId: 'group-kv-replicators-oid' };
const dataOnly = principal('data-only');
const viaGroup: Principal = { ...principal('via-group'), groups: [GROUP.objectId] };
const overaged: Principal = { ...principal('overaged'), groups: [GROUP.objectId], groupOverage: true };
const custom = principal('custom-roles');
const emulator = emulatorPerFile(() => startReplicationWorld([dataOnly, viaGroup, overaged, custom]));

const put = (vault: string, name: string, value: string) => putSecret(emulator, vault, name, { value });

/** The least-privilege custom roles exactly as docs/rbac.md gives them, so the document cannot drift from the tool. */
function documentedRoles(): { source: Record<string, unknown>; target: Record<string, unknown> } {
  const doc = readFileSync(join(import.meta.dirname, '../../docs/rbac.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Least-privilege custom roles'));
  const blocks = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map(
    (m) => JSON.parse(m[1]!) as Record<string, unknown>,
  );
  const byName = (name: string) => blocks.find((b) => b.Name === name)!;
  return { source: byName('Key Vault Replication Source'), target: byName('Key Vault Replication Target') };
}

test('Key Vault Secrets User alone on the source: ARM does not show the vault, and KVR020 asks for Reader', async () => {
  const src = addVault(emulator, uniqueVault('src'), 'westeurope', {
    roleAssignments: [assign(ADMIN, 'Key Vault Administrator'), assign(dataOnly, 'Key Vault Secrets User')],
  });
  const dst = addVault(emulator, uniqueVault('dst'), 'westeurope', {
    roleAssignments: [assign(ADMIN, 'Key Vault Administrator'), assign(dataOnly, 'Key Vault Secrets Officer')],
  });
  put(src, 's', 'v');
  // The data plane would answer it: what it lacks is ARM's read of the vault.
  expect((await new SecretClient(vaultUrl(src), credentialFor(dataOnly)).getSecret('s')).value).toBe('v');
  emulator.resetCounters();
  const r = await new Workspace().writeConfig(replication(src, [dst])).cli(['apply'], dataOnly);
  expect(r.code).toBe(2);
  expect(r.stdout).toContain(`KVR020`);
  expect(r.stdout).toMatch(new RegExp(`vault ${src} was not found.*at least Reader on it`));
  expect(emulator.vault(src).counters.requests + emulator.vault(dst).counters.requests).toBe(0);
});

test('the custom roles of docs/rbac.md replicate secrets, certificates and keys', async () => {
  const { source, target } = documentedRoles();
  const src = addVault(emulator, uniqueVault('src'), 'westeurope', {
    roleAssignments: [assign(ADMIN, 'Key Vault Administrator'), assign(custom, customRole(source))],
  });
  const dst = addVault(emulator, uniqueVault('dst'), 'westeurope', {
    roleAssignments: [assign(ADMIN, 'Key Vault Administrator'), assign(custom, customRole(target))],
  });
  put(src, 'a-secret', 'v');
  emulator.invoke(src, 'POST', 'certificates/a-cert/create', {
    policy: { issuer: { name: 'Self' }, x509_props: { subject: 'CN=a' } },
  });
  emulator.clock.advance(DEFAULT_CERTIFICATE_ISSUANCE_MS);
  emulator.invoke(src, 'POST', 'keys/a-key/create', { kty: 'RSA', key_size: 2048 });
  const ws = new Workspace().writeConfig(replication(src, [dst], { types: ['secrets', 'certificates', 'keys'] }));
  const r = await ws.json(['apply'], custom);
  expect(r.code).toBe(0);
  for (const [name, type] of [
    ['a-secret', 'secret'],
    ['a-cert', 'certificate'],
    ['a-key', 'key'],
  ] as const)
    expect(statusOf(r.report, name, dst, type)).toBe('create');
});

/** A source the group may read, and an access-policy target whose only grant is the group's policy. */
function groupWorld(): { src: string; dst: string } {
  const src = addVault(emulator, uniqueVault('src'), 'westeurope', {
    roleAssignments: [
      assign(ADMIN, 'Key Vault Administrator'),
      assign(GROUP, 'Reader'),
      assign(GROUP, 'Key Vault Secrets User'),
    ],
  });
  const dst = addVault(emulator, uniqueVault('dst'), 'westeurope', {
    enableRbacAuthorization: false,
    roleAssignments: [assign(ADMIN, 'Key Vault Administrator'), assign(GROUP, 'Reader')],
    accessPolicies: [{ objectId: GROUP.objectId, permissions: { secrets: ['get', 'list', 'set'] } }],
  });
  put(src, 's', 'v');
  return { src, dst };
}

test("a caller whose only grant is its group's access policy replicates (the token lists its groups)", async () => {
  const { src, dst } = groupWorld();
  const r = await new Workspace().writeConfig(replication(src, [dst])).json(['apply'], viaGroup);
  expect(r.code).toBe(0);
  expect(statusOf(r.report, 's')).toBe('create');
  expect(r.report.warnings).toEqual([]);
  expect(emulator.vault(dst).secrets.live.has('s')).toBe(true);
});

test('with a group overage the caller is not blocked: a warning says the group grants could not be seen', async () => {
  const { src, dst } = groupWorld();
  const r = await new Workspace().writeConfig(replication(src, [dst])).json(['apply'], overaged);
  expect(r.code).toBe(0);
  expect(statusOf(r.report, 's')).toBe('create');
  expect(r.report.warnings).toEqual([
    expect.objectContaining({ code: 'KVR022', message: expect.stringMatching(/group it belongs to cannot be seen/) }),
  ]);
});

test('with a group overage and no grant at all, Key Vault refuses and the run reports it', async () => {
  const { src, dst } = groupWorld();
  emulator.vault(dst).spec.accessPolicies = [];
  const r = await new Workspace().writeConfig(replication(src, [dst])).json(['apply'], overaged);
  expect(r.code).toBe(1);
  expect(r.report.errors).toEqual([
    expect.objectContaining({ code: 'KVR030', message: expect.stringMatching(/Forbidden \(HTTP 403\)/) }),
  ]);
});
