import type { CircuitState } from '../core/CircuitState.js';

/** Shared by every copy of this package loaded in one process, so the guard works across duplicates. */
const brand = Symbol.for('rxjs-circuit-breaker.CircuitBreakerError');

/**
 * The error a breaker raises instead of running a call: the circuit is open, a trial call failed, or the call
 * that reached `failMax` tripped it.
 *
 * @remarks
 * On the call that trips the circuit, `cause` is the original error (pybreaker chains it as `__context__`).
 * Use {@link isCircuitBreakerError} rather than `instanceof`: it also recognises errors from another copy of
 * this package.
 *
 * @example
 * ```ts
 * import { catchError, of } from 'rxjs';
 * import { circuitBreaker, isCircuitBreakerError } from 'rxjs-circuit-breaker';
 *
 * const breaker = circuitBreaker({ name: 'prices' });
 * const price$ = of(42).pipe(
 *   breaker,
 *   catchError((error: unknown) => (isCircuitBreakerError(error) ? of(0) : Promise.reject(error))),
 * );
 * ```
 * @public
 */
export class CircuitBreakerError extends Error {
  override readonly name = 'CircuitBreakerError';
  /** The name of the breaker that raised it. */
  readonly breakerName: string;
  /** The state the breaker was in when it raised it. */
  readonly state: CircuitState;

  constructor(
    message: string,
    breakerName: string,
    state: CircuitState,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.breakerName = breakerName;
    this.state = state;
  }
}

// On the prototype rather than on each instance: refusals are on the hot path of an open circuit.
Object.defineProperty(CircuitBreakerError.prototype, brand, { value: true });

/**
 * Tells whether `error` is a {@link CircuitBreakerError}, from this or any other copy of the package.
 *
 * @public
 */
export function isCircuitBreakerError(error: unknown): error is CircuitBreakerError {
  return (
    error instanceof Error && (error as Partial<Record<typeof brand, unknown>>)[brand] === true
  );
}
