import { ConsecutiveBreaker, circuitBreaker as cockatielBreaker, handleAll } from 'cockatiel';
import CircuitBreaker from 'opossum';
import {
  Observable,
  VirtualTimeScheduler,
  asyncScheduler,
  defer,
  firstValueFrom,
  of,
  tap,
} from 'rxjs';
import type { Library } from './compiledLibrary.js';
import type { BenchCase } from './harness.js';

/**
 * Which work a case runs: an already-resolved promise, a synchronous `of(1)`, or one subscription to a source
 * emitting many values (a case's `n` is then the number of values).
 */
export type Family = 'promise' | 'sync' | 'values';

/** A case, what it is measured against, and whether it is one of the headline figures. */
export interface CaseSpec extends BenchCase {
  readonly family: Family;
  /** The case whose cost this one adds to ("added cost" = this − baseline). */
  readonly baseline?: string;
  /** Shown for context; not part of a target. */
  readonly informational?: boolean;
}

/** Case ids the targets and ratios refer to. */
export const ids = {
  bare: 'promise.bare',
  defer: 'promise.defer',
  breaker: 'promise.breaker',
  refused: 'promise.refused',
  opossum: 'promise.opossum',
  cockatiel: 'promise.cockatiel',
  syncDefer: 'sync.defer',
  syncBreaker: 'sync.breaker',
  syncRefused: 'sync.refused',
  syncCountWindow: 'sync.countWindow',
  syncTimeWindow: 'sync.timeWindow',
  syncEveryPolicy: 'sync.everyPolicy',
  stacklessError: 'sync.stacklessError',
  tracelessError: 'sync.tracelessError',
  bareRefusal: 'sync.bareRefusal',
  promiseBareRefusal: 'promise.bareRefusal',
  clockRead: 'sync.clockRead',
  breakerFreeClock: 'promise.breakerFreeClock',
  syncBreakerFreeClock: 'sync.breakerFreeClock',
  values: 'values.bare',
  valuesBreaker: 'values.breaker',
} as const;

/** Each family's reference layers: one `tap()`, and a bare pass-through layer. */
export const layers = {
  promise: { tap: 'promise.tap', bare: 'promise.bareLayer' },
  sync: { tap: 'sync.tap', bare: 'sync.bareLayer' },
  values: { tap: 'values.tap', bare: 'values.bareLayer' },
} as const;

/** The cheapest layer an operator can be: a new subscriber-less Observable passing the subscriber through. */
export const bareLayer = <T>(source: Observable<T>): Observable<T> =>
  new Observable<T>((subscriber) => source.subscribe(subscriber));

/** Values per subscription in the per-value cases. */
export const valuesPerRun = 1_000_000;

/** The work every promise case runs: a function returning an already-resolved promise. */
const work = () => Promise.resolve(1);
/** The work every synchronous case runs. */
const syncWork = () => of(1);

const sink = { next() {}, error() {}, complete() {} };
const noop = () => {};

/** Long enough that a manually opened circuit stays open for the whole run (the timer is unref'd). */
const oneHour = 3_600_000;

/** The breakers and peers under test, and how to tidy them up. */
export interface Subjects {
  readonly cases: readonly CaseSpec[];
  /** Checks every case does what its label says (a success succeeds, a refusal is refused). */
  check(): Promise<void>;
  dispose(): void;
}

/**
 * Builds every case. Breakers are created once, as an application would, and called many times.
 *
 * @param library - The breaker library, compiled (see `compiledLibrary.ts`).
 */
export async function createCases(library: Library): Promise<Subjects> {
  const { circuitBreaker, isCircuitBreakerError } = library;
  const ours = circuitBreaker({ name: 'bench', failMax: 5, resetTimeout: oneHour });
  const oursOpen = circuitBreaker({ name: 'bench-open', failMax: 5, resetTimeout: oneHour });
  await oursOpen.open();
  // The rate rules of issue 10: the window's added cost in the closed state, next to consecutive-only (`ours`).
  const rateRule = { failureRate: 0.5, resetTimeout: oneHour };
  const oursCountWindow = circuitBreaker({
    name: 'bench-count',
    ...rateRule,
    window: { calls: 100 },
  });
  const oursTimeWindow = circuitBreaker({
    name: 'bench-time',
    ...rateRule,
    window: { duration: 60_000 },
  });
  // Every trip policy at once (issue 10): rate rules over a time window, slow calls, failWhen, exclude, ignore,
  // backoff and maxHalfOpenWait, next to consecutive-only (`ours`).
  const oursEveryPolicy = circuitBreaker({
    name: 'bench-every-policy',
    failMax: 5,
    failureRate: 0.5,
    slowCallRate: 0.5,
    slowCallDuration: 1_000,
    minimumCalls: 10,
    window: { duration: 60_000 },
    maxHalfOpenWait: 30_000,
    resetTimeout: library.exponentialBackoff({ initial: oneHour, max: oneHour }),
    failWhen: (value) => value === -1,
    exclude: [TypeError],
    ignore: [RangeError],
  });
  // The default config reports to the global OpenTelemetry tracer and meter when @opentelemetry/api is
  // installed (it is here, with no SDK registered); this one has telemetry off, for context.
  const oursQuiet = circuitBreaker({
    name: 'bench-quiet',
    resetTimeout: oneHour,
    tracer: false,
    meter: false,
  });
  // What the breaker itself costs: telemetry off, and a virtual-time scheduler, whose clock is a field read, so
  // that the cost of reading the real clock at each call's start is left out. For context only.
  const oursFreeClock = circuitBreaker({
    name: 'bench-free-clock',
    resetTimeout: oneHour,
    tracer: false,
    meter: false,
    scheduler: new VirtualTimeScheduler(),
  });
  // opossum's default 10 s timeout arms a timer per call; we have no call timeout, so the headline case
  // turns it off. The default is measured too, for context.
  const opossum = new CircuitBreaker(work, { timeout: false, resetTimeout: oneHour });
  const opossumDefault = new CircuitBreaker(work, { resetTimeout: oneHour });
  const opossumOpen = new CircuitBreaker(work, { timeout: false, resetTimeout: oneHour });
  opossumOpen.open();
  const newCockatiel = () =>
    cockatielBreaker(handleAll, { halfOpenAfter: oneHour, breaker: new ConsecutiveBreaker(5) });
  const cockatiel = newCockatiel();
  const cockatielOpen = newCockatiel();
  const isolation = cockatielOpen.isolate();

  const deferWork = defer(work);
  const deferSync = defer(syncWork);
  const cases: CaseSpec[] = [
    { id: ids.bare, family: 'promise', label: 'bare promise: await work()', run: awaitEach(work) },
    {
      id: ids.defer,
      family: 'promise',
      label: 'bare defer(work)',
      run: awaitEachObservable(deferWork),
    },
    {
      id: 'promise.tap',
      family: 'promise',
      label: 'defer(work).pipe(tap())',
      baseline: ids.defer,
      run: awaitEachObservable(deferWork.pipe(tap(noop))),
    },
    {
      id: layers.promise.bare,
      family: 'promise',
      label: 'defer(work).pipe(bare layer)',
      baseline: ids.defer,
      run: awaitEachObservable(deferWork.pipe(bareLayer)),
    },
    {
      id: ids.breaker,
      family: 'promise',
      label: 'defer(work).pipe(breaker)',
      baseline: ids.defer,
      run: awaitEachObservable(deferWork.pipe(ours)),
    },
    {
      id: 'promise.breakerQuiet',
      family: 'promise',
      label: 'defer(work).pipe(breaker), telemetry off',
      baseline: ids.defer,
      informational: true,
      run: awaitEachObservable(deferWork.pipe(oursQuiet)),
    },
    {
      id: ids.breakerFreeClock,
      family: 'promise',
      label: 'defer(work).pipe(breaker), telemetry off, a virtual clock (free to read)',
      baseline: ids.defer,
      informational: true,
      run: awaitEachObservable(deferWork.pipe(oursFreeClock)),
    },
    {
      id: 'promise.breakerCall',
      family: 'promise',
      label: 'breaker.execute(work), new Observable each call',
      baseline: ids.defer,
      informational: true,
      run: awaitEachFresh(() => ours.execute(work)),
    },
    {
      id: ids.opossum,
      family: 'promise',
      label: 'opossum fire (timeout: false)',
      baseline: ids.bare,
      run: awaitEach(() => opossum.fire()),
    },
    {
      id: 'promise.opossumDefault',
      family: 'promise',
      label: 'opossum fire (default: 10 s timeout)',
      baseline: ids.bare,
      informational: true,
      run: awaitEach(() => opossumDefault.fire()),
    },
    {
      id: ids.cockatiel,
      family: 'promise',
      label: 'cockatiel execute',
      baseline: ids.bare,
      run: awaitEach(() => cockatiel.execute(work)),
    },
    {
      id: ids.refused,
      family: 'promise',
      label: 'refused when open: defer(work).pipe(breaker)',
      baseline: ids.defer,
      run: awaitEachObservable(deferWork.pipe(oursOpen)),
    },
    {
      id: ids.promiseBareRefusal,
      family: 'promise',
      label:
        "refused by a bare layer: a new Error per call, no stack walk (an RxJS refusal's floor)",
      baseline: ids.defer,
      informational: true,
      run: awaitEachObservable(deferWork.pipe(bareRefusingLayer)),
    },
    {
      id: 'promise.opossumRefused',
      family: 'promise',
      label: 'refused when open: opossum fire',
      baseline: ids.bare,
      informational: true,
      run: awaitEach(() => opossumOpen.fire().catch(noop)),
    },
    {
      id: 'promise.cockatielRefused',
      family: 'promise',
      label: 'refused when open: cockatiel execute',
      baseline: ids.bare,
      informational: true,
      run: awaitEach(() => cockatielOpen.execute(work).catch(noop)),
    },
    {
      id: ids.syncDefer,
      family: 'sync',
      label: 'bare defer(() => of(1))',
      run: subscribeEach(deferSync),
    },
    {
      id: 'sync.tap',
      family: 'sync',
      label: 'defer(() => of(1)).pipe(tap())',
      baseline: ids.syncDefer,
      run: subscribeEach(deferSync.pipe(tap(noop))),
    },
    {
      id: layers.sync.bare,
      family: 'sync',
      label: 'defer(() => of(1)).pipe(bare layer)',
      baseline: ids.syncDefer,
      run: subscribeEach(deferSync.pipe(bareLayer)),
    },
    {
      id: ids.syncBreaker,
      family: 'sync',
      label: 'defer(() => of(1)).pipe(breaker)',
      baseline: ids.syncDefer,
      run: subscribeEach(deferSync.pipe(ours)),
    },
    {
      id: ids.syncCountWindow,
      family: 'sync',
      label: 'defer(() => of(1)).pipe(breaker), failureRate over { calls: 100 }',
      baseline: ids.syncBreaker,
      run: subscribeEach(deferSync.pipe(oursCountWindow)),
    },
    {
      id: ids.syncTimeWindow,
      family: 'sync',
      label: 'defer(() => of(1)).pipe(breaker), failureRate over { duration: 60 s }',
      baseline: ids.syncBreaker,
      run: subscribeEach(deferSync.pipe(oursTimeWindow)),
    },
    {
      id: ids.syncEveryPolicy,
      family: 'sync',
      label: 'defer(() => of(1)).pipe(breaker), every trip policy',
      baseline: ids.syncBreaker,
      run: subscribeEach(deferSync.pipe(oursEveryPolicy)),
    },
    {
      id: 'sync.breakerQuiet',
      family: 'sync',
      label: 'defer(() => of(1)).pipe(breaker), telemetry off',
      baseline: ids.syncDefer,
      informational: true,
      run: subscribeEach(deferSync.pipe(oursQuiet)),
    },
    {
      id: ids.syncBreakerFreeClock,
      family: 'sync',
      label: 'defer(() => of(1)).pipe(breaker), telemetry off, a virtual clock (free to read)',
      baseline: ids.syncDefer,
      informational: true,
      run: subscribeEach(deferSync.pipe(oursFreeClock)),
    },
    {
      id: ids.clockRead,
      family: 'sync',
      label: 'one read of the clock: asyncScheduler.now() (a call reads it at its start)',
      informational: true,
      run: readClock,
    },
    {
      id: ids.syncRefused,
      family: 'sync',
      label: 'refused when open: defer(() => of(1)).pipe(breaker)',
      baseline: ids.syncDefer,
      run: subscribeEach(deferSync.pipe(oursOpen)),
    },
    {
      id: ids.stacklessError,
      family: 'sync',
      label: "new Error() with Error.stackTraceLimit = 0 (the refusal target's reference)",
      informational: true,
      run: constructStacklessErrors,
    },
    {
      id: ids.tracelessError,
      family: 'sync',
      label:
        'new Error() with Error.stackTraceLimit not a number (no stack walk; how a refusal builds it)',
      informational: true,
      run: constructTracelessErrors,
    },
    {
      id: ids.bareRefusal,
      family: 'sync',
      label:
        "refused by a bare layer: a new Error per call, no stack walk (an RxJS refusal's floor)",
      baseline: ids.syncDefer,
      informational: true,
      run: subscribeEach(deferSync.pipe(bareRefusingLayer)),
    },
    ...valueCases(ours),
  ];

  return {
    cases,
    check: async () => {
      await expectValue(firstValueFrom(deferWork.pipe(ours)), 'our breaker (promise work)');
      await expectValue(firstValueFrom(deferSync.pipe(ours)), 'our breaker (sync work)');
      await expectValue(firstValueFrom(count(1).pipe(ours)), 'our breaker (values)', 0);
      await expectValue(opossum.fire(), 'opossum');
      await expectValue(cockatiel.execute(work), 'cockatiel');
      await expectRefusal(
        firstValueFrom(deferWork.pipe(oursOpen)),
        'our open breaker',
        isCircuitBreakerError,
      );
      await expectRefusal(
        opossumOpen.fire(),
        'opossum (open)',
        (e) => (e as Error).message === 'Breaker is open',
      );
      await expectRefusal(
        cockatielOpen.execute(work),
        'cockatiel (isolated)',
        (e) => e instanceof Error,
      );
      await expectValue(firstValueFrom(deferSync.pipe(oursCountWindow)), 'count window');
      await expectValue(firstValueFrom(deferSync.pipe(oursTimeWindow)), 'time window');
      await expectValue(firstValueFrom(deferSync.pipe(oursEveryPolicy)), 'every trip policy');
      if (ours.state !== 'closed' || oursOpen.state !== 'open')
        throw new Error('bench: breakers in the wrong state');
    },
    dispose: () => {
      ours.dispose();
      oursOpen.dispose();
      oursQuiet.dispose();
      oursFreeClock.dispose();
      oursCountWindow.dispose();
      oursTimeWindow.dispose();
      oursEveryPolicy.dispose();
      opossum.shutdown();
      opossumDefault.shutdown();
      opossumOpen.shutdown();
      isolation.dispose();
    },
  };
}

/** The case that runs a million calls through our breaker for the heap figure. */
export function heapCase(
  library: Library,
  family: Family,
): { run(n: number): void | Promise<void>; dispose(): void } {
  const breaker = library.circuitBreaker({
    name: `bench-heap-${family}`,
    failMax: 5,
    resetTimeout: oneHour,
  });
  const run =
    family === 'sync'
      ? subscribeEach(defer(syncWork).pipe(breaker))
      : awaitEachObservable(defer(work).pipe(breaker));
  return { run, dispose: () => breaker.dispose() };
}

/** One subscription per batch to a source emitting `n` values: what a value costs through each layer. */
function valueCases(ours: (source: Observable<number>) => Observable<number>): CaseSpec[] {
  const through = (layer: (source: Observable<number>) => Observable<number>) => (n: number) => {
    layer(count(n)).subscribe(sink);
  };
  const identity = (source: Observable<number>) => source;
  const base = { family: 'values', batch: valuesPerRun } as const;
  return [
    { ...base, id: ids.values, label: 'a source emitting n values', run: through(identity) },
    {
      ...base,
      id: layers.values.tap,
      label: 'source.pipe(tap())',
      baseline: ids.values,
      run: through(tap(noop)),
    },
    {
      ...base,
      id: layers.values.bare,
      label: 'source.pipe(bare layer)',
      baseline: ids.values,
      run: through(bareLayer),
    },
    {
      ...base,
      id: ids.valuesBreaker,
      label: 'source.pipe(breaker)',
      baseline: ids.values,
      run: through(ours),
    },
  ];
}

/** A synchronous source emitting 0 … n−1, then completing. */
function count(n: number): Observable<number> {
  return new Observable<number>((subscriber) => {
    for (let i = 0; i < n && !subscriber.closed; i++) subscriber.next(i);
    subscriber.complete();
  });
}

// The loops below create no function per call: tsx compiles this file with esbuild's keepNames, which turns
// every closure creation into an Object.defineProperty call, and that would be measured too.

function awaitEach(call: () => Promise<unknown>) {
  return async (n: number) => {
    for (let i = 0; i < n; i++) await call();
  };
}

/** Subscribes and waits for the end (completion or error), the way a caller awaits a promise. */
function awaitEachObservable(source: Observable<unknown>) {
  return awaitEachFresh(() => source);
}

function awaitEachFresh(source: () => Observable<unknown>) {
  let settle = noop;
  const observer = { error: () => settle(), complete: () => settle() };
  const subscribe = (resolve: () => void) => {
    settle = resolve;
    source().subscribe(observer);
  };
  return async (n: number) => {
    for (let i = 0; i < n; i++) await new Promise<void>(subscribe);
  };
}

/** Builds `n` native errors with `Error.stackTraceLimit` at 0: no frames, though V8 still walks the stack. */
function constructStacklessErrors(n: number): void {
  for (let i = 0; i < n; i++) lastError = errorWithStackTraceLimit(0);
}

/** Builds `n` native errors with `Error.stackTraceLimit` not a number: no stack walk, as a refusal's error is. */
function constructTracelessErrors(n: number): void {
  for (let i = 0; i < n; i++) lastError = errorWithStackTraceLimit(undefined);
}

/**
 * A new native error built with `Error.stackTraceLimit` set to `limit`, set and restored around it as a refusal
 * must (the application's own errors keep their stacks).
 */
function errorWithStackTraceLimit(limit: number | undefined): Error {
  const kept = Error.stackTraceLimit;
  Error.stackTraceLimit = limit as unknown as number;
  try {
    return new Error('Timeout not elapsed yet, circuit breaker still open');
  } finally {
    Error.stackTraceLimit = kept;
  }
}

/**
 * The least a refusing layer can do: no decision and no bookkeeping, only a new native error for each caller,
 * built as cheaply as a native error can be (no stack walk), delivered through RxJS.
 */
const bareRefusingLayer = <T>(_source: Observable<T>): Observable<T> =>
  new Observable<T>((subscriber) => subscriber.error(errorWithStackTraceLimit(undefined)));

/** The default scheduler's clock, read `n` times. */
function readClock(n: number): void {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += asyncScheduler.now();
  lastClockSum = sum;
}

/** Keeps the clock readings used, so that the compiler cannot drop them. */
export let lastClockSum = 0;

/** Keeps the last error reachable, so that the compiler cannot drop the construction. */
export let lastError: Error | undefined;

function subscribeEach(source: Observable<unknown>) {
  return (n: number) => {
    for (let i = 0; i < n; i++) source.subscribe(sink);
  };
}

async function expectValue(result: Promise<unknown>, what: string, expected = 1): Promise<void> {
  const value = await result;
  if (value !== expected)
    throw new Error(`bench: ${what} returned ${String(value)} instead of ${expected}`);
}

async function expectRefusal(
  result: Promise<unknown>,
  what: string,
  isRefusal: (error: unknown) => boolean,
): Promise<void> {
  const refused = await result.then(
    () => false,
    (error: unknown) => isRefusal(error),
  );
  if (!refused) throw new Error(`bench: ${what} did not refuse the call`);
}
