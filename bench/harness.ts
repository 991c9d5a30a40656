/** One benchmark case: `run(n)` makes `n` calls (or emits `n` values), one after the other. */
export interface BenchCase {
  readonly id: string;
  readonly label: string;
  run(n: number): void | Promise<void>;
  /** Calls per batch, when fixed (otherwise calibrated to take `batchMs`). */
  readonly batch?: number;
}

export interface HarnessOptions {
  /** Measured rounds; each runs every case once. */
  readonly rounds: number;
  /** Rounds run first and thrown away (JIT warm-up, calibration). */
  readonly warmupRounds: number;
  /** How long one batch of calls should take, in milliseconds. */
  readonly batchMs: number;
  /** Rounds per block: a full garbage collection runs between blocks (when `gc()` is exposed). Default: all. */
  readonly roundsPerBlock?: number;
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
  /** Nanoseconds per call in each measured round, in round order (round i of every case ran side by side). */
  readonly samples: readonly number[];
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Measures cases interleaved round by round: each round runs every case once, in an order rotated by one
 * each round so no case always runs first (after another case's garbage, say). Rounds run in blocks, with a
 * full GC between blocks. Times are wall-clock (`process.hrtime`): on these machines it varied less round to
 * round than per-call CPU time. Reports medians, and every round's figure so that callers can pair cases
 * round by round (a busy moment slows every case of a round alike).
 */
export async function measureInterleaved(
  cases: readonly BenchCase[],
  options: HarnessOptions,
): Promise<Measurement[]> {
  const batches = new Map<string, number>();
  for (const benchCase of cases)
    batches.set(benchCase.id, benchCase.batch ?? (await calibrate(benchCase, options.batchMs)));
  const samples = new Map<string, number[]>(cases.map((c) => [c.id, []]));
  const total = options.warmupRounds + options.rounds;
  const perBlock = options.roundsPerBlock ?? total;
  for (let round = 0; round < total; round++) {
    options.onRound?.(round + 1, total);
    if (round >= options.warmupRounds && (round - options.warmupRounds) % perBlock === 0) gc?.();
    for (let i = 0; i < cases.length; i++) {
      const benchCase = cases[(i + round) % cases.length];
      const n = batches.get(benchCase.id)!;
      const ns = await timeBatch(benchCase, n);
      if (round >= options.warmupRounds) samples.get(benchCase.id)!.push(ns / n);
    }
  }
  return cases.map((c) => {
    const own = samples.get(c.id)!;
    const { median, low, high } = quartiles(own);
    return {
      id: c.id,
      label: c.label,
      nsPerCall: median,
      spread: (high - low) / median,
      batch: batches.get(c.id)!,
      samples: own,
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

/** A figure and the range it moved in: the median and the first and third quartiles. */
export interface Quartiles {
  readonly median: number;
  readonly low: number;
  readonly high: number;
}

/** The median and quartiles of `values` (NaN when empty). */
export function quartiles(values: readonly number[]): Quartiles {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    low: quantile(sorted, 0.25),
    high: quantile(sorted, 0.75),
  };
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
