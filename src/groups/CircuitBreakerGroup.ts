import type { SchedulerLike } from 'rxjs';
import type { CircuitBreaker } from '../breaker/circuitBreaker.js';
import type { CircuitBreakerConfig } from '../config/CircuitBreakerConfig.js';

/**
 * Options of {@link circuitBreakers}.
 *
 * @public
 */
export interface CircuitBreakersOptions<K> {
  /** The config of the breaker of `key`, asked once per breaker created (again after an eviction). */
  readonly config: (key: K) => CircuitBreakerConfig;
  /**
   * Milliseconds after which a closed breaker with no use (no `group(key)` and no call admitted) is disposed:
   * \> 0, at most 2^31 - 1 (the longest a timer waits, about 24.8 days). It goes no later than twice this after
   * its last use. Default: never.
   */
  readonly idleTimeout?: number;
  /**
   * Breakers kept at most: an integer ≥ 1. Creating one more first disposes the least recently used closed
   * breaker with no call in flight (used: looked up with `group(key)`, or a call admitted, even through a breaker
   * the caller kept; a breaker called since the group last looked counts as just used); when every breaker is open
   * or busy, the group grows past it rather than forget an open circuit. An evicted breaker is disposed: one
   * handed out before its calls start (pipelines built, then subscribed together) refuses them with kind
   * `'disposed'`, so keep it above the number of keys in use at once. Default: no limit.
   */
  readonly maxSize?: number;
  /** Where the idle sweep runs (it never keeps the process alive). Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/**
 * A breaker per key (host, tenant, URL), created on first use. Call it with a key to get that key's breaker.
 *
 * @public
 */
export interface CircuitBreakerGroup<K> extends Iterable<[K, CircuitBreaker]> {
  /** The breaker of `key`, created from the config function if there is none. Throws if that config is bad. */
  (key: K): CircuitBreaker;
  /** How many breakers the group holds. */
  readonly size: number;
  /** The breaker of `key` if the group holds one, without creating it (and without counting as a use). */
  get(key: K): CircuitBreaker | undefined;
  /** Calls `callback` for each breaker, least recently used first. */
  forEach(callback: (breaker: CircuitBreaker, key: K) => void): void;
  /** Disposes every breaker and stops the sweep; later `group(key)` calls throw. */
  dispose(): void;
}
