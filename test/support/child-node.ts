import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Environment for the bundles the tests start as the runner or agent does (dozens per session): Node keeps their
 * compiled code in one cache, so the Action's 5 MB bundle is not compiled afresh by every run (~0.07 s of CPU each).
 * The cache is keyed by each file's content: a rebuilt bundle is compiled anew, never run from a stale copy.
 */
export const CHILD_NODE_ENV = { NODE_COMPILE_CACHE: join(tmpdir(), 'kvr-node-compile-cache') };
