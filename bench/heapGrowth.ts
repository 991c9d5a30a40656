/** Heap growth across a run of calls, measured between two full garbage collections. */
export interface HeapGrowth {
  readonly calls: number;
  /** `heapUsed` after minus before, in bytes (negative when the heap shrank). */
  readonly bytes: number;
}

/**
 * Runs `calls` calls and reports how much the heap grew, or `undefined` when `gc()` is not exposed (run
 * node with `--expose-gc`). A warm-up run first lets lazily allocated state (JIT code, caches) settle.
 */
export async function heapGrowth(
  run: (n: number) => void | Promise<void>,
  calls: number,
): Promise<HeapGrowth | undefined> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return undefined;
  await run(Math.min(calls, 100_000));
  const settle = () => {
    gc();
    gc();
  };
  settle();
  const before = process.memoryUsage().heapUsed;
  await run(calls);
  settle();
  return { calls, bytes: process.memoryUsage().heapUsed - before };
}
