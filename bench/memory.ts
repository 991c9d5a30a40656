/**
 * What a breaker holds in memory, ours next to cockatiel's and opossum's, all measured in one run: an idle
 * breaker, a state listener, a call in flight, and whether creating and disposing many breakers leaves the heap
 * where it started. Needs `node --expose-gc` (which `npm run bench` passes).
 *
 * @remarks
 * Each figure is the heap growth (`heapUsed`, between two full garbage collections) while many objects are held
 * (2,000 breakers, or 10,000 subscribers or calls), divided by their number: one object alone is below the
 * heap's resolution. Every figure is measured several
 * times, the subjects taking turns, and reported as the median and the range of those repeats.
 */
import { ConsecutiveBreaker, circuitBreaker as cockatielBreaker, handleAll } from 'cockatiel';
import CircuitBreaker from 'opossum';
import { Observable, Subscriber, tap } from 'rxjs';
import type { Library } from './compiledLibrary.js';
import type { Quartiles } from './harness.js';

/** One figure, in bytes, over the repeats: the median and the lowest and highest repeat. */
export type Bytes = Quartiles;

/** A figure for each library (a peer's entry is absent when it has nothing to compare). */
export interface MemoryFigure {
  readonly description: string;
  readonly ours: Bytes;
  /** What the same thing costs without a breaker (a bare subscription), when that is the comparison. */
  readonly bare?: Bytes;
  /**
   * The same through one RxJS `tap()` layer: the floor of any operator layer that keeps a teardown (its
   * subscriber joins the caller's, whose list of teardowns is then allocated).
   */
  readonly tap?: Bytes;
  /**
   * The same through the least layer that hears the caller unsubscribe: a `Subscriber` subclass that forwards
   * values and joins the caller's teardowns (`minimalLayer`).
   */
  readonly minimalLayer?: Bytes;
  readonly cockatiel?: Bytes;
  readonly opossum?: Bytes;
}

export interface MemoryFigures {
  /** Bytes per idle closed breaker (default config: telemetry on, no subscriber). */
  readonly idleBreaker: MemoryFigure;
  /** Bytes per `state$` subscriber (a peer: one state-change listener). */
  readonly stateListener: MemoryFigure;
  /** Bytes per call in flight, and per bare subscription to the same never-ending source. */
  readonly inFlightCall: MemoryFigure;
  /** Heap growth in bytes after creating and disposing `churnCount` breakers (not per breaker). */
  readonly createDispose: MemoryFigure & { readonly breakers: number };
}

/** How many breakers, and how many subscribers or calls, each figure holds at once; how often it is repeated. */
const breakersHeld = 2000;
const subscriptionsHeld = 10_000;
const repeats = 5;
const churnCount = 10_000;
const oneHour = 3_600_000;
const noop = () => {};
const sink = { next: noop, error: noop, complete: noop };

const gc = (globalThis as { gc?: () => void }).gc;

/** Measures every memory figure, or returns `undefined` when `gc()` is not exposed. */
export async function measureMemory(library: Library): Promise<MemoryFigures | undefined> {
  if (!gc) return undefined;
  const { circuitBreaker } = library;
  const ours = () => circuitBreaker({ resetTimeout: oneHour });
  const cockatiel = () =>
    cockatielBreaker(handleAll, { halfOpenAfter: oneHour, breaker: new ConsecutiveBreaker(5) });
  const opossum = () =>
    new CircuitBreaker(() => Promise.resolve(1), { timeout: false, resetTimeout: oneHour });

  const idleBreaker = await compare('an idle closed breaker (default config, no subscriber)', {
    ours: perObject(ours, (b) => b.dispose(), breakersHeld),
    cockatiel: perObject(cockatiel, noop, breakersHeld),
    opossum: perObject(opossum, (b) => b.shutdown(), breakersHeld),
  });

  const stateListener = await compare('a state$ subscriber (peers: a state-change listener)', {
    ours: withSubject(
      ours,
      (b) => b.dispose(),
      (b) =>
        perObject(
          () => b.state$.subscribe(noop),
          (s) => s.unsubscribe(),
        ),
    ),
    cockatiel: withSubject(cockatiel, noop, (b) =>
      perObject(
        () => b.onStateChange(noop),
        (d) => d.dispose(),
      ),
    ),
    opossum: withSubject(
      opossum,
      (b) => b.shutdown(),
      (b) => {
        (b as unknown as { setMaxListeners(n: number): void }).setMaxListeners(0);
        const emitter = b as unknown as {
          on(e: string, f: () => void): void;
          off(e: string, f: () => void): void;
        };
        return perObject(
          () => {
            const listener = () => {};
            emitter.on('open', listener);
            return listener;
          },
          (listener) => emitter.off('open', listener),
        );
      },
    ),
  });

  // Every call waits on the same never-settling source, so that only the call's own state is counted.
  const pending = new Observable<number>(() => {});
  const never = new Promise<number>(() => {});
  const inFlightCall = await compare('a call in flight (bare: a subscription to the same source)', {
    ours: withSubject(
      ours,
      (b) => b.dispose(),
      (b) =>
        perObject(
          () => pending.pipe(b).subscribe(sink),
          (s) => s.unsubscribe(),
        ),
    ),
    bare: perObject(
      () => pending.subscribe(sink),
      (s) => s.unsubscribe(),
    ),
    tap: perObject(
      () => pending.pipe(tap(noop)).subscribe(sink),
      (s) => s.unsubscribe(),
    ),
    minimalLayer: perObject(
      () => pending.pipe(minimalLayer).subscribe(sink),
      (s) => s.unsubscribe(),
    ),
    cockatiel: withSubject(cockatiel, noop, (b) => perObject(() => b.execute(() => never), noop)),
    opossum: withSubject(
      () => new CircuitBreaker(() => never, { timeout: false, resetTimeout: oneHour }),
      (b) => b.shutdown(),
      (b) => perObject(() => b.fire(), noop),
    ),
  });

  const createDispose = {
    ...(await compare(
      `${churnCount.toLocaleString('en-US')} breakers created and disposed (heap growth)`,
      {
        ours: churn(ours, (b) => b.dispose()),
        cockatiel: churn(cockatiel, noop),
        opossum: churn(opossum, (b) => b.shutdown()),
      },
    )),
    breakers: churnCount,
  };
  return { idleBreaker, stateListener, inFlightCall, createDispose };
}

/**
 * The least an operator layer holds per call if it must hear the caller unsubscribe (a breaker does: the call is
 * then counted or its trial slot given back): its own subscriber, joined to the caller's teardowns.
 */
function minimalLayer<T>(source: Observable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const forward = new ForwardingSubscriber(subscriber);
    source.subscribe(forward);
    subscriber.add(forward);
  });
}

class ForwardingSubscriber<T> extends Subscriber<T> {
  constructor(private readonly caller: Subscriber<T>) {
    super();
  }

  override next(value: T): void {
    this.caller.next(value);
  }
}

/** One measurement of a figure, in bytes. */
type Probe = () => number | Promise<number>;

/** Runs every probe `repeats` times, taking turns, and summarises each. */
async function compare<K extends string>(
  description: string,
  probes: Record<K, Probe>,
): Promise<{ description: string } & Record<K, Bytes>> {
  const keys = Object.keys(probes) as K[];
  const results = new Map<K, number[]>(keys.map((key) => [key, []]));
  for (const key of keys) await probes[key](); // warm-up: code, caches, lazily built shared state
  for (let repeat = 0; repeat < repeats; repeat++)
    for (const key of keys) results.get(key)!.push(await probes[key]());
  const summary = Object.fromEntries(
    keys.map((key) => {
      const values = [...results.get(key)!].sort((a, b) => a - b);
      return [
        key,
        { median: values[Math.floor(values.length / 2)], low: values[0], high: values.at(-1)! },
      ];
    }),
  ) as Record<K, Bytes>;
  return { description, ...summary };
}

/** Bytes per object while `held` of them are alive. */
function perObject<T>(
  create: () => T,
  release: (object: T) => void,
  held = subscriptionsHeld,
): Probe {
  return () => {
    const before = settledHeap();
    const objects: T[] = [];
    for (let i = 0; i < held; i++) objects.push(create());
    const during = settledHeap();
    for (const object of objects) release(object);
    return (during - before) / held;
  };
}

/** A probe run against one subject created (and disposed) around it, outside the measured span. */
function withSubject<T>(
  create: () => T,
  dispose: (subject: T) => void,
  probe: (subject: T) => Probe,
): Probe {
  return () => {
    const subject = create();
    try {
      return probe(subject)();
    } finally {
      dispose(subject);
    }
  };
}

/**
 * Heap growth after creating and disposing `churnCount` objects, read after a turn of the event loop: a `WeakRef`
 * (the registry holds breakers weakly) keeps its target alive until the job that made it ends.
 */
function churn<T>(create: () => T, dispose: (object: T) => void): Probe {
  return async () => {
    const before = settledHeap();
    for (let i = 0; i < churnCount; i++) dispose(create());
    await new Promise((resolve) => setImmediate(resolve));
    return settledHeap() - before;
  };
}

function settledHeap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}
