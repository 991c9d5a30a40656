/** One benchmark case: `run(n)` makes `n` calls, one after the other. */
export interface BenchCase {
  readonly id: string;
  readonly label: string;
  run(n: number): void | Promise<void>;
}

export interface HarnessOptions {
  /** Measured rounds; each runs every case once. */
  readonly rounds: number;
  /** Rounds run first and thrown away (JIT warm-up, calibration). */
  readonly warmupRounds: number;
  /** How long one batch of calls should take, in milliseconds. */
  readonly batchMs: number;
  /** Told about progress (one call per round). */
  readonly onRound?: (round: number, of: number) => void;
}

/** A case's figures over all measured rounds. */
export interface Measurement {
  readonly id: string;
  readonly label: string;
  /** Median nanoseconds per call. */
  readonly nsPerCall: number;
  /** Interquartile range over the rounds, as a fraction of the median: how steady the figure is. */
  readonly spread: number;
  /** Calls per batch. */
  readonly batch: number;
}

/**
 * Measures cases interleaved round by round: each round runs every case once, in an order rotated by one
 * each round so no case always runs first (after another case's garbage, say). Reports medians.
 */
export async function measureInterleaved(
  cases: readonly BenchCase[],
  options: HarnessOptions,
): Promise<Measurement[]> {
  const batches = new Map<string, number>();
  for (const benchCase of cases)
    batches.set(benchCase.id, await calibrate(benchCase, options.batchMs));
  const samples = new Map<string, number[]>(cases.map((c) => [c.id, []]));
  const total = options.warmupRounds + options.rounds;
  for (let round = 0; round < total; round++) {
    options.onRound?.(round + 1, total);
    for (let i = 0; i < cases.length; i++) {
      const benchCase = cases[(i + round) % cases.length];
      const n = batches.get(benchCase.id)!;
      const ns = await timeBatch(benchCase, n);
      if (round >= options.warmupRounds) samples.get(benchCase.id)!.push(ns / n);
    }
  }
  return cases.map((c) => {
    const sorted = [...samples.get(c.id)!].sort((a, b) => a - b);
    const median = quantile(sorted, 0.5);
    return {
      id: c.id,
      label: c.label,
      nsPerCall: median,
      spread: (quantile(sorted, 0.75) - quantile(sorted, 0.25)) / median,
      batch: batches.get(c.id)!,
    };
  });
}

/** Finds a batch size whose run takes at least `batchMs` (this also warms the case up). */
async function calibrate(benchCase: BenchCase, batchMs: number): Promise<number> {
  let n = 256;
  for (;;) {
    const ms = (await timeBatch(benchCase, n)) / 1e6;
    if (ms >= batchMs || n >= 1 << 24) return n;
    n = ms < batchMs / 8 ? n * 8 : Math.ceil((n * batchMs) / ms);
  }
}

async function timeBatch(benchCase: BenchCase, n: number): Promise<number> {
  const start = process.hrtime.bigint();
  await benchCase.run(n);
  return Number(process.hrtime.bigint() - start);
}

/** Linear interpolation between the closest ranks. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below];
  return low + (sorted[above] - low) * (position - below);
}
