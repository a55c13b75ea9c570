// Checks one step of the end-to-end run (scripts/e2e-local.sh): the target vault through the emulator's admin API
// (E2E_ADMIN_URL) and, when given, the run's JSON report. `node scripts/e2e-check.ts <plan|apply> <target> [report]`.
import { readFileSync } from 'node:fs';

/** The seed's tagged items (test/fixtures/e2e/seed.yml): two secrets, a certificate, a key. */
const TAGGED = { secrets: 2, certificates: 1, keys: 1 };
const TAGGED_COUNT = TAGGED.secrets + TAGGED.certificates + TAGGED.keys;

interface VaultCounts {
  name: string;
  items: { secrets: number; keys: number; certificates: number };
}
interface Report {
  mode: string;
  pairs: { target: string; records: { name: string; type: string; status: string }[] }[];
}

const [mode, target, reportPath] = process.argv.slice(2);
if ((mode !== 'plan' && mode !== 'apply') || !target)
  throw new Error('usage: e2e-check.ts <plan|apply> <target> [report]');
const problems: string[] = [];
const expect = (ok: boolean, what: string) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) problems.push(what);
};

const vaults = (await (await fetch(process.env.E2E_ADMIN_URL!)).json()) as VaultCounts[];
const items = vaults.find((v) => v.name === target)?.items;
if (mode === 'plan') expect(items?.secrets === 0 && items.keys === 0 && items.certificates === 0, `${target} is empty`);
else
  expect(
    items?.secrets === TAGGED.secrets + TAGGED.certificates &&
      items.certificates === TAGGED.certificates &&
      items.keys === TAGGED.keys + TAGGED.certificates,
    `${target} holds the tagged items (${JSON.stringify(items)})`,
  );

if (reportPath) {
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
  const records = report.pairs.filter((p) => p.target === target).flatMap((p) => p.records);
  expect(report.mode === mode, `the report is of a ${mode} (${report.mode})`);
  // A record's status is what the plan found (`create`), in a plan and in the apply that wrote it.
  const created = records.filter((r) => r.status === 'create').map((r) => `${r.type}/${r.name}`);
  expect(created.length === TAGGED_COUNT, `the report's create records: ${created.sort().join(', ')}`);
  const untagged = records.find((r) => r.name === 'local-only');
  expect(untagged?.status === 'excluded_by_rule', `the untagged secret is excluded (${untagged?.status})`);
}
if (problems.length) process.exit(1);
