import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SecretClient } from '@azure/keyvault-secrets';
import { DEFAULT_CERTIFICATE_ISSUANCE_MS } from '../../emulator/model.ts';
import { putSecret } from '../support/vault-inspect.ts';
import { ADMIN, assign, credentialFor, principal, vaultUrl, emulatorPerFile } from '../support/world.ts';
import {
  REPLICATOR,
  addVault,
  replication,
  startReplicationWorld,
  statusOf,
  uniqueVault,
  Workspace,
  vaultPair,
} from '../support/replication-world.ts';

const limited = principal('limited');
const nobody = principal('nobody');
const emulator = emulatorPerFile(() => startReplicationWorld([limited, nobody]));

const put = (vault: string, name: string, body: Record<string, unknown>) => putSecret(emulator, vault, name, body);
const CANARY = 'CANARY-7f3a9c5e-never-print-me';

test('one record failing leaves the others applied, exits 1, and is retried next run', async () => {
  const { src, dst } = vaultPair(emulator);
  put(src, 'fine-1', { value: '1' });
  put(src, 'fine-2', { value: '2' });
  put(src, 'blocked-by-cert', { value: CANARY });
  emulator.invoke(dst, 'POST', 'certificates/blocked-by-cert/create', {
    policy: { issuer: { name: 'Self' }, x509_props: { subject: 'CN=x' } },
  });
  emulator.clock.advance(DEFAULT_CERTIFICATE_ISSUANCE_MS); // issued before the run
  const ws = new Workspace().writeConfig(replication(src, [dst], { overwrite_on_conflict: true }));
  const r = await ws.cli(['apply', '--report', join(new Workspace().dir, 'report.json')]);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/blocked-by-cert.*failed \(KVR030\)/);
  const copy = new SecretClient(vaultUrl(dst), credentialFor(ADMIN));
  expect((await copy.getSecret('fine-1')).value).toBe('1');
  expect((await copy.getSecret('fine-2')).value).toBe('2');
  const state = ws.state();
  expect(Object.values(state.pairs)[0]!.records['secret/blocked-by-cert']).toMatchObject({
    status: 'failed',
    lastErrorCode: 'KVR030',
  });
  for (const text of [r.stdout, r.stderr, JSON.stringify(state)]) expect(text).not.toContain(CANARY);
});

test('a canary value never appears in stdout, stderr, the JSON report or the state file', async () => {
  const { src, dst } = vaultPair(emulator);
  put(src, 'canary', { value: CANARY, contentType: 'text/plain' });
  put(src, 'clash', { value: CANARY });
  put(dst, 'clash', { value: `${CANARY}-other` });
  emulator.invoke(src, 'POST', 'certificates/canary-cert/create', {
    policy: { issuer: { name: 'Self' }, x509_props: { subject: 'CN=c' } },
  });
  emulator.clock.advance(DEFAULT_CERTIFICATE_ISSUANCE_MS); // issued before the run
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

test('least privilege: Reader and Secrets User on the source and Secrets Officer on the target replicate secrets; certificates and keys name the missing roles', async () => {
  const src = addVault(emulator, uniqueVault('src'), 'westeurope', {
    roleAssignments: [
      assign(ADMIN, 'Key Vault Administrator'),
      assign(limited, 'Reader'),
      assign(limited, 'Key Vault Secrets User'),
    ],
  });
  const dst = addVault(emulator, uniqueVault('dst'), 'westeurope', {
    roleAssignments: [assign(ADMIN, 'Key Vault Administrator'), assign(limited, 'Key Vault Secrets Officer')],
  });
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
  // Exactly the four missing grants, each with its role; nothing about secrets, which this principal may replicate.
  const missing = [...denied.stdout.matchAll(/\((source|target), (\w+)\): missing [^;]*; assign '([^']+)'/g)].map((m) =>
    m.slice(1).join(' '),
  );
  expect(missing.sort()).toEqual([
    'source certificates Key Vault Certificate User',
    'source keys Key Vault Crypto User',
    'target certificates Key Vault Certificates Officer',
    'target keys Key Vault Crypto Officer',
  ]);
  expect(emulator.vault(dst).counters.requests).toBe(0);
  expect(emulator.vault(src).counters.requests).toBe(0);
});

test('a pull request plan runs with read roles only; apply with that identity is refused before any vault call', async () => {
  const readRoles = [
    assign(ADMIN, 'Key Vault Administrator'),
    assign(limited, 'Reader'),
    assign(limited, 'Key Vault Secrets User'),
  ];
  const src = addVault(emulator, uniqueVault('src'), 'westeurope', { roleAssignments: readRoles });
  const dst = addVault(emulator, uniqueVault('dst'), 'westeurope', { roleAssignments: readRoles });
  put(src, 'same', { value: 'v' });
  put(dst, 'same', { value: 'v' });
  put(src, 'new', { value: 'n' });
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  const plan = await ws.json(['plan'], limited);
  expect([plan.code, plan.report.totals]).toEqual([0, { in_sync: 1, create: 1 }]);
  emulator.resetCounters();
  const apply = await ws.cli(['apply'], limited);
  expect(apply.code).toBe(2);
  expect(apply.stdout).toMatch(
    /KVR022.*\(target, secrets\): missing Microsoft\.KeyVault\/vaults\/secrets\/setSecret\/action; assign 'Key Vault Secrets Officer'/s,
  );
  expect(emulator.vault(dst).counters.requests + emulator.vault(src).counters.requests).toBe(0);
});

test('a principal with no access is stopped at validation with nothing written', async () => {
  const { src, dst } = vaultPair(emulator);
  put(src, 's', { value: 'v' });
  emulator.resetCounters();
  const r = await new Workspace().writeConfig(replication(src, [dst])).cli(['apply'], nobody);
  expect(r.code).toBe(2);
  // It may read no vault of the subscription: ARM refuses the list (403 AuthorizationFailed).
  expect(r.stdout).toMatch(/KVR020.*AuthorizationFailed.*at least Reader/s);
  expect(emulator.vault(dst).counters.requests + emulator.vault(src).counters.requests).toBe(0);
});

test("access-policy vaults are validated against the caller's policy", async () => {
  const src = addVault(emulator, uniqueVault('src'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('dst'), 'westeurope', {
    enableRbacAuthorization: false,
    roleAssignments: [assign(REPLICATOR, 'Reader')],
    accessPolicies: [{ objectId: REPLICATOR.objectId, permissions: { secrets: ['get', 'list'] } }],
  });
  const ws = new Workspace().writeConfig(replication(src, [dst]));
  const r = await ws.cli(['validate']);
  expect(r.code).toBe(2);
  expect(r.stdout).toContain('access policy lacks secrets set');
  emulator.vault(dst).spec.accessPolicies![0]!.permissions.secrets!.push('set');
  expect((await ws.cli(['validate'])).code).toBe(0);
});
