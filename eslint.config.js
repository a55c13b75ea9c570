import tseslint from 'typescript-eslint';

// ---- Layer boundaries -------------------------------------------------------------------------------------------
// Arrows point inwards: hosts → adapters (azure, state) → engine. Each folder below gets ONE complete list of the
// imports it must not make. Flat config does not add up `no-restricted-imports` options: for a file, the last matching
// block's options replace the earlier ones. So every list is composed here from the named groups, and a block that
// narrows a folder further (a single file, say) must spread that folder's list too: `[...LAYERS['src/engine'], …]`.
// test/lint/boundaries.test.ts proves every arrow with a probe file.

const forbid = (group, message, extra = {}) => ({ group, message, ...extra });
const ACTIONS = ['@actions/*'];
const TASK_LIB = ['azure-pipelines-task-lib', 'azure-pipelines-task-lib/*'];
const ci = (who) => forbid([...ACTIONS, ...TASK_LIB], `${who} must not depend on a CI library; only a host does.`);

/** Product code never reaches into the emulator or the tests. */
const NO_TEST_CODE = forbid(['**/test/**', '**/emulator/**'], 'product code never imports the emulator or tests');
const hostFolders = (...hosts) => hosts.map((h) => `**/${h}/**`);
/** Each host is its own: it never imports another host's folder (shared code goes to src/hosts/shared). */
const otherHosts = (...hosts) =>
  forbid(hostFolders(...hosts), `a host never imports another host; move shared code to src/hosts/shared.`);

const LAYERS = {
  'src/engine': [
    NO_TEST_CODE,
    forbid(
      ['@azure/*', ...ACTIONS, ...TASK_LIB],
      'src/engine must not depend on Azure or CI libraries; add a port instead.',
    ),
    forbid(
      ['node:fs', 'node:fs/*', 'fs', 'node:child_process', 'node:net', 'node:http', 'node:https'],
      'src/engine does no I/O; add a port instead.',
    ),
    forbid(
      ['**/azure/*', '**/state/*', '**/hosts/**'],
      'arrows point inwards: adapters and hosts depend on the engine, never the reverse.',
    ),
  ],
  'src/azure': [
    NO_TEST_CODE,
    ci('src/azure'),
    forbid(
      ['**/hosts/**', '**/state/*'],
      'src/azure is an adapter: it depends on the engine only, never on hosts or the state stores.',
    ),
  ],
  'src/state': [
    NO_TEST_CODE,
    ci('src/state'),
    forbid(
      ['**/azure/*', '**/hosts/**'],
      'src/state is an adapter: it depends on the engine only, never on hosts or the Azure adapter.',
    ),
  ],
  'src/hosts/github': [
    NO_TEST_CODE,
    otherHosts('ado', 'cli'),
    forbid(TASK_LIB, 'the GitHub Action never uses the Azure DevOps task library.'),
  ],
  'src/hosts/ado': [
    NO_TEST_CODE,
    otherHosts('github', 'cli'),
    forbid(ACTIONS, 'the Azure DevOps task never uses the GitHub Actions libraries.'),
  ],
  'src/hosts/cli': [NO_TEST_CODE, otherHosts('github', 'ado'), ci('the CLI')],
  'src/hosts/shared': [NO_TEST_CODE, otherHosts('github', 'ado', 'cli'), ci('src/hosts/shared (common to all hosts)')],
};

/**
 * Every line a host writes passes one log-safe chokepoint (vault, event and config text must never start a runner
 * command): the Action writes through log-safe-core, the task through log-safe-task, the CLI through its say().
 */
const CHOKEPOINTS = {
  'src/hosts/github': {
    file: 'src/hosts/github/log-safe-core.ts',
    pattern: forbid(['@actions/core'], "import the log-safe core from './log-safe-core.ts' instead"),
  },
  'src/hosts/ado': {
    file: 'src/hosts/ado/log-safe-task.ts',
    pattern: forbid(TASK_LIB, "import the log-safe task-lib from './log-safe-task.ts' instead", {
      allowTypeImports: true,
    }),
  },
};

const restrictImports = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

/** One block per layer folder; a host with a chokepoint gets a second block for its chokepoint file alone. */
function boundaryBlocks() {
  return Object.entries(LAYERS).flatMap(([folder, patterns]) => {
    const choke = CHOKEPOINTS[folder];
    const files = [`${folder}/**/*.ts`];
    if (!choke) return [{ files, rules: restrictImports(patterns) }];
    return [
      { files, ignores: [choke.file], rules: restrictImports([...patterns, choke.pattern]) },
      { files: [choke.file], rules: restrictImports(patterns) },
    ];
  });
}

const ENGINE_SYNTAX = [
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'use the Clock port' },
];
/** decide answers from the facts it is given: no await, no async function, no `for await`. */
const DECIDE_SYNTAX = [
  {
    selector: 'AwaitExpression',
    message: 'decide is synchronous: answer with the facts needed instead of reading them.',
  },
  {
    selector: ':function[async=true]',
    message: 'decide is synchronous: answer with the facts needed instead of reading them.',
  },
  { selector: 'ForOfStatement[await=true]', message: 'decide is synchronous.' },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'lib/',
      'dist/',
      'coverage/',
      'test/.certs/',
      'ado-task/**/dist/',
      'emulator/test/reference/',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Prettier lays code out at 120 columns but never breaks a comment: this keeps comments there too. Messages
      // stay whole on one line, so that a user's grep for an error text finds its source.
      'max-len': [
        'error',
        { code: 120, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreUrls: true, ignoreRegExpLiterals: true },
      ],
    },
  },
  // Any product file outside the layer folders (a new top-level folder under src) still never imports test code.
  { files: ['src/**/*.ts'], rules: restrictImports([NO_TEST_CODE]) },
  ...boundaryBlocks(),
  {
    // Hosts write through their chokepoint (see CHOKEPOINTS), never the console.
    files: ['src/hosts/**/*.ts'],
    ignores: ['src/hosts/github/log-safe-core.ts', 'src/hosts/ado/log-safe-task.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // The emulator is a package of its own, standing in for Azure: it knows nothing of the product it is tested with.
    files: ['emulator/**/*.ts', 'emulator/**/*.mjs'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/src/**'], message: 'the emulator never imports the product' }] },
      ],
    },
  },
  {
    // Every time the emulator stamps reads its clock, so that tests move time instead of sleeping.
    files: ['emulator/**/*.ts'],
    ignores: ['emulator/clock.ts', 'emulator/test/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'Date', property: 'now', message: "read the emulator's clock" }],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "read the emulator's clock" },
      ],
    },
  },
  {
    // The engine is pure: it never reaches outwards to Azure, CI libraries, the file system, the process or the clock.
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'the engine takes settings as arguments; the host reads the environment' },
        { name: 'setTimeout', message: 'use the Clock port' },
        { name: 'setInterval', message: 'use the Clock port' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'the engine takes randomness as an argument' },
        { object: 'Date', property: 'now', message: 'use the Clock port' },
        { object: 'crypto', property: 'randomUUID', message: 'the engine takes ids as arguments' },
      ],
      'no-restricted-syntax': ['error', ...ENGINE_SYNTAX],
    },
  },
  {
    // decide is pure: it answers from the facts it is given and asks for more, it never reads them itself.
    files: ['src/engine/decide.ts', 'src/engine/facts.ts', 'src/engine/target-proof.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...LAYERS['src/engine'],
            {
              group: [
                '**/ports.ts',
                '**/listings.ts',
                '**/plan.ts',
                '**/apply.ts',
                '**/source-values.ts',
                '**/masking-vault-port.ts',
                '**/run.ts',
              ],
              message: 'decide reads nothing: the gatherer (plan.ts) reads the facts decide asks for.',
            },
            {
              group: ['p-limit', 'node:*'],
              message: 'decide is pure and synchronous: no concurrency, no Node modules.',
            },
          ],
        },
      ],
      'no-restricted-syntax': ['error', ...ENGINE_SYNTAX, ...DECIDE_SYNTAX],
    },
  },
  {
    // A decision asks for a fact by throwing FactsNeeded, which orFactsNeeded (facts.ts) alone catches: a `try` in a
    // decision's code would swallow that request and decide on facts it does not have.
    files: ['src/engine/decide.ts', 'src/engine/target-proof.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        ...ENGINE_SYNTAX,
        ...DECIDE_SYNTAX,
        { selector: 'TryStatement', message: 'a catch here would swallow a request for facts; see orFactsNeeded.' },
      ],
    },
  },
);
