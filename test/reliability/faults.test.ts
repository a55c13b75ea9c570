import { replicaProblems } from '../support/replica-check.ts';
import { seedVariedItems, VARIED_RECORDS } from '../support/varied-items.ts';
import {
  addVault,
  REPLICATOR,
  replication,
  statusOf,
  uniqueVault,
  Workspace,
  type Report,
} from '../support/replication-world.ts';
import { startWorld, emulatorPerFile } from '../support/world.ts';

// Fault dice are seeded; which request meets a fault depends on the order requests arrive in, so the assertions are
// the invariants that must hold whichever ones fail.
const emulator = emulatorPerFile(() => startWorld({ principals: [REPLICATOR], seed: 7 }));

const TYPES = ['secrets', 'certificates', 'keys'];
const ALLOWED = new Set(['create', 'in_sync', 'update', 'failed', 'source_disabled', 'managed_by_certificate']);

function seededPair(prefix: string): { src: string; dst: string } {
  const src = addVault(emulator, uniqueVault(`${prefix}s`), 'westeurope');
  const dst = addVault(emulator, uniqueVault(`${prefix}d`), 'westeurope');
  seedVariedItems(emulator, src);
  return { src, dst };
}

/** Every record either done or failed with a documented code; no run-level error. */
function expectEveryRecordAccountedFor(report: Report): void {
  expect(report.errors).toEqual([]);
  const records = report.pairs.flatMap((p) => p.records);
  expect(records).toHaveLength(VARIED_RECORDS);
  for (const r of records) {
    expect(ALLOWED).toContain(r.status);
    if (r.status === 'failed') expect(r.errorCode).toMatch(/^KVR03\d$/);
  }
}

/** Faults off: the next run converges to the source exactly, and the one after writes nothing. */
async function expectConvergence(ws: Workspace, src: string, dst: string): Promise<void> {
  for (const v of [src, dst])
    emulator.setFaults(v, {
      serverErrorRate: 0,
      dropRate: 0,
      lostAnswerRate: 0,
      writeErrorRate: 0,
      throttle: undefined,
    });
  const healed = await ws.json(['apply']);
  expect(healed.code).toBe(0);
  expect(healed.report.totals.failed ?? 0).toBe(0);
  expect(replicaProblems(emulator, src, dst, true)).toEqual([]);
  emulator.resetCounters();
  const again = await ws.json(['apply']);
  expect(again.code).toBe(0);
  expect(Object.keys(again.report.totals).sort()).toEqual(['in_sync', 'managed_by_certificate', 'source_disabled']);
  expect(emulator.vault(dst).counters.writes).toBe(0);
}

test('with 5 % of requests answered 500/503 and connections dropped before and after the service acted, nothing is wrong and the next run converges', async () => {
  const { src, dst } = seededPair('f');
  const ws = new Workspace().writeConfig(replication(src, [dst], { types: TYPES }));
  const faults = { serverErrorRate: 0.05, dropRate: 0.03, lostAnswerRate: 0.03 };
  emulator.setFaults(src, faults);
  emulator.setFaults(dst, faults);
  const r = await ws.json(['apply']);
  expect([0, 1]).toContain(r.code);
  expectEveryRecordAccountedFor(r.report);
  expect(replicaProblems(emulator, src, dst, false)).toEqual([]);
  await expectConvergence(ws, src, dst);
}, 90_000);

test('with half the writes failing, some records fail with a code, none is written wrong, and the next run converges', async () => {
  const { src, dst } = seededPair('h');
  const ws = new Workspace().writeConfig(replication(src, [dst], { types: TYPES }));
  emulator.setFaults(dst, { writeErrorRate: 0.5, lostAnswerRate: 0.1 });
  const r = await ws.json(['apply']);
  expect(r.code).toBe(1);
  expectEveryRecordAccountedFor(r.report);
  const failed = r.report.pairs[0]!.records.filter((x) => x.status === 'failed');
  expect(failed.length).toBeGreaterThan(0);
  // 503s are KVR033; a restore whose answer was lost is refused as a conflict on its retry (KVR034).
  for (const x of failed) expect(['KVR033', 'KVR034']).toContain(x.errorCode);
  expect(replicaProblems(emulator, src, dst, false)).toEqual([]);
  const state = Object.values(ws.state().pairs)[0]!.records;
  for (const x of failed)
    expect(state[`${x.type}/${x.name}`]).toMatchObject({ status: 'failed', lastErrorCode: x.errorCode });
  await expectConvergence(ws, src, dst);
}, 90_000);

test('429 storms, with and without Retry-After, on both budgets: every item arrives, none as a failure', async () => {
  const { src, dst } = seededPair('t');
  const ws = new Workspace().writeConfig(replication(src, [dst], { types: TYPES }));
  emulator.setFaults(src, { throttle: { mode: 'retry-after', createLimit: 1000, otherLimit: 20, windowMs: 1000 } });
  emulator.setFaults(dst, { throttle: { mode: 'bare', createLimit: 8, otherLimit: 20, windowMs: 1000 } });
  const r = await ws.json(['apply']);
  expect(r.code).toBe(0);
  expectEveryRecordAccountedFor(r.report);
  expect(r.report.totals.failed ?? 0).toBe(0);
  expect(emulator.vault(src).counters.throttled).toBeGreaterThan(0);
  expect(emulator.vault(dst).counters.throttled).toBeGreaterThan(0);
  expect(statusOf(r.report, 'web-tls', dst, 'certificate')).toBe('create');
  expect(replicaProblems(emulator, src, dst, true)).toEqual([]);
  await expectConvergence(ws, src, dst);
}, 120_000);
