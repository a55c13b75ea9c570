import tseslint from 'typescript-eslint';

/** The engine's import arrows (below), shared by the stricter block of the decide step. */
const ENGINE_IMPORTS = [
  { group: ['@azure/*', '@actions/*', 'azure-pipelines-task-lib', 'azure-pipelines-task-lib/*'], message: 'src/engine must not depend on Azure or CI libraries; add a port instead.' },
  { group: ['node:fs', 'node:fs/*', 'fs', 'node:child_process', 'node:net', 'node:http', 'node:https'], message: 'src/engine does no I/O; add a port instead.' },
  { group: ['**/azure/*', '**/state/*', '**/hosts/**', '**/test/**', '**/emulator/**'], message: 'arrows point inwards: adapters and hosts depend on the engine, never the reverse.' },
];
const ENGINE_SYNTAX = [{ selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'use the Clock port' }];

export default tseslint.config(
  { ignores: ['node_modules/', 'lib/', 'dist/', 'coverage/', 'test/.certs/', 'ado-task/**/dist/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/test/**', '**/emulator/**'], message: 'product code never imports the emulator or tests' }] }],
    },
  },
  {
    // Every line a host writes passes one log-safe chokepoint (vault, event and config text must never start a runner
    // command): the Action writes through log-safe-core, the task through log-safe-task, the CLI through its say().
    files: ['src/hosts/**/*.ts'],
    ignores: ['src/hosts/github/log-safe-core.ts', 'src/hosts/ado/log-safe-task.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/test/**', '**/emulator/**'], message: 'product code never imports the emulator or tests' },
          { group: ['@actions/core'], message: "import the log-safe core from './log-safe-core.ts' instead" },
          { group: ['azure-pipelines-task-lib', 'azure-pipelines-task-lib/*'], allowTypeImports: true, message: "import the log-safe task-lib from './log-safe-task.ts' instead" },
        ],
      }],
    },
  },
  {
    // The engine is pure: it never reaches outwards to Azure, CI libraries, the file system or the clock.
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ENGINE_IMPORTS }],
      'no-restricted-globals': ['error', { name: 'setTimeout', message: 'use the Clock port' }, { name: 'setInterval', message: 'use the Clock port' }],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'the engine takes randomness as an argument' },
        { object: 'Date', property: 'now', message: 'use the Clock port' },
        { object: 'crypto', property: 'randomUUID', message: 'the engine takes ids as arguments' }],
      'no-restricted-syntax': ['error', ...ENGINE_SYNTAX],
    },
  },
  {
    // decide is pure: it answers from the facts it is given and asks for more, it never reads them itself.
    files: ['src/engine/decide.ts', 'src/engine/facts.ts', 'src/engine/target-proof.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          ...ENGINE_IMPORTS,
          {
            group: ['**/ports.ts', '**/listings.ts', '**/plan.ts', '**/apply.ts', '**/source-values.ts', '**/masking-vault-port.ts', '**/run.ts'],
            message: 'decide reads nothing: the gatherer (plan.ts) reads the facts decide asks for.',
          },
          { group: ['p-limit', 'node:*'], message: 'decide is pure and synchronous: no concurrency, no Node modules.' },
        ],
      }],
      'no-restricted-syntax': ['error', ...ENGINE_SYNTAX,
        { selector: 'AwaitExpression', message: 'decide is synchronous: answer with the facts needed instead of reading them.' },
        { selector: ':function[async=true]', message: 'decide is synchronous: answer with the facts needed instead of reading them.' },
        { selector: 'ForOfStatement[await=true]', message: 'decide is synchronous.' }],
    },
  },
);
