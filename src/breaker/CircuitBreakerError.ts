import { crossCopyBrand } from './crossCopyBrand.js';
import type { CircuitState } from '../core/CircuitState.js';

/**
 * Every kind of {@link CircuitBreakerError}: its message, and whether the call was refused without touching the
 * service (a refusal) or ran and failed (its error is the `cause`). A new kind is a row here and a name in
 * {@link CircuitBreakerErrorKind} (the compiler asks for the one missing).
 */
const kinds: Readonly<Record<CircuitBreakerErrorKind, { refusal: boolean; message: string }>> = {
  open: { refusal: true, message: 'Timeout not elapsed yet, circuit breaker still open' },
  'trials-busy': { refusal: true, message: 'Trial calls in progress, circuit breaker half-open' },
  isolated: { refusal: true, message: 'Circuit breaker isolated: held open until close()' },
  tripped: { refusal: false, message: 'Failures threshold reached, circuit breaker opened' },
  'trial-failed': { refusal: false, message: 'Trial call failed, circuit breaker opened' },
  disposed: { refusal: true, message: 'Circuit breaker disposed' },
};

/**
 * What a {@link CircuitBreakerError} says happened.
 *
 * @remarks
 * Refusals (the call's source was never subscribed):
 * - `'open'`: the circuit is open; `retryAt` says when trial calls will be admitted.
 * - `'trials-busy'`: the circuit is half-open and every trial slot is taken.
 * - `'isolated'`: the circuit is held open by `isolate()` until `close()`.
 * - `'disposed'`: the breaker was disposed.
 *
 * Failures (the call ran and failed; its error is the `cause`):
 * - `'tripped'`: this call's error opened the circuit (a rule fired: `failMax`, `failureRate`, `slowCallRate`).
 *   A failing value or a slow success that trips is delivered unchanged instead.
 * - `'trial-failed'`: this trial call failed and re-opened the circuit.
 *
 * @public
 */
export type CircuitBreakerErrorKind =
  'open' | 'trials-busy' | 'isolated' | 'tripped' | 'trial-failed' | 'disposed';

/**
 * The error a breaker raises instead of running a call, or in place of the error of the call that opened the
 * circuit; its `kind` says which.
 *
 * @remarks
 * On the call that trips the circuit (`'tripped'`, `'trial-failed'`), `cause` is the original error (pybreaker
 * chains it as `__context__`): log it, it is a real failure. {@link isRefusal} tells a refused call from one that
 * ran. Use {@link isCircuitBreakerError} rather than `instanceof`: it also recognises errors from another copy of
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
  /** Always `'CircuitBreakerError'`; on the prototype, as a native error's `name` is. */
  // Set below, not on each error: a refusal is built at the rate calls arrive. The fields below are declared
  // only: the constructor sets each once, in the order JSON.stringify shows them.
  declare readonly name: 'CircuitBreakerError';
  /**
   * What happened: a refusal (`'open'`, `'trials-busy'`, `'isolated'`, `'disposed'`) or a failure that opened the
   * circuit (`'tripped'`, `'trial-failed'`).
   */
  declare readonly kind: CircuitBreakerErrorKind;
  /** The name of the breaker that raised it. */
  declare readonly breakerName: string;
  /** The state the breaker was in when it raised it. */
  declare readonly state: CircuitState;
  /**
   * On an `'open'` refusal: when trial calls will be admitted, in the breaker scheduler's milliseconds (compare it
   * with `scheduler.now()`, which is `Date.now()` by default).
   */
  declare readonly retryAt?: number;

  constructor(
    kind: CircuitBreakerErrorKind,
    breakerName: string,
    state: CircuitState,
    options?: { cause?: unknown; retryAt?: number },
  ) {
    // Error's options only when there is a cause: handing it an object costs every refusal about 15% more.
    super(undefined, options && 'cause' in options ? options : undefined);
    // Assigned, not passed to Error: the runtime's own message property costs a refusal about 6% more (measured:
    // docs/BENCHMARKS.md). Assigned, it is enumerable, so JSON.stringify keeps it.
    this.message = kinds[kind].message;
    this.kind = kind;
    this.breakerName = breakerName;
    this.state = state;
    this.retryAt = options?.retryAt;
  }
}

Object.defineProperty(CircuitBreakerError.prototype, 'name', {
  value: 'CircuitBreakerError',
  writable: true,
  configurable: true,
});

/** The kinds of {@link CircuitBreakerError} a breaker raises without running the call. */
export type RefusalKind = 'open' | 'trials-busy' | 'isolated' | 'disposed';

/**
 * The error of a refused call, built without a stack trace: the stack would show only RxJS internals, and
 * capturing it is most of what a refusal costs (an open circuit refuses at the rate calls arrive). Its `stack` is
 * left undefined, as the runtime leaves it: writing even its first line into it costs a refusal about 20% more
 * (measured: docs/BENCHMARKS.md), and `util.inspect`, `String()` and the error's own fields say what happened.
 * Where `Error.stackTraceLimit` is read-only (frozen intrinsics, SES), the error is built as any other, stack and
 * all.
 */
export function refusalError(
  kind: RefusalKind,
  breakerName: string,
  state: CircuitState,
  retryAt?: number,
): CircuitBreakerError {
  const options = retryAt === undefined ? undefined : { retryAt };
  const stackTraceLimit = Error.stackTraceLimit;
  // Not a number, rather than 0: with 0, V8 still walks the stack (measured: 40% of a refused call's time);
  // with a non-number it captures nothing.
  if (!setStackTraceLimit(undefined))
    return new CircuitBreakerError(kind, breakerName, state, options);
  try {
    return new CircuitBreakerError(kind, breakerName, state, options);
  } finally {
    setStackTraceLimit(stackTraceLimit);
  }
}

/** Sets `Error.stackTraceLimit`; false where it is read-only (an assignment then throws: modules are strict). */
function setStackTraceLimit(limit: number | undefined): boolean {
  try {
    Error.stackTraceLimit = limit as unknown as number;
    return true;
  } catch {
    return false;
  }
}

/**
 * Tells whether `error` is a {@link CircuitBreakerError}, from this or any other copy of the package.
 *
 * @public
 */
export function isCircuitBreakerError(error: unknown): error is CircuitBreakerError {
  return isCircuitBreakerErrorBrand(error);
}

const isCircuitBreakerErrorBrand = crossCopyBrand(CircuitBreakerError, 'CircuitBreakerError');

/**
 * Tells whether a call was refused by a breaker without touching the service: the circuit was open or isolated,
 * its trial slots were taken, or the breaker was disposed. A call that ran and failed is not a refusal, even when
 * its failure opened the circuit (then it is a `CircuitBreakerError` whose `cause` is the service's error).
 *
 * @example
 * ```ts
 * import { catchError, of } from 'rxjs';
 * import { circuitBreaker, isRefusal } from 'rxjs-circuit-breaker';
 *
 * const breaker = circuitBreaker({ name: 'prices' });
 * const price$ = of(42).pipe(
 *   breaker,
 *   catchError((error: unknown) => {
 *     if (!isRefusal(error)) console.error('prices failed', error);
 *     return of(0);
 *   }),
 * );
 * ```
 * @public
 */
export function isRefusal(error: unknown): error is CircuitBreakerError {
  if (!isCircuitBreakerError(error)) return false;
  // A copy of this package from another version may raise kinds this one does not know.
  const known: Partial<Record<string, { readonly refusal: boolean }>> = kinds;
  return known[error.kind]?.refusal === true;
}
