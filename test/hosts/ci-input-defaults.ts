import { CI_INPUT_DEFAULTS, RUN_OPTIONS } from '../../src/hosts/shared/run-options.ts';

/** What action.yml and task.json must show as the default of each input they share (undefined: none). */
export const ciInputDefaults = () => ({
  ...Object.fromEntries(Object.entries(RUN_OPTIONS).map(([key, o]): [string, string | undefined] => [key, o.default])),
  ...CI_INPUT_DEFAULTS,
});
