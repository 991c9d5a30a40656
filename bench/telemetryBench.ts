/**
 * What OpenTelemetry costs per call: telemetry turned off, the no-op default (`@opentelemetry/api` installed, no
 * SDK registered), and a registered SDK (in-memory exporters, AsyncLocalStorage context manager).
 *
 * Standalone: `npx tsx bench/telemetryBench.ts [--rounds N]`. From bench.ts: `measureTelemetryOverhead()`.
 *
 * @remarks
 * Every case makes successful synchronous calls (`defer(() => of(1)).pipe(breaker)`), the hot path where any
 * per-call cost shows most. Cases are interleaved round by round (see harness.ts) and medians reported; each
 * added cost is taken round by round between cases run side by side, then summarised as a median and quartiles
 * (absolute times in this section move 2-3x between runs on a shared VM, differences within a round less). The
 * global OpenTelemetry state is set up here and torn down at the end: run it in a process of its own, or after
 * anything that registered its own SDK is done.
 */
import { context } from '@opentelemetry/api';
import type { ContextManager } from '@opentelemetry/api';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { defer, of } from 'rxjs';
import type { Observable } from 'rxjs';
import { pointsOf, registerTelemetrySdk } from '../spec/support/telemetrySdk.js';
import type { TelemetrySdk } from '../spec/support/telemetrySdk.js';
import type { CircuitBreaker } from '../src/index.js';
import { loadCompiledLibrary } from './compiledLibrary.js';
import { measureInterleaved, quartiles } from './harness.js';
import type { BenchCase, HarnessOptions, Measurement, Quartiles } from './harness.js';

/** The figures: each case's ns per call, and the differences that answer "what does telemetry cost?". */
export interface TelemetryOverhead {
  readonly measurements: readonly Measurement[];
  /** Added nanoseconds per call, round by round: the median and quartiles. */
  readonly addedNs: {
    /** The breaker itself, telemetry off, over bare RxJS. */
    readonly offOverBare: Quartiles;
    /** The no-op default over telemetry off: what an application without an SDK pays. */
    readonly noopOverOff: Quartiles;
    /** A registered SDK over the no-op default: what recording the metrics costs. */
    readonly sdkOverNoop: Quartiles;
  };
}

const ids = {
  bare: 'otel.bare',
  off: 'otel.off',
  noop: 'otel.noop',
  sdk: 'otel.sdk',
} as const;

const sink = { next() {}, error() {}, complete() {} };
const oneHour = 3_600_000;

/**
 * Measures the per-call cost of telemetry.
 *
 * @param options - Harness settings; by default 15 rounds after 3 warm-up rounds, 30 ms batches.
 */
export async function measureTelemetryOverhead(
  options: Partial<HarnessOptions> = {},
): Promise<TelemetryOverhead> {
  const settings = { rounds: 15, warmupRounds: 3, batchMs: 30, ...options };
  // The library as it ships (see compiledLibrary.ts), not src/ through tsx.
  const { circuitBreaker } = await loadCompiledLibrary();
  const work = defer(() => of(1));
  // Created before any SDK is registered, as in an application without one.
  const off = circuitBreaker({
    name: 'bench-otel-off',
    tracer: false,
    meter: false,
    resetTimeout: oneHour,
  });
  const noop = circuitBreaker({ name: 'bench-otel-noop', resetTimeout: oneHour });
  const sdk = registerTelemetrySdk();
  const recorded = circuitBreaker({ name: 'bench-otel-sdk', resetTimeout: oneHour });

  // The only global state a successful call reads is the context manager: each case runs with the one an
  // application in its situation would have (none without an SDK).
  const cases: BenchCase[] = [
    withContextManager(ids.bare, 'bare defer(() => of(1))', subscribeEach(work), undefined),
    withContextManager(ids.off, 'tracer: false, meter: false', through(off, work), undefined),
    withContextManager(ids.noop, 'default, no SDK registered', through(noop, work), undefined),
    withContextManager(
      ids.sdk,
      'default, SDK registered',
      through(recorded, work),
      sdk.contextManager,
    ),
  ];
  try {
    const measurements = await measureInterleaved(cases, settings);
    await expectCalls(sdk, 'bench-otel-sdk');
    const rounds = (id: string) => measurements.find((m) => m.id === id)?.samples ?? [];
    const over = (id: string, baseline: string) => {
      const base = rounds(baseline);
      return quartiles(rounds(id).map((ns, round) => ns - (base[round] ?? Number.NaN)));
    };
    return {
      measurements,
      addedNs: {
        offOverBare: over(ids.off, ids.bare),
        noopOverOff: over(ids.noop, ids.off),
        sdkOverNoop: over(ids.sdk, ids.noop),
      },
    };
  } finally {
    for (const breaker of [off, noop, recorded]) breaker.dispose();
    await sdk.shutdown();
  }
}

/** Fails the benchmark if the SDK case recorded nothing (then it measured the wrong thing). */
async function expectCalls(sdk: TelemetrySdk, name: string) {
  const calls = await sdk.collect('circuit_breaker.calls');
  if (pointsOf(calls, name).length === 0) {
    throw new Error(`bench: the SDK recorded no calls for ${name}`);
  }
}

function withContextManager(
  id: string,
  label: string,
  run: (n: number) => void,
  manager: ContextManager | undefined,
): BenchCase {
  return {
    id,
    label,
    run: (n) => {
      context.disable();
      if (manager) context.setGlobalContextManager(manager);
      run(n);
    },
  };
}

function through(breaker: CircuitBreaker, work: Observable<number>) {
  return subscribeEach(work.pipe(breaker));
}

function subscribeEach(source: Observable<unknown>) {
  return (n: number) => {
    for (let i = 0; i < n; i++) source.subscribe(sink);
  };
}

/** The overhead as a text section (± is the interquartile range as a share of the median, as elsewhere). */
export function formatTelemetryOverhead({ measurements, addedNs }: TelemetryOverhead): string {
  const rows = measurements.map(
    (m) =>
      `  ${m.label.padEnd(30)}${m.nsPerCall.toFixed(0).padStart(7)} ns/call  ±${(m.spread * 100).toFixed(0)}%`,
  );
  const added = (label: string, { median, low, high }: Quartiles) =>
    `  ${label.padEnd(30)}${median.toFixed(0).padStart(7)} ns  (${low.toFixed(0)}–${high.toFixed(0)})`;
  return [
    'OpenTelemetry overhead (bench/telemetryBench.ts), successful defer(() => of(1)) calls:',
    ...rows,
    'Added per call, round by round: median (quartiles):',
    added('breaker, telemetry off', addedNs.offOverBare),
    added('no-op default over off', addedNs.noopOverOff),
    added('registered SDK over no-op', addedNs.sdkOverNoop),
  ].join('\n');
}

const isMain =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const { values } = parseArgs({ options: { rounds: { type: 'string' } } });
  const rounds = values.rounds === undefined ? undefined : Number(values.rounds);
  const result = await measureTelemetryOverhead(rounds === undefined ? {} : { rounds });
  process.stdout.write(`${formatTelemetryOverhead(result)}\n`);
}
