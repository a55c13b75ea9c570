import { camelCase, CI_INPUTS, namesOf, RUN_OUTPUTS } from '../shared/run-options.ts';

/**
 * Every input of task.json: those the Action has too, in camelCase, and the service connection (a test checks them).
 */
export const INPUTS = namesOf([...CI_INPUTS, 'azureSubscription'], camelCase, { config: 'configFile' });

/** Every output variable of task.json. */
export const OUTPUTS = namesOf(RUN_OUTPUTS, camelCase);
