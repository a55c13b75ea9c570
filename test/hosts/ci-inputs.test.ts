import { INPUTS as TASK_INPUTS } from '../../src/hosts/ado/constants.ts';
import { INPUTS } from '../../src/hosts/github/constants.ts';
import { parseBoolean, readCiRequest } from '../../src/hosts/shared/run-inputs.ts';
import { inputLabel, type CiInput } from '../../src/hosts/shared/run-options.ts';
import { tempDir } from '../support/temp-dir.ts';

// The inputs the Action and the task share are read and checked by readCiRequest before any sign-in. The bundled
// Action shows that a refusal fails the step and touches no vault (test/reliability/bad-input.test.ts keeps one run
// per way in: a plain input, the single pair, the credential and each branch the runner names); the messages are
// checked here, each naming the input as the host calls it.

/** Not a repository: the checkout names no branch of its own. */
const NOT_A_CHECKOUT = tempDir('kvr-no-checkout-');

/** Reads `inputs` as the Action does: trimmed text, empty as unset; yes/no inputs through parseBoolean. */
function readWith(names: Record<CiInput, string>, inputs: Record<string, string>) {
  const text = (name: string) => inputs[name]?.trim() || undefined;
  const reader = { text, flag: (name: string) => parseBoolean(text(name), inputLabel(name)), secret: text };
  return readCiRequest(names, reader, { pullRequest: false, guarded: [], repository: NOT_A_CHECKOUT });
}

const PAIR = { source: 'x-src-kv', targets: 'x-dst-kv' };

/** [what, Action inputs, code, what the message must say]: once run end to end each, in the bundled Action. */
const ACTION_INPUTS: [string, Record<string, string>, string, RegExp][] = [
  ['an unknown rule', { ...PAIR, rule: 'regex:^db' }, 'KVR008', /input 'rule': 'regex:\^db' is not one of all, tagged/],
  ['a type given twice', { ...PAIR, types: 'keys,Keys' }, 'KVR008', /input 'types': 'keys' is given twice/],
  [
    'a target that is the source',
    { source: 'x-src-kv', targets: 'X-SRC-KV' },
    'KVR005',
    /input 'targets': target 'X-SRC-KV' is the source vault itself/,
  ],
  [
    'a target that is no vault name',
    { source: 'x-src-kv', targets: 'x-dst-kv,bad_vault!' },
    'KVR006',
    /input 'targets': 'bad_vault!' is not a valid vault name/,
  ],
  [
    'a rule glob that can never match',
    { ...PAIR, rule: 'pattern:db_*' },
    'KVR007',
    /input 'rule': 'db_\*' is not a usable glob/,
  ],
  [
    'a manual item name Key Vault refuses',
    { ...PAIR, rule: 'manual:db_password' },
    'KVR008',
    /input 'rule': 'db_password' is not a Key Vault item name/,
  ],
  ['targets without a source', { targets: 'x-dst-kv' }, 'KVR008', /'targets' is set but 'source' is not/],
  [
    'a boolean that is neither',
    { ...PAIR, 'overwrite-on-conflict': 'maybe' },
    'KVR008',
    /must be true or false, not 'maybe'/,
  ],
  ['concurrency 0', { 'max-concurrency': '0' }, 'KVR008', /whole number from 1 to 256/],
  ['an --only item of no type', { only: 'widget/x' }, 'KVR010', /'widget\/x' is not an item/],
  ['an acknowledge glob that can never match', { acknowledge: 'a.b' }, 'KVR007', /'\.' is in no Key Vault name/],
  [
    'a source on a non-vault host',
    { source: 'https://evil.example.com', targets: 'x-dst-kv' },
    'KVR006',
    /input 'source': 'https:\/\/evil\.example\.com' is not a Key Vault URL/,
  ],
  [
    'an unknown fail-on',
    { ...PAIR, 'fail-on': 'sometimes' },
    'KVR008',
    /input 'fail-on' must be failed, blocked, never or empty \(failed\), not "sometimes"/,
  ],
  // State branch names git would refuse or read otherwise.
  [
    'state-branch HEAD',
    { 'state-branch': 'HEAD' },
    'KVR011',
    /"HEAD" is not allowed as the state branch: HEAD is the checked-out commit/,
  ],
  [
    'state-branch -x',
    { 'state-branch': '-x' },
    'KVR011',
    /"-x" is not allowed as the state branch: a name starting with a dash/,
  ],
  [
    'state-branch refs/heads/main',
    { 'state-branch': 'refs/heads/main' },
    'KVR011',
    /"refs\/heads\/main" is not allowed as the state branch: give the branch name alone/,
  ],
  [
    'state-branch main~1',
    { 'state-branch': 'main~1' },
    'KVR011',
    /"main~1" is not allowed as the state branch: git refuses spaces, control characters and ~/,
  ],
  [
    'a state-branch with a space',
    { 'state-branch': 'kv state' },
    'KVR011',
    /"kv state" is not allowed as the state branch: git refuses spaces/,
  ],
  [
    'a state-branch with ..',
    { 'state-branch': 'kv..state' },
    'KVR011',
    /"kv\.\.state" is not allowed as the state branch: git refuses '\.\.'/,
  ],
];

test.each(ACTION_INPUTS)(
  'Action: %s is refused with its code, naming the input',
  async (_what, inputs, code, message) => {
    const refused = readWith(INPUTS, inputs);
    await expect(refused).rejects.toMatchObject({ code, message: expect.stringMatching(new RegExp(`^${code}: `)) });
    await expect(refused).rejects.toThrow(message);
  },
);

test("the task's messages name its own inputs", async () => {
  await expect(readWith(TASK_INPUTS, { failOn: 'sometimes' })).rejects.toThrow(
    "KVR008: input 'failOn' must be failed, blocked, never",
  );
  await expect(readWith(TASK_INPUTS, { stateBranch: 'HEAD' })).rejects.toThrow(
    'KVR011: input \'stateBranch\': "HEAD" is not allowed',
  );
});

test('inputs that are all well formed are read, not refused', async () => {
  const request = await readWith(INPUTS, {
    ...PAIR,
    mode: 'plan',
    'state-branch': 'kv-state',
    'max-concurrency': '4',
    'fail-on': 'blocked',
  });
  expect(request).toMatchObject({ mode: 'plan', stateBranch: 'kv-state', maxConcurrency: 4, failOn: 'blocked' });
});

test("budget share: the Action's budget-share and the task's budgetShare are read, and refused out of range by name", async () => {
  expect(await readWith(INPUTS, { ...PAIR, 'budget-share': '0.3' })).toMatchObject({ budgetShare: 0.3 });
  expect(await readWith(TASK_INPUTS, { budgetShare: '0.95' })).toMatchObject({ budgetShare: 0.95 });
  expect((await readWith(INPUTS, PAIR)).budgetShare).toBeUndefined();
  await expect(readWith(TASK_INPUTS, { budgetShare: '1.5' })).rejects.toThrow(
    "KVR008: input 'budgetShare' must be a number more than 0 and at most 0.95",
  );
});
