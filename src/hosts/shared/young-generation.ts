import { setFlagsFromString } from 'node:v8';

/**
 * V8 doubles a process's young generation (new space) each time as many bytes have survived its scavenges as it
 * holds, up to a maximum set by the machine's memory: on the bench's 24 GB machine, 128 MB of the CLI's 290 MB peak at
 * 10,000 secrets, while its live heap stayed near 40 MB (bench --scale, heap statistics at the peak). A run keeps what
 * it lists for its whole length, so the young generation always reaches that maximum. Held at the size it has when the
 * run starts (32 MB once the modules are loaded, Node 24), scavenges run about twice as often for the same CPU time,
 * and the peak is about 100 MB lower. The flag is set at run time because the Action's and the task's runners start
 * `node` with no flags of ours; V8 reads it at each resize.
 */
export const YOUNG_GENERATION_FLAG = '--semi-space-growth-factor=1';

/** Stops the young generation growing for the rest of the process. */
export function holdYoungGeneration(setFlags: (flags: string) => void = setFlagsFromString): void {
  setFlags(YOUNG_GENERATION_FLAG);
}
