import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretClient } from '@azure/keyvault-secrets';
import type { KeyVaultEmulator } from '../emulator/server.ts';
import { ADMIN, assign, credentialFor, principal, vaultUrl } from '../support/world.ts';
import { REPLICATOR, addVault, replication, startReplicationWorld, statusOf, uniqueVault, Workspace } from '../support/replication-world.ts';

const limited = principal('limited');
const nobody = principal('nobody');
let emulator: KeyVaultEmulator;
beforeAll(async () => { emulator = await startReplicationWorld([limited, nobody]); });
afterAll(() => emulator.close());

const put = (vault: string, name: string, body: Record<string, unknown>) => emulator.invoke(vault, 'PUT', `secrets/${name}`, body);
const CANARY = 'CANARY-7f3a9c5e-never-print-me';

test('a 429 storm (with and without Retry-After) loses nothing: every secret arrives', async () => {
  const src = addVault(emulator, uniqueVault('src'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('dst'), 'westeurope');
  for (let i = 0; i < 24; i++) put(src, `storm-${i}`, { value: `v${i}` });
  emulator.setFaults(dst, { throttle: { mode: 'bare', createLimit: 3, otherLimit: 1000, windowMs: 1000 } });
  emulator.setFaults(src, { throttle: { mode: 'retry-after', createLimit: 1000, otherLimit: 10, windowMs: 1000 } });
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  const r = await ws.json(['apply']);
  emulator.setFaults(dst, { throttle: undefined });
  emulator.setFaults(src, { throttle: undefined });
  expect(r.code).toBe(0);
  expect(r.report.pairs[0]!.counts).toEqual({ create: 24 });
  expect(emulator.vault(dst).counters.throttled).toBeGreaterThan(0);
  expect(emulator.vault(src).counters.throttled).toBeGreaterThan(0);
  const copy = new SecretClient(vaultUrl(dst), credentialFor(ADMIN));
  for (let i = 0; i < 24; i += 7) expect((await copy.getSecret(`storm-${i}`)).value).toBe(`v${i}`);
});

test('one record failing leaves the others applied, exits 1, and is retried next run', async () => {
  const src = addVault(emulator, uniqueVault('src'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('dst'), 'westeurope');
  put(src, 'fine-1', { value: '1' });
  put(src, 'fine-2', { value: '2' });
  put(src, 'blocked-by-cert', { value: CANARY });
  emulator.invoke(dst, 'POST', 'certificates/blocked-by-cert/create', { policy: { issuer: { name: 'Self' }, x509_props: { subject: 'CN=x' } } });
  const ws = new Workspace().writeConfig(replication(src, [dst], { overwrite_on_conflict: true }));
  const r = await ws.cli(['apply', '--report', join(new Workspace().dir, 'report.json')]);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/blocked-by-cert.*failed \(KVR030\)/);
  const copy = new SecretClient(vaultUrl(dst), credentialFor(ADMIN));
  expect((await copy.getSecret('fine-1')).value).toBe('1');
  expect((await copy.getSecret('fine-2')).value).toBe('2');
  const state = ws.state();
  expect(Object.values(state.pairs)[0]!.records['secret/blocked-by-cert']).toMatchObject({ status: 'failed', lastErrorCode: 'KVR030' });
  for (const text of [r.stdout, r.stderr, JSON.stringify(state)]) expect(text).not.toContain(CANARY);
});

test('a canary value never appears in stdout, stderr, the JSON report or the state file', async () => {
  const src = addVault(emulator, uniqueVault('src'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('dst'), 'westeurope');
  put(src, 'canary', { value: CANARY, contentType: 'text/plain' });
  put(src, 'clash', { value: CANARY });
  put(dst, 'clash', { value: `${CANARY}-other` });
  emulator.invoke(src, 'POST', 'certificates/canary-cert/create', { policy: { issuer: { name: 'Self' }, x509_props: { subject: 'CN=c' } } });
  const ws = new Workspace().writeConfig(replication(src, [dst], { types: ['secrets', 'certificates'] }));
  const reportPath = join(ws.dir, 'report.json');
  const outputs: string[] = [];
  for (const args of [['plan'], ['apply', '--report', reportPath], ['apply', '--json']]) {
    const r = await ws.cli(args);
    outputs.push(r.stdout, r.stderr);
  }
  outputs.push(readFileSync(reportPath, 'utf8'), readFileSync(ws.statePath, 'utf8'));
  const pfx = (await new SecretClient(vaultUrl(src), credentialFor(ADMIN)).getSecret('canary-cert')).value!;
  for (const text of outputs) {
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(pfx.slice(100, 160));
  }
  expect(outputs.join('\n')).toContain('canary');
});

test('least privilege: Secrets User on the source and Secrets Officer on the target replicate secrets; certificates and keys name the missing roles', async () => {
  const src = addVault(emulator, uniqueVault('src'), 'westeurope', { roleAssignments: [assign(ADMIN, 'Key Vault Administrator'), assign(limited, 'Key Vault Secrets User')] });
  const dst = addVault(emulator, uniqueVault('dst'), 'westeurope', { roleAssignments: [assign(ADMIN, 'Key Vault Administrator'), assign(limited, 'Key Vault Secrets Officer')] });
  put(src, 's', { value: 'v' });
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  const ok = await ws.json(['apply'], limited);
  expect(ok.code).toBe(0);
  expect(statusOf(ok.report, 's')).toBe('create');

  ws.writeConfig(replication(src, [dst], { types: ['secrets', 'certificates', 'keys'] }));
  emulator.resetCounters();
  const denied = await ws.cli(['apply'], limited);
  expect(denied.code).toBe(2);
  expect(denied.stderr + denied.stdout).toContain('KVR022');
  for (const role of ['Key Vault Certificate User', 'Key Vault Crypto User', 'Key Vault Certificates Officer', 'Key Vault Crypto Officer']) expect(denied.stdout).toContain(role);
  expect(emulator.vault(dst).counters.requests).toBe(0);
});

test('a principal with no access is stopped at validation with nothing written', async () => {
  const src = addVault(emulator, uniqueVault('src'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('dst'), 'westeurope');
  put(src, 's', { value: 'v' });
  emulator.resetCounters();
  const r = await new Workspace().writeConfig(replication(src, [dst])).cli(['apply'], nobody);
  expect(r.code).toBe(2);
  expect(r.stdout).toMatch(/KVR022.*Key Vault Secrets User/s);
  expect(emulator.vault(dst).counters.requests + emulator.vault(src).counters.requests).toBe(0);
});

test('access-policy vaults are validated against the caller\'s policy', async () => {
  const src = addVault(emulator, uniqueVault('src'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('dst'), 'westeurope', { enableRbacAuthorization: false, roleAssignments: [], accessPolicies: [{ objectId: REPLICATOR.objectId, permissions: { secrets: ['get', 'list'] } }] });
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  const r = await ws.cli(['validate']);
  expect(r.code).toBe(2);
  expect(r.stdout).toContain('access policy lacks secrets set');
  emulator.vault(dst).spec.accessPolicies![0]!.permissions.secrets!.push('set');
  expect((await ws.cli(['validate'])).code).toBe(0);
});
