import { asyncScheduler } from 'rxjs';
import type { SchedulerLike, Subscription } from 'rxjs';
import type { Breaker } from '../breaker/Breaker.js';
import { breakerOf } from '../breaker/breakerOf.js';
import { circuitBreaker } from '../breaker/circuitBreaker.js';
import type { CircuitBreaker } from '../breaker/circuitBreaker.js';
import type { CircuitBreakerConfig } from '../config/CircuitBreakerConfig.js';
import { unrefTimer } from '../breaker/unrefTimer.js';
import type { CircuitBreakerGroup, CircuitBreakersOptions } from './CircuitBreakerGroup.js';
import { validateGroupOptions } from './validateGroupOptions.js';

/** One key's breaker and what the idle sweep last saw of it. */
interface Entry {
  readonly breaker: CircuitBreaker;
  readonly internal: Breaker;
  /** `group(key)` was called since the last sweep. */
  accessed: boolean;
  /** `internal.callsAdmitted` at the last sweep (or the last time `maxSize` eviction looked at it). */
  seenCalls: number;
}

/**
 * Creates a group of breakers, one per key, each created on first use from `config(key)`.
 *
 * @remarks
 * Each key's breaker is an ordinary {@link CircuitBreaker}; breakers share nothing but the config function
 * (unless the config gives them a shared store). Only a closed breaker with no call in flight is ever evicted,
 * by `idleTimeout` or `maxSize`; the next use of an evicted key creates a fresh breaker.
 *
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { circuitBreakers } from 'rxjs-circuit-breaker';
 *
 * const perHost = circuitBreakers({
 *   config: (host: string) => ({ name: `inventory:${host}`, failMax: 5, resetTimeout: 30_000 }),
 *   idleTimeout: 10 * 60_000,
 *   maxSize: 10_000,
 * });
 * of('in stock').pipe(perHost('eu.example.com')).subscribe(console.log);
 * ```
 * @public
 */
export function circuitBreakers<K>(options: CircuitBreakersOptions<K>): CircuitBreakerGroup<K> {
  validateGroupOptions(options);
  const { config, idleTimeout, maxSize = Infinity, scheduler = asyncScheduler } = options;
  const entries = new Map<K, Entry>();
  let sweep: Subscription | undefined;
  let disposed = false;

  const create = (key: K): Entry => {
    if (entries.size >= maxSize) evictLeastRecentlyUsed(entries);
    const breaker = createFor(config, key);
    const entry = { breaker, internal: breakerOf(breaker), accessed: true, seenCalls: 0 };
    entries.set(key, entry);
    if (idleTimeout !== undefined) sweep ??= scheduleSweep(idleTimeout, scheduler, entries);
    return entry;
  };

  const group = (key: K): CircuitBreaker => {
    if (disposed) throw new Error('circuitBreakers: the group is disposed');
    let entry = entries.get(key);
    if (entry?.internal.isDisposed) entries.delete(key);
    else if (entry && maxSize !== Infinity) {
      entries.delete(key); // moves it to the most recently used end
      entries.set(key, entry);
    }
    if (!entry || entry.internal.isDisposed) entry = create(key);
    entry.accessed = true;
    return entry.breaker;
  };

  return Object.defineProperties(group, {
    size: { get: () => entries.size },
    get: { value: (key: K) => entries.get(key)?.breaker },
    forEach: {
      value: (callback: (breaker: CircuitBreaker, key: K) => void) => {
        entries.forEach((entry, key) => callback(entry.breaker, key));
      },
    },
    [Symbol.iterator]: {
      value: function* (): Generator<[K, CircuitBreaker]> {
        for (const [key, entry] of entries) yield [key, entry.breaker];
      },
    },
    dispose: {
      value: () => {
        disposed = true;
        sweep?.unsubscribe();
        entries.forEach((entry) => entry.breaker.dispose());
        entries.clear();
      },
    },
  }) as CircuitBreakerGroup<K>;
}

function createFor<K>(config: (key: K) => CircuitBreakerConfig, key: K): CircuitBreaker {
  try {
    return circuitBreaker(config(key));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const Kind = error instanceof RangeError ? RangeError : TypeError;
    throw new Kind(
      `circuitBreakers: the config of key ${describeKey(key)} is invalid: ${message}`,
      {
        cause: error,
      },
    );
  }
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : String(key);
}

/** Whether the group may dispose this breaker now: closed, and no call in flight. */
function evictable({ breaker, internal }: Entry): boolean {
  return internal.callsInFlight === 0 && breaker.state === 'closed';
}

/**
 * Disposes the least recently used evictable breaker. `group(key)` moves a key to the recent end; a breaker the
 * caller kept and calls through is seen to be used by the calls it admitted since the group last looked (the
 * idle sweep's count): it is moved to the recent end instead, once, and the next key is tried. A second chance
 * rather than a reordering on every call, which would cost every call a map write.
 */
function evictLeastRecentlyUsed<K>(entries: Map<K, Entry>): void {
  for (const [key, entry] of entries) {
    if (entry.internal.isDisposed) return evict(entries, key, entry);
    if (entry.internal.callsAdmitted !== entry.seenCalls) {
      entry.seenCalls = entry.internal.callsAdmitted;
      entry.accessed = true; // the idle sweep must still count it as used
      entries.delete(key);
      entries.set(key, entry); // visited once more at the end, with its calls seen
    } else if (evictable(entry)) {
      return evict(entries, key, entry);
    }
  }
}

function evict<K>(entries: Map<K, Entry>, key: K, entry: Entry): void {
  entries.delete(key);
  entry.breaker.dispose();
}

/**
 * Every `idleTimeout`, disposes the breakers not used since the previous sweep: a breaker last used at `t` goes
 * between `t + idleTimeout` and `t + 2 × idleTimeout`. One timer per group, none per breaker.
 */
function scheduleSweep<K>(
  idleTimeout: number,
  scheduler: SchedulerLike,
  entries: Map<K, Entry>,
): Subscription {
  return unrefTimer(
    scheduler.schedule(function (this: { schedule(state: undefined, delay: number): void }) {
      for (const [key, entry] of entries) {
        const used = entry.accessed || entry.internal.callsAdmitted !== entry.seenCalls;
        if (!used && (evictable(entry) || entry.internal.isDisposed)) evict(entries, key, entry);
        entry.accessed = false;
        entry.seenCalls = entry.internal.callsAdmitted;
      }
      this.schedule(undefined, idleTimeout);
    }, idleTimeout),
  );
}
