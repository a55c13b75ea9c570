/**
 * Maps `items` through `work` with at most `workers` calls under way, and returns the results in the order given.
 * The workers take the items in turn: only the calls under way exist at any moment, never one pending task per item
 * (50,000 of them would hold tens of megabytes for the whole run). A call that throws stops the others taking more
 * items, and the first error is thrown once the calls under way have ended.
 */
export async function mapWithWorkers<T, R>(
  items: readonly T[],
  workers: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    for (let i = next++; i < items.length && !failed; i = next++) {
      try {
        out[i] = await work(items[i]!);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  // A count that is no whole number (NaN from a caller) would make no worker and do nothing: one, then.
  const count = Number.isSafeInteger(workers) && workers >= 1 ? Math.min(workers, Math.max(1, items.length)) : 1;
  const ended = await Promise.allSettled(Array.from({ length: count }, worker));
  const rejected = ended.find((e): e is PromiseRejectedResult => e.status === 'rejected');
  if (rejected) throw rejected.reason;
  return out;
}
