import { existsSync, readFileSync } from 'node:fs';
import { stripVTControlCharacters as plain } from 'node:util';
import { putSecret } from '../support/vault-inspect.ts';
import { emulatorPerFile } from '../support/world.ts';
import { replication, startReplicationWorld, vaultPair, Workspace } from '../support/replication-world.ts';

// The CLI at a terminal and in a pipe: the report's formats, the detailed exit code, --only of an unknown item.
const emulator = emulatorPerFile(() => startReplicationWorld());
const put = (vault: string, name: string) => putSecret(emulator, vault, name, { value: `v-${name}` });
const TTY = { stdoutIsTTY: true, stderrIsTTY: true, columns: 120, env: { NO_COLOR: '', FORCE_COLOR: undefined } };

function world(names: string[]) {
  const { src, dst } = vaultPair(emulator);
  for (const n of names) put(src, n);
  return { src, dst, ws: new Workspace().writeConfig(replication(src, [dst])) };
}

test('--output: a coloured table on a terminal (changes only, --all for the rest), Markdown in a pipe, JSON', async () => {
  const { ws, src } = world(['alpha', 'beta']);
  const piped = await ws.cli(['plan']);
  expect(piped.stdout).toContain('| Item | Type | Status | Reason |');
  expect((await ws.cli(['plan', '--output', 'markdown'], undefined, TTY)).stdout).toContain('| Item | Type |');
  const json = JSON.parse((await ws.cli(['plan', '--output', 'json'], undefined, TTY)).stdout);
  expect(json.totals).toEqual({ create: 2 });

  const table = await ws.cli(['plan'], undefined, TTY);
  expect(table.stdout).toContain('\x1b[');
  expect(table.stdout).not.toContain('| Item |');
  expect(plain(table.stdout)).toMatch(/\+ create +secret +alpha +missing in the target/);
  for (const line of table.stdout.split('\n')) expect(plain(line).length).toBeLessThanOrEqual(120);
  expect(
    (await ws.cli(['plan', '--output', 'table'], undefined, { ...TTY, env: { NO_COLOR: '1' } })).stdout,
  ).not.toContain('\x1b[');

  expect((await ws.cli(['apply'])).code).toBe(0);
  put(src, 'gamma');
  const after = await ws.cli(['plan', '--output', 'table']);
  expect(after.stdout).toMatch(/\+ create +secret +gamma/);
  expect(after.stdout).not.toMatch(/in_sync +secret +alpha/);
  expect(after.stdout).toContain('2 unchanged rows not shown (--all shows them)');
  expect((await ws.cli(['plan', '--output', 'table', '--all'])).stdout).toMatch(/in_sync +secret +alpha/);

  const bad = await ws.cli(['plan', '--output', 'yaml']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--output must be table, markdown, json');
});

test('--detailed-exitcode: 3 when there are changes, 0 when none; 1 and 2 keep their meaning; plain codes without it', async () => {
  const { ws } = world(['one']);
  expect((await ws.cli(['plan'])).code).toBe(0);
  expect((await ws.cli(['plan', '--detailed-exitcode'])).code).toBe(3);
  expect((await ws.cli(['apply', '--detailed-exitcode'])).code).toBe(3);
  expect((await ws.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
  expect((await ws.cli(['apply', '--detailed-exitcode'])).code).toBe(0);
  expect((await ws.cli(['validate', '--detailed-exitcode'])).code).toBe(0);
  expect((await ws.cli(['plan', '--detailed-exitcode', '--replications', 'nope'])).code).toBe(2);
});

test('--detailed-exitcode: a plan whose only change disables a copy has changes (3), and its row is signed', async () => {
  const { ws, src } = world(['paused']);
  expect((await ws.cli(['apply'])).code).toBe(0);
  emulator.vault(src).secrets.live.get('paused')!.versions.at(-1)!.attributes.enabled = false;
  const plan = await ws.cli(['plan', '--detailed-exitcode', '--output', 'table']);
  expect(plain(plan.stdout)).toMatch(/~ source_disabled +secret +paused/);
  expect(plan.code).toBe(3);
  expect((await ws.cli(['apply', '--detailed-exitcode'])).code).toBe(3);
  expect((await ws.cli(['plan', '--detailed-exitcode'])).code).toBe(0);
});

test('progress: no line per write; a count with done/total in place on a terminal, plain lines in a log', async () => {
  const names = Array.from({ length: 25 }, (_, i) => `item-${String(i).padStart(2, '0')}`);
  const { ws } = world(names);
  const tty = await ws.cli(['apply'], undefined, TTY);
  expect(tty.code).toBe(0);
  expect(tty.stderr).not.toContain('[written]');
  expect(tty.stderr).toMatch(/\r\x1b\[2K[^\n]*\/25 written/);
  expect(tty.stderr).toMatch(/25\/25 written \(100%\) in \d+s\n/);

  const { ws: logged } = world(names);
  const logRun = await logged.cli(['apply']);
  expect(logRun.stderr).not.toContain('\r');
  const counts = logRun.stderr.split('\n').filter((l) => / written \(/.test(l));
  expect(counts.length).toBeGreaterThan(1);
  expect(counts.length).toBeLessThanOrEqual(10);
});

test('--only of an item the source does not have says so (KVR045) and saves nothing', async () => {
  const { ws } = world(['real']);
  const r = await ws.cli(['apply', '--only', 'secret/nope', '--output', 'json']);
  expect(r.code).toBe(0);
  const report = JSON.parse(r.stdout);
  expect(report.pairs[0].records).toEqual([]);
  expect(report.warnings).toEqual([expect.objectContaining({ code: 'KVR045' })]);
  expect(report.warnings[0].message).toContain('secret/nope is not in');
  expect(existsSync(ws.statePath)).toBe(false);

  // With state on disk, an unknown item leaves it byte for byte as it was; a known one still runs.
  expect((await ws.cli(['apply'])).code).toBe(0);
  const before = readFileSync(ws.statePath, 'utf8');
  expect((await ws.cli(['apply', '--only', 'secret/nope'])).stderr).toContain('KVR045');
  expect(readFileSync(ws.statePath, 'utf8')).toBe(before);
  const known = JSON.parse((await ws.cli(['apply', '--only', 'secret/real,secret/nope', '--json'])).stdout);
  expect(known.pairs[0].records.map((x: { name: string; status: string }) => `${x.name}:${x.status}`)).toEqual([
    'real:in_sync',
  ]);
});
