import { cpus, loadavg } from 'node:os';
import type { CaseSpec, Family } from './cases.js';
import { ids, layers } from './cases.js';
import { quartiles } from './harness.js';
import type { Measurement, Quartiles } from './harness.js';
import type { HeapGrowth } from './heapGrowth.js';
import type { MemoryFigures } from './memory.js';

/** One case's result, with its added cost over its baseline, paired block by block. */
export interface CaseFigure {
  readonly id: string;
  readonly family: Family;
  readonly label: string;
  /** Median over the blocks of each block's median ns per call (per value in the `values` family). */
  readonly nsPerCall: number;
  /** Interquartile range of the block medians / their median. */
  readonly spread: number;
  readonly baseline?: string;
  /** This case − its baseline, block by block: median and quartiles, in ns. */
  readonly addedNs?: Quartiles;
  /** The added cost as a multiple of one `tap()` layer's, block by block (same family). */
  readonly perTap?: Quartiles;
  readonly informational: boolean;
}

/** What a target's verdict can be: the quartiles must all lie on one side of the limit to decide. */
export type Verdict =
  'met' | 'not met' | 'spread too wide to say' | 'too few blocks to say' | 'not measured';

/** A target from issue 14, this run's figure and the verdict it supports. */
export interface Target {
  readonly description: string;
  /** The measured value in the target's unit: median and the range it moved in (quartiles or repeats). */
  readonly value: Quartiles | null;
  /** The value must be at most this. */
  readonly limit: number;
  readonly unit: 'x' | 'bytes' | 'ns';
  readonly verdict: Verdict;
  /**
   * The same figure for what bounds the target from below, measured in the same run: the breaker without its
   * clock read, or the least layer that could do the job. Where it is at or above the limit, no breaker can meet
   * the target as set.
   */
  readonly reference?: { readonly description: string; readonly value: Quartiles | null };
}

export interface Machine {
  readonly node: string;
  readonly platform: string;
  readonly cpuCount: number;
  readonly cpuModel: string;
  /** The 1-minute load average when the bench started and when it finished. */
  readonly loadAverage: { readonly start: number; readonly end: number };
}

/** Our added cost divided by a peer's, block by block (below 1: we add less). */
export interface PeerComparison {
  readonly peer: string;
  readonly ratio: Quartiles;
  readonly verdict:
    'we add less' | 'we add more' | 'spread too wide to compare' | 'too few blocks to compare';
}

/** Everything `npm run bench` reports; `--json` prints exactly this. */
export interface Figures {
  readonly date: string;
  readonly machine: Machine;
  readonly settings: {
    readonly rounds: number;
    readonly roundsPerBlock: number;
    readonly warmupRounds: number;
    readonly batchMs: number;
  };
  readonly cases: readonly CaseFigure[];
  /** Closed state, promise work. */
  readonly peers: readonly PeerComparison[];
  /** Per value, a source emitting many values: breaker − bare layer, ns per value, block by block. */
  readonly perValueOverBareLayerNs: Quartiles;
  readonly heap: { readonly promiseWork: HeapGrowth | null; readonly syncWork: HeapGrowth | null };
  readonly memory: MemoryFigures | null;
  readonly targets: readonly Target[];
  /** Sections contributed by the Redis and OpenTelemetry benchmarks, or why they were skipped. */
  readonly sections: Readonly<Record<string, unknown>>;
}

/** Blocks needed before a time figure's quartiles support a verdict. */
const minimumBlocks = 4;
const missing: Quartiles = { median: Number.NaN, low: Number.NaN, high: Number.NaN };

/** Derives added costs, ratios and target verdicts from the raw measurements. */
export function computeFigures(input: {
  readonly specs: readonly CaseSpec[];
  readonly measurements: readonly Measurement[];
  readonly heap: Figures['heap'];
  readonly memory: MemoryFigures | undefined;
  readonly settings: Figures['settings'];
  readonly loadAtStart: number;
  readonly sections: Figures['sections'];
}): Figures {
  // Each case's figure per block: the median of its rounds in that block. Block medians shrug off the odd
  // round a busy machine preempted; pairing cases block by block cancels what slowed a whole block.
  const samples = (id: string) =>
    blockMedians(
      input.measurements.find((m) => m.id === id)?.samples ?? [],
      input.settings.roundsPerBlock,
    );
  const specOf = (id: string) => input.specs.find((spec) => spec.id === id);
  /** Block by block, this case's cost over its baseline. */
  const added = (id: string) => {
    const baseline = specOf(id)?.baseline;
    if (baseline === undefined) return [];
    const base = samples(baseline);
    return samples(id).map((ns, block) => ns - (base[block] ?? Number.NaN));
  };
  const pairwise = (
    top: readonly number[],
    bottom: readonly number[],
    combine: (a: number, b: number) => number,
  ) => quartiles(top.map((a, block) => combine(a, bottom[block] ?? Number.NaN)));
  const ratio = (a: number, b: number) => a / b;

  const cases = input.specs.map((spec): CaseFigure => {
    const blocks = quartiles(samples(spec.id));
    const own = added(spec.id);
    return {
      id: spec.id,
      family: spec.family,
      label: spec.label,
      nsPerCall: blocks.median,
      spread: (blocks.high - blocks.low) / blocks.median,
      baseline: spec.baseline,
      addedNs: spec.baseline === undefined ? undefined : quartiles(own),
      perTap:
        spec.baseline === undefined
          ? undefined
          : pairwise(own, added(layers[spec.family].tap), ratio),
      informational: spec.informational ?? false,
    };
  });

  // Below this many blocks the quartiles of the blocks say nothing about the spread.
  const enoughBlocks =
    Math.ceil(input.settings.rounds / input.settings.roundsPerBlock) >= minimumBlocks;
  const timed = (t: Target): Target =>
    enoughBlocks || t.verdict === 'not measured' ? t : { ...t, verdict: 'too few blocks to say' };
  const peers = [
    ['cockatiel', ids.cockatiel],
    ['opossum', ids.opossum],
  ].map(([peer, id]): PeerComparison => {
    const value = pairwise(added(ids.breaker), added(id), ratio);
    return { peer: peer, ratio: value, verdict: compareToOne(value) };
  });
  const perValueOverBareLayerNs = pairwise(
    samples(ids.valuesBreaker),
    samples(layers.values.bare),
    (a, b) => a - b,
  );
  const memory = input.memory;
  const withoutClock = (value: Quartiles) => ({
    description: 'the breaker without reading the clock (telemetry off, virtual-time scheduler)',
    value,
  });
  const bareRefusal = (value: Quartiles) => ({
    description: 'a bare layer refusing with a new Error built without a stack walk',
    value,
  });
  const inFlight = (bytes: Quartiles | undefined) => {
    const bare = memory?.inFlightCall.bare;
    return bytes && bare ? divide(bytes, bare) : null;
  };
  const perTap = (id: string) => cases.find((c) => c.id === id)?.perTap ?? missing;
  const targets: Target[] = [
    timed(
      target(
        'closed state, sync work: added cost ≤ 0.5× one tap()',
        perTap(ids.syncBreaker),
        0.5,
        'x',
        withoutClock(perTap(ids.syncBreakerFreeClock)),
      ),
    ),
    timed(
      target(
        'closed state, promise work: added cost ≤ 1.0× one tap()',
        perTap(ids.breaker),
        1,
        'x',
        withoutClock(perTap(ids.breakerFreeClock)),
      ),
    ),
    timed(
      target(
        'a refused call costs ≤ a successful one (sync work)',
        pairwise(samples(ids.syncRefused), samples(ids.syncBreaker), ratio),
        1,
        'x',
        bareRefusal(pairwise(samples(ids.bareRefusal), samples(ids.syncBreaker), ratio)),
      ),
    ),
    timed(
      target(
        'a refused call costs ≤ a successful one (promise work)',
        pairwise(samples(ids.refused), samples(ids.breaker), ratio),
        1,
        'x',
        bareRefusal(pairwise(samples(ids.promiseBareRefusal), samples(ids.breaker), ratio)),
      ),
    ),
    timed(
      target(
        'a refused call (sync work) costs ≤ 1.5× building a stackless native Error',
        pairwise(samples(ids.syncRefused), samples(ids.stacklessError), ratio),
        1.5,
        'x',
        bareRefusal(pairwise(samples(ids.bareRefusal), samples(ids.stacklessError), ratio)),
      ),
    ),
    timed(target('per value: ≤ a bare layer + 5 ns', perValueOverBareLayerNs, 5, 'ns')),
    ...(
      [
        [ids.syncCountWindow, 'failureRate over { calls: 100 }'],
        [ids.syncTimeWindow, 'failureRate over { duration: 60 s }'],
        [ids.syncEveryPolicy, 'every trip policy'],
      ] as const
    ).map(([id, rules]) =>
      timed(
        target(
          `closed state, sync work, ${rules}: ≤ 1.15× consecutive-only`,
          pairwise(samples(id), samples(ids.syncBreaker), ratio),
          1.15,
          'x',
          {
            description: "consecutive-only plus one clock read (the time at a call's end)",
            value: pairwise(samples(ids.clockRead), samples(ids.syncBreaker), (a, b) => 1 + a / b),
          },
        ),
      ),
    ),
    target('an idle closed breaker holds ≤ 1 KB', memory?.idleBreaker.ours ?? null, 1024, 'bytes'),
    target('a state$ subscriber holds ≤ 0.5 KB', memory?.stateListener.ours ?? null, 512, 'bytes'),
    target(
      'a call in flight holds ≤ 2× a bare subscription',
      inFlight(memory?.inFlightCall.ours),
      2,
      'x',
      {
        description: 'the least layer that hears the caller unsubscribe',
        value: inFlight(memory?.inFlightCall.minimalLayer),
      },
    ),
    target(
      '10,000 breakers created and disposed: heap back where it started (≤ 100 KB)',
      memory?.createDispose.ours ?? null,
      100 * 1024,
      'bytes',
    ),
  ];
  return {
    date: new Date().toISOString(),
    machine: describeMachine(input.loadAtStart),
    settings: input.settings,
    cases,
    peers,
    perValueOverBareLayerNs,
    heap: input.heap,
    memory: memory ?? null,
    targets,
    sections: input.sections,
  };
}

/** The median of each run of `perBlock` consecutive rounds. */
function blockMedians(rounds: readonly number[], perBlock: number): number[] {
  const medians: number[] = [];
  for (let start = 0; start < rounds.length; start += perBlock)
    medians.push(quartiles(rounds.slice(start, start + perBlock)).median);
  return medians;
}

function target(
  description: string,
  value: Quartiles | null,
  limit: number,
  unit: Target['unit'],
  reference?: Target['reference'],
): Target {
  let verdict: Verdict;
  if (value === null || Number.isNaN(value.median)) verdict = 'not measured';
  else if (value.high <= limit) verdict = 'met';
  else if (value.low > limit) verdict = 'not met';
  else verdict = 'spread too wide to say';
  return { description, value, limit, unit, verdict, reference };
}

function compareToOne(value: Quartiles): PeerComparison['verdict'] {
  if (value.high < 1) return 'we add less';
  if (value.low > 1) return 'we add more';
  return 'spread too wide to compare';
}

/**
 * The ratio of two ranges: the median over the median, and the widest the ranges allow (unbounded when the
 * bottom range reaches zero: then the ratio supports no verdict).
 */
function divide(top: Quartiles, bottom: Quartiles): Quartiles {
  return {
    median: top.median / bottom.median,
    low: bottom.high > 0 ? top.low / bottom.high : Number.NEGATIVE_INFINITY,
    high: bottom.low > 0 ? top.high / bottom.low : Number.POSITIVE_INFINITY,
  };
}

function describeMachine(loadAtStart: number): Machine {
  const cores = cpus();
  return {
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpuCount: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    loadAverage: { start: loadAtStart, end: loadavg()[0] ?? Number.NaN },
  };
}
