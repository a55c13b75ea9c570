import { ADMIN, assign, emulatorPerFile } from '../support/world.ts';
import {
  addVault,
  REPLICATOR,
  replication,
  startReplicationWorld,
  uniqueVault,
  Workspace,
} from '../support/replication-world.ts';

/**
 * `validate` shows, per pair, what decides whether apply can do its work: where both vaults are and in which
 * geography, whether keys can move between them, the rights found on each side, the names soft-deleted in the target
 * that would block, and the next step for each problem.
 */
const emulator = emulatorPerFile(() => startReplicationWorld());

interface Gate {
  source: { vault: string; location: string; geography: string; enough: string[]; missing: string[] };
  target: { vault: string; location: string; geography: string; enough: string[]; missing: string[] };
  keys: { copied: boolean; sameGeography: boolean };
  softDeleted: string[];
  nextSteps: string[];
}

test('validate of a pair in one geography: locations, geographies, keys can move, rights, the soft-deleted names that block', async () => {
  const src = addVault(emulator, uniqueVault('src'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('dst'), 'northeurope');
  for (const name of ['kept', 'gone']) emulator.invoke(src, 'PUT', `secrets/${name}`, { value: 'v' });
  emulator.invoke(dst, 'PUT', 'secrets/gone', { value: 'old' });
  emulator.invoke(dst, 'DELETE', 'secrets/gone');
  const ws = new Workspace().writeConfig(replication(src, [dst], { types: ['secrets', 'keys'] }));

  const md = await ws.cli(['validate']);
  expect(md.code).toBe(0);
  expect(md.stdout).not.toContain('_No items._');
  expect(md.stdout).toContain(`| source | ${src} | westeurope | Europe | RBAC: enough for secrets, keys |`);
  expect(md.stdout).toContain(`| target | ${dst} | northeurope | Europe | RBAC: enough for secrets, keys |`);
  expect(md.stdout).toContain('- Keys: copied; same geography: keys can move');
  expect(md.stdout).toContain('- Soft-deleted in the target, blocking: <code>secret/gone</code>');
  expect(md.stdout).toMatch(/Next steps:\n {2}1\. Soft-deleted names: recover or purge secret\/gone in /);

  const json = await ws.json(['validate']);
  const gate = (json.report.pairs[0] as unknown as { gate: Gate }).gate;
  expect(gate).toMatchObject({
    source: { vault: src, location: 'westeurope', geography: 'Europe', enough: ['secrets', 'keys'], missing: [] },
    target: { vault: dst, location: 'northeurope', geography: 'Europe', missing: [] },
    keys: { copied: true, sameGeography: true },
    softDeleted: ['secret/gone'],
  });
  expect(JSON.stringify(json.report)).not.toContain('"old"');
});

test('validate of a pair across geographies with a read-only target: KVR022, and each pair still shows why and what to do', async () => {
  const src = addVault(emulator, uniqueVault('src'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('dst'), 'eastus', {
    roleAssignments: [
      assign(ADMIN, 'Key Vault Administrator'),
      assign(REPLICATOR, 'Reader'),
      assign(REPLICATOR, 'Key Vault Secrets User'),
    ],
  });
  const ws = new Workspace().writeConfig(replication(src, [dst], { types: ['secrets', 'keys'] }));
  const json = await ws.json(['validate']);
  expect(json.code).toBe(2);
  expect(json.report.errors.map((e) => e.code)).toEqual(['KVR022']);
  const gate = (json.report.pairs[0] as unknown as { gate: Gate }).gate;
  expect(gate.target).toMatchObject({ location: 'eastus', geography: 'United States', enough: [] });
  expect(gate.keys).toEqual({ copied: true, sameGeography: false });
  expect(gate.nextSteps).toEqual([
    expect.stringMatching(/^Rights: .*\(target, secrets\): missing .*setSecret.*assign 'Key Vault Secrets Officer'/),
    expect.stringMatching(/^Rights: .*\(target, keys\): missing .*assign 'Key Vault Crypto Officer'/),
    expect.stringMatching(
      /^Keys: .* is in Europe and .* in United States; a key backup restores only within its geography.*choose a target in Europe/,
    ),
  ]);
  const md = await ws.cli(['validate']);
  expect(md.stdout).toContain(`| target | ${dst} | eastus | United States | RBAC: 2 missing |`);
  expect(md.stdout).toContain('**copied; different geographies: keys cannot move**');
  expect(md.stdout).toContain(
    '- Soft-deleted in the target, blocking: unknown (secrets: not listed, rights are missing;',
  );
});
