import type { SchedulerLike } from 'rxjs';
import type { ResetTimeout, WindowSettings } from '../core/BreakerState.js';
import type { StateStoreFactory } from '../core/StateStore.js';
import type { MeterLike } from '../telemetry/MeterLike.js';
import type { TracerLike } from '../telemetry/TracerLike.js';
import type { BreakerRegistry } from '../registry/BreakerRegistry.js';

/**
 * A class of errors; it matches its subclasses too.
 *
 * @public
 */
export type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * An error class, or a predicate that returns true for errors to exclude.
 *
 * @public
 */
export type ExcludeRule = ErrorClass | ((error: unknown) => boolean);

/**
 * Options of {@link circuitBreaker}. All are optional; an unknown key is an error.
 *
 * @public
 */
export interface CircuitBreakerConfig {
  /** Names the breaker in errors, events and shared-store keys. Default `'circuit-breaker'`. */
  readonly name?: string;
  /**
   * Consecutive failures that open the circuit: an integer ≥ 1, or `Infinity` for no consecutive rule. Default 5;
   * with a rate rule (`failureRate`, `slowCallRate`) and no `failMax`, `Infinity`.
   */
  readonly failMax?: number;
  /**
   * How long the circuit stays open before trial calls are admitted: milliseconds (≥ 0, at most 100 years), or a
   * function of the opening (`{ attempt, error }`) such as `exponentialBackoff` (a longer answer is cut to 100
   * years). Default 60000. For a circuit that never reopens by itself, `isolate()` it.
   */
  readonly resetTimeout?: ResetTimeout;
  /** Consecutive trial successes that close a half-open circuit: an integer ≥ 1. Default 1. */
  readonly successThreshold?: number;
  /** Trial calls admitted at once in half-open: an integer ≥ 1. Default 1. */
  readonly halfOpenMaxCalls?: number;
  /**
   * Errors that are not failures: they count as successes (as in pybreaker) and still reach the subscriber.
   * A class matches its subclasses; a predicate that throws counts the error as a failure.
   */
  readonly exclude?: readonly ExcludeRule[];
  /**
   * Errors that are neither failures nor successes (a cancellation, a client error): not counted anywhere, they
   * free a half-open trial slot and reach the subscriber unchanged; `events$` reports them as `'neutral'`. Same
   * rules as `exclude`, which they win over when both match.
   */
  readonly ignore?: readonly ExcludeRule[];
  /**
   * Tells a failing value from a good one (`(value) => value.status >= 500`, say): the first value it accepts makes
   * the call a failure at that moment, recorded before the value goes on downstream (it is still delivered). A
   * `failWhen` that throws counts the call as a failure too.
   */
  readonly failWhen?: (value: unknown) => boolean;
  /** Trip when failures / calls in the window reach this rate: a number in (0, 1]. */
  readonly failureRate?: number;
  /**
   * Trip when slow calls / calls in the window reach this rate: a number in (0, 1]. Setting it tracks slow calls.
   */
  readonly slowCallRate?: number;
  /**
   * A call slower than this many milliseconds is slow: greater than 0, at most 100 years. Default 60000 (needs
   * `slowCallRate`).
   */
  readonly slowCallDuration?: number;
  /**
   * Calls the window must hold before a rate is judged: an integer ≥ 1. Default: a count window's size, or 10 for
   * a time window (needs a rate rule).
   */
  readonly minimumCalls?: number;
  /**
   * What the rate rules judge: `{ calls: N }`, the last N counted calls (N at most 1,000,000), or
   * `{ duration: ms, buckets? }`, the last `ms` (at most 100 years) of scheduler time in `buckets` steps (default
   * 10, at most 1000).
   * Default `{ calls: 100 }` (needs a rate rule).
   */
  readonly window?: WindowSettings;
  /** A half-open circuit that has not closed within this many milliseconds re-opens: above 0, at most 100 years. */
  readonly maxHalfOpenWait?: number;
  /**
   * Whether the call that opens the circuit errors with a {@link CircuitBreakerError} (`true`, the default,
   * carrying the original error as `cause`) or with the original error (`false`).
   */
  readonly throwNewErrorOnTrip?: boolean;
  /** Where time comes from and where the reset timer runs. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Where the state lives. Default: in this process ({@link memoryStore}). */
  readonly store?: StateStoreFactory;
  /**
   * Where the `circuit_breaker.state_change` spans go. Default: the global tracer of
   * `@opentelemetry/api` when it is installed (tracing is off when it is not). `false` turns
   * tracing off.
   */
  readonly tracer?: TracerLike | false;
  /**
   * Where the `circuit_breaker.*` metrics go. Default: the global meter of `@opentelemetry/api`
   * when it is installed and an SDK is registered before the breaker is created. `false` turns
   * metrics off.
   */
  readonly meter?: MeterLike | false;
  /**
   * The registry the breaker joins (the admin handler and health routes read it). Default: the process-wide
   * {@link breakerRegistry}. `false` keeps it out of every registry.
   */
  readonly registry?: BreakerRegistry | false;
}
