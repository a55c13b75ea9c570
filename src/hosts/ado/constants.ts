import { camelCase, CI_INPUTS, namesOf, RUN_OUTPUTS } from '../shared/run-options.ts';
import { STATUS_OUTPUTS } from '../shared/status-outputs.ts';

/**
 * Every input of task.json: those the Action has too, in camelCase, the service connection, and whether a pull request
 * build posts its preview as a thread (a test checks them).
 */
export const INPUTS = namesOf([...CI_INPUTS, 'azureSubscription', 'commentOnPr'], camelCase, { config: 'configFile' });

/** Every output variable of task.json: those the Action has too, in camelCase (`inSync`, `heldBack`, `changed`). */
export const OUTPUTS = { ...namesOf(RUN_OUTPUTS, camelCase), ...namesOf(STATUS_OUTPUTS, camelCase) };

/** The inputs task.json marks required; a missing one is KVR008 before anything runs. */
export const REQUIRED_INPUTS = [INPUTS.azureSubscription];
