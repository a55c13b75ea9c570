import { resolve } from 'node:path';
import { ESLint } from 'eslint';

// Every layer arrow of eslint.config.js, proven with a one-line probe file linted in place: a forbidden import must be
// reported under its rule, an allowed one must pass. One ESLint instance for all rows keeps this fast.
const eslint = new ESLint({ cwd: resolve(import.meta.dirname, '../..') });

async function ruleIds(filePath: string, code: string): Promise<(string | null)[]> {
  const [result] = await eslint.lintText(`${code}\n`, { filePath });
  return result!.messages.map((m) => m.ruleId);
}

const IMPORTS = 'no-restricted-imports';

/** [probe file, one line of code, the rule that must report it]. */
const FORBIDDEN: [string, string, string][] = [
  // The engine: nothing outward, no process, no timers, no clock.
  ['src/engine/_probe.ts', "import '@azure/identity';", IMPORTS],
  ['src/engine/_probe.ts', "import '@actions/core';", IMPORTS],
  ['src/engine/_probe.ts', "import 'azure-pipelines-task-lib/task.js';", IMPORTS],
  ['src/engine/_probe.ts', "import 'node:fs/promises';", IMPORTS],
  ['src/engine/_probe.ts', "import '../azure/key-vault-port.ts';", IMPORTS],
  ['src/engine/_probe.ts', "import '../state/file-state-store.ts';", IMPORTS],
  ['src/engine/_probe.ts', "import '../hosts/shared/read-config.ts';", IMPORTS],
  ['src/engine/config/_probe.ts', "import '../../azure/key-vault-port.ts';", IMPORTS],
  ['src/engine/_probe.ts', 'export const debug = process.env.KVR_DEBUG;', 'no-restricted-globals'],
  ['src/engine/_probe.ts', 'setTimeout(() => undefined, 1);', 'no-restricted-globals'],
  ['src/engine/_probe.ts', 'export const now = Date.now();', 'no-restricted-properties'],
  // The decide step reads nothing and catches nothing (a catch would swallow its requests for facts).
  ['src/engine/decide.ts', "import './plan.ts';", IMPORTS],
  ['src/engine/decide.ts', 'export const f = async () => 1;', 'no-restricted-syntax'],
  ['src/engine/target-proof.ts', 'try { JSON.parse("1"); } catch { /* */ }', 'no-restricted-syntax'],
  // Product code never reaches the emulator or the tests, from any folder.
  ['src/engine/_probe.ts', "import '../../test/fakes/fake-clock.ts';", IMPORTS],
  ['src/azure/_probe.ts', "import '../../test/emulator/server.ts';", IMPORTS],
  ['src/state/_probe.ts', "import '../../emulator/server.ts';", IMPORTS],
  ['src/hosts/cli/_probe.ts', "import '../../../test/support/world.ts';", IMPORTS],
  ['src/_probe.ts', "import '../test/fakes/fake-clock.ts';", IMPORTS],
  // The Azure adapter: the engine only.
  ['src/azure/_probe.ts', "import '../hosts/github/constants.ts';", IMPORTS],
  ['src/azure/_probe.ts', "import '../state/git-state-store.ts';", IMPORTS],
  ['src/azure/_probe.ts', "import '@actions/core';", IMPORTS],
  ['src/azure/_probe.ts', "import 'azure-pipelines-task-lib';", IMPORTS],
  // The state stores: the engine only.
  ['src/state/_probe.ts', "import '../azure/key-vault-port.ts';", IMPORTS],
  ['src/state/_probe.ts', "import '../hosts/cli/main.ts';", IMPORTS],
  ['src/state/_probe.ts', "import '@actions/github';", IMPORTS],
  // The Action: not the task's library, not the other hosts; @actions/core only through its log-safe chokepoint.
  ['src/hosts/github/_probe.ts', "import 'azure-pipelines-task-lib/task.js';", IMPORTS],
  [
    'src/hosts/github/_probe.ts',
    "import type { TaskResult } from 'azure-pipelines-task-lib/task.js'; export type R = TaskResult;",
    IMPORTS,
  ],
  ['src/hosts/github/_probe.ts', "import '../ado/main.ts';", IMPORTS],
  ['src/hosts/github/_probe.ts', "import '../cli/args.ts';", IMPORTS],
  ['src/hosts/github/_probe.ts', "import '@actions/core';", IMPORTS],
  ['src/hosts/github/log-safe-core.ts', "import 'azure-pipelines-task-lib';", IMPORTS],
  ['src/hosts/github/_probe.ts', "console.log('x');", 'no-console'],
  // The task: not the Actions libraries, not the other hosts; task-lib only through its log-safe chokepoint.
  ['src/hosts/ado/_probe.ts', "import '@actions/core';", IMPORTS],
  ['src/hosts/ado/_probe.ts', "import '@actions/github';", IMPORTS],
  ['src/hosts/ado/_probe.ts', "import '../github/constants.ts';", IMPORTS],
  ['src/hosts/ado/_probe.ts', "import '../cli/args.ts';", IMPORTS],
  ['src/hosts/ado/_probe.ts', "import * as task from 'azure-pipelines-task-lib/task.js'; task.debug('x');", IMPORTS],
  ['src/hosts/ado/log-safe-task.ts', "import '@actions/core';", IMPORTS],
  // The CLI: no CI library, no other host.
  ['src/hosts/cli/_probe.ts', "import '@actions/core';", IMPORTS],
  ['src/hosts/cli/_probe.ts', "import '@actions/github';", IMPORTS],
  ['src/hosts/cli/_probe.ts', "import 'azure-pipelines-task-lib/task.js';", IMPORTS],
  ['src/hosts/cli/_probe.ts', "import '../github/constants.ts';", IMPORTS],
  ['src/hosts/cli/_probe.ts', "import '../ado/main.ts';", IMPORTS],
  ['src/hosts/cli/_probe.ts', "console.log('x');", 'no-console'],
  // What all hosts share: no CI library, no host.
  ['src/hosts/shared/_probe.ts', "import '@actions/core';", IMPORTS],
  ['src/hosts/shared/_probe.ts', "import 'azure-pipelines-task-lib';", IMPORTS],
  ['src/hosts/shared/_probe.ts', "import '../github/constants.ts';", IMPORTS],
  ['src/hosts/shared/_probe.ts', "import '../ado/main.ts';", IMPORTS],
  ['src/hosts/shared/_probe.ts', "import '../cli/args.ts';", IMPORTS],
];

/** [probe file, one line of code]: arrows that point inwards, and each chokepoint's own library. */
const ALLOWED: [string, string][] = [
  ['src/engine/_probe.ts', "import './model.ts';"],
  ['src/engine/_probe.ts', "import 'yaml';"],
  ['src/engine/facts.ts', 'try { JSON.parse("1"); } catch { /* */ }'],
  ['src/azure/_probe.ts', "import '../engine/ports.ts';"],
  ['src/azure/_probe.ts', "import '@azure/identity';"],
  ['src/state/_probe.ts', "import '../engine/state.ts';"],
  ['src/state/_probe.ts', "import 'node:child_process';"],
  ['src/hosts/github/_probe.ts', "import '@actions/github';"],
  ['src/hosts/github/_probe.ts', "import '../shared/read-config.ts';"],
  ['src/hosts/github/_probe.ts', "import '../../azure/arm-vault-directory.ts';"],
  ['src/hosts/github/_probe.ts', "import '../../state/git-state-store.ts';"],
  ['src/hosts/github/log-safe-core.ts', "import '@actions/core';"],
  [
    'src/hosts/ado/_probe.ts',
    "import type { TaskResult } from 'azure-pipelines-task-lib/task.js'; export type R = TaskResult;",
  ],
  ['src/hosts/ado/_probe.ts', "import '../shared/read-config.ts';"],
  ['src/hosts/ado/log-safe-task.ts', "import 'azure-pipelines-task-lib/task.js';"],
  ['src/hosts/cli/_probe.ts', "import '../../state/file-state-store.ts';"],
  ['src/hosts/cli/_probe.ts', "import '@azure/identity';"],
  ['src/hosts/shared/_probe.ts', "import '../../engine/config/parse-config.ts';"],
];

test.each(FORBIDDEN)('%s: `%s` is reported by %s', async (filePath, code, rule) => {
  expect(await ruleIds(filePath, code)).toEqual([rule]);
});

test.each(ALLOWED)('%s: `%s` passes', async (filePath, code) => {
  expect(await ruleIds(filePath, code)).toEqual([]);
});
