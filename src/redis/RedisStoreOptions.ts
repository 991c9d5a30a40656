import type { CircuitState } from '../core/CircuitState.js';

/**
 * Options of {@link redisStore}. All are optional; an unknown key is an error.
 *
 * @public
 */
export interface RedisStoreOptions {
  /**
   * Prefix of every key and channel, so that several applications can share one Redis. Breakers with the same
   * namespace and name share their state; any other pair never does. No `{` or `}`. Default
   * `'rxjs-circuit-breaker'`.
   */
  readonly namespace?: string;
  /**
   * The state to decide on while Redis cannot be reached: when the store loses Redis (the client's connection
   * closes, or a command fails or times out) it switches its local state to this one at once (a `'remote'`
   * transition, so `state` and `state$` show it without waiting for a call) and applies the breaker's rules locally
   * from there until a read succeeds again, which brings the shared state back. Default: keep deciding on the last
   * state known from Redis.
   */
  readonly fallbackState?: CircuitState;
  /**
   * Milliseconds a Redis command may take before the store gives up on it, reports a `'timeout'` store error and
   * decides locally. A call never waits longer than this for a Redis command. Greater than 0, at most 2^31 - 1
   * (the longest a timer waits). Default 1000.
   */
  readonly commandTimeout?: number;
  /**
   * Milliseconds a half-open trial permit stays taken in Redis if its call never finishes (its process died):
   * after that the slot is free for another process. Greater than 0, at most 100 years. Default 30000.
   */
  readonly trialPermitTtl?: number;
  /**
   * Milliseconds between two flushes of a process's outcomes to the shared window of the rate rules
   * (`failureRate`, `slowCallRate`): each process counts its outcomes locally and merges them into Redis with one
   * script at most this often, and at once when its outcomes could trip a rule. A fleet-wide rate trip happens at
   * most this long (plus a round trip) after the fleet-wide window crosses the threshold. Greater than 0, at most
   * 2^31 - 1 (the longest a timer waits). Default: one bucket of a time window (`duration / buckets`, at most
   * 2^31 - 1), or 1000 for a count window.
   */
  readonly flushInterval?: number;
}
