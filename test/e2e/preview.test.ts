import { putSecret } from '../support/vault-inspect.ts';
import { emulatorPerFile } from '../support/world.ts';
import { addVault, replication, startReplicationWorld, uniqueVault, Workspace } from '../support/replication-world.ts';

// Issue 13, item 2: the preview the CLI prints (the same Markdown as the job summary, the PR comment and the ADO tab).
const emulator = emulatorPerFile(() => startReplicationWorld());
const put = (vault: string, name: string, value: string) => putSecret(emulator, vault, name, { value });
const purgeGone = (vault: string, name: string) => {
  emulator.invoke(vault, 'DELETE', `secrets/${name}`);
  emulator.invoke(vault, 'DELETE', `deletedsecrets/${name}`);
};
/** The lines of one pair's section: from its heading to the next. */
const section = (md: string, target: string) => {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith('### ') && l.includes(`→ ${target}`));
  const end = lines.findIndex((l, i) => i > start && l.startsWith('### '));
  return start < 0 ? [] : lines.slice(start, end < 0 ? undefined : end);
};

test('a conflict in a second target shows though the first fills the row budget; after apply rows say what was done', async () => {
  const src = addVault(emulator, uniqueVault('src'), 'westeurope');
  const big = addVault(emulator, uniqueVault('big-dst'), 'westeurope');
  const app = addVault(emulator, uniqueVault('app-us-eus'), 'westeurope');
  for (let i = 0; i < 1106; i++) put(src, `bulk-${String(i).padStart(5, '0')}`, 'x');
  put(src, 'item-00005', 'source');
  put(app, 'item-00005', 'edited by hand');
  const ws = new Workspace().writeConfig(replication(src, [big, app], { exclude: ['bulk-*'] }));

  const plan = await ws.cli(['plan']);
  expect(plan.code).toBe(0);
  const second = section(plan.stdout, app);
  expect(second[0]).toMatch(/\(partial: 1 of 1107 rows shown\)$/);
  expect(second).toContainEqual(
    expect.stringMatching(/^\| <code>item-00005<\/code> \| secret \| ⛔ blocked_target_conflict \|/),
  );
  expect(second).toContain('<summary>1106 quiet rows (excluded_by_rule 1106)</summary>');
  expect(section(plan.stdout, big)).toContainEqual(
    expect.stringMatching(/^\| <code>item-00005<\/code> \| secret \| 🆕 create \| missing in the target/),
  );

  const apply = await ws.cli(['apply']);
  expect(section(apply.stdout, big)).toContainEqual(
    expect.stringMatching(/^\| <code>item-00005<\/code> \| secret \| 🆕 created \|/),
  );
  expect(section(apply.stdout, app)).toContainEqual(expect.stringContaining('⛔ blocked_target_conflict'));
});

test('deletes the mass-delete guard holds back count as held_back, never as delete, and say what they held', async () => {
  const src = addVault(emulator, uniqueVault('src'), 'westeurope');
  const dst = addVault(emulator, uniqueVault('dst'), 'westeurope');
  for (let i = 0; i < 4; i++) put(src, `bulk-${i}`, `${i}`);
  const ws = new Workspace().writeConfig(replication(src, [dst], { propagate_deletes: true, max_deletes: 2 }));
  await ws.cli(['apply']);
  for (let i = 0; i < 4; i++) purgeGone(src, `bulk-${i}`);
  await ws.cli(['apply']);
  const plan = await ws.json(['plan']);
  expect(plan.report.totals).toEqual({ held_back: 4 });
  const md = (await ws.cli(['plan'])).stdout;
  expect(md.split('\n').filter((l) => l.startsWith('| <code>bulk-'))).toEqual(
    [0, 1, 2, 3].map((i) =>
      expect.stringMatching(new RegExp(`^\\| <code>bulk-${i}</code> \\| secret \\| ✋ held_back \\(delete\\) \\|`)),
    ),
  );
  expect(md).not.toContain('🗑️');
});
