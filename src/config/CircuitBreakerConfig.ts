import type { SchedulerLike } from 'rxjs';
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
  /** Consecutive failures that open the circuit: an integer ≥ 1. Default 5. */
  readonly failMax?: number;
  /** Milliseconds the circuit stays open before trial calls are admitted: finite, ≥ 0. Default 60000. */
  readonly resetTimeout?: number;
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
