import { defer, from } from 'rxjs';
import type { Observable, ObservableInput } from 'rxjs';
import { Breaker } from './Breaker.js';
import type { CircuitBreakerConfig } from '../config/CircuitBreakerConfig.js';
import type {
  CircuitBreakerEvent,
  FailureEvent,
  RejectedEvent,
  SuccessEvent,
} from './CircuitBreakerEvent.js';
import type { CircuitState, Transition } from '../core/CircuitState.js';
import { protect } from './protect.js';
import { BreakerTelemetry } from '../telemetry/BreakerTelemetry.js';
import { validateConfig } from '../config/validateConfig.js';
import { Membership } from '../registry/Membership.js';
import { setBreakerOf } from './breakerOf.js';
import type { Setting } from '../config/validateConfig.js';

/**
 * A circuit breaker: an operator you pipe calls through, which also carries the breaker's state and streams.
 *
 * @remarks
 * One instance is one circuit: every pipeline it is piped into counts into the same state, like a pybreaker
 * instance living in application scope. See {@link circuitBreaker}.
 *
 * @public
 */
export interface CircuitBreaker {
  /** Runs `source` through the breaker, as one call per subscription. */
  <T>(source: Observable<T>): Observable<T>;

  /** The breaker's name. */
  readonly name: string;
  /** The state now. An open circuit whose reset timeout has elapsed already reads `'half-open'`. */
  readonly state: CircuitState;
  /** Consecutive counted failures. */
  readonly failCounter: number;
  /** Consecutive trial successes in half-open (0 in the other states). */
  readonly successCounter: number;
  /** Consecutive failures that open the circuit; setting it checks the value like the config does. */
  failMax: number;
  /** Milliseconds the circuit stays open; setting it checks the value like the config does. */
  resetTimeout: number;
  /** Trial successes that close the circuit; setting it checks the value like the config does. */
  successThreshold: number;
  /** Trial calls admitted at once in half-open; setting it checks the value like the config does. */
  halfOpenMaxCalls: number;

  /** The current state on subscribe, then each change (no repeats). */
  readonly state$: Observable<CircuitState>;
  /** Every transition, manual ones included. */
  readonly transition$: Observable<Transition>;
  /** Each counted failure. */
  readonly failure$: Observable<FailureEvent>;
  /** Each counted success; an excluded error counts as one and carries the `error`. */
  readonly success$: Observable<SuccessEvent>;
  /** Each call refused without subscribing its source. */
  readonly rejected$: Observable<RejectedEvent>;
  /** Everything above, and more, in the order it happened. */
  readonly events$: Observable<CircuitBreakerEvent>;

  /** Opens the circuit now (the reset timeout counts from now). Resolves once the store has applied it. */
  open(): Promise<void>;
  /** Closes the circuit and resets both counters. Resolves once the store has applied it. */
  close(): Promise<void>;
  /** Moves the circuit to half-open. Resolves once the store has applied it. */
  halfOpen(): Promise<void>;

  /**
   * Calls `fn(...args)` through the breaker, once per subscription. `fn` may return any `ObservableInput`
   * (a promise, an observable, an array...); if it throws, that is a failed call.
   */
  call<A extends readonly unknown[], T>(
    fn: (...args: A) => ObservableInput<T>,
    ...args: A
  ): Observable<T>;
  /** Turns `fn` into a function whose calls go through the breaker. */
  wrap<A extends readonly unknown[], T>(
    fn: (...args: A) => ObservableInput<T>,
  ): (...args: A) => Observable<T>;
  /** Stops the reset timer and any store subscription, and completes every stream. Later calls are refused. */
  dispose(): void;
}

/**
 * Creates a circuit breaker.
 *
 * @remarks
 * After `failMax` consecutive failures the circuit opens and calls fail fast with a
 * {@link CircuitBreakerError} without subscribing their source. After `resetTimeout` milliseconds it is half-open:
 * up to `halfOpenMaxCalls` trial calls run, and `successThreshold` trial successes close it again while one
 * trial failure re-opens it.
 *
 * @param config - Options; all are optional. Bad values throw a `TypeError` or `RangeError` naming the option.
 *
 * @example
 * ```ts
 * import { of } from 'rxjs';
 * import { circuitBreaker } from 'rxjs-circuit-breaker';
 *
 * const breaker = circuitBreaker({ name: 'customers-db', failMax: 5, resetTimeout: 60_000 });
 * breaker.state$.subscribe((state) => console.log('customers-db is', state));
 *
 * of({ id: '42' }).pipe(breaker).subscribe((customer) => console.log(customer));
 * const getCustomer = breaker.wrap((id: string) => Promise.resolve({ id }));
 * getCustomer('7').subscribe((customer) => console.log(customer));
 * ```
 * @public
 */
export function circuitBreaker(config: CircuitBreakerConfig = {}): CircuitBreaker {
  const resolved = validateConfig(config);
  const telemetry = new BreakerTelemetry(resolved);
  // operations: the registry hears transitions as an observer that ignores ordinary calls.
  const membership = resolved.registry && new Membership(resolved.registry, resolved.name);
  const observers = membership ? [...telemetry.observers, membership] : telemetry.observers;
  const breaker = new Breaker(resolved, observers);
  telemetry.attach(breaker);
  const operator = <T>(source: Observable<T>): Observable<T> => protect(breaker, source);
  const call = <A extends readonly unknown[], T>(
    fn: (...args: A) => ObservableInput<T>,
    ...args: A
  ) =>
    protect(
      breaker,
      defer(() => from(fn(...args))),
    );
  const breakerOperator = Object.defineProperties(operator, {
    name: { value: breaker.name },
    state: { get: () => breaker.state },
    failCounter: { get: () => breaker.failCounter },
    successCounter: { get: () => breaker.successCounter },
    failMax: setting(breaker, 'failMax'),
    resetTimeout: setting(breaker, 'resetTimeout'),
    successThreshold: setting(breaker, 'successThreshold'),
    halfOpenMaxCalls: setting(breaker, 'halfOpenMaxCalls'),
    state$: { value: breaker.state$ },
    transition$: { value: breaker.transition$ },
    failure$: { value: breaker.failure$ },
    success$: { value: breaker.success$ },
    rejected$: { value: breaker.rejected$ },
    events$: { value: breaker.events$ },
    open: { value: () => breaker.open() },
    close: { value: () => breaker.close() },
    halfOpen: { value: () => breaker.halfOpen() },
    call: { value: call },
    wrap: {
      value:
        <A extends readonly unknown[], T>(fn: (...args: A) => ObservableInput<T>) =>
        (...args: A) =>
          call(fn, ...args),
    },
    dispose: {
      value: () => {
        breaker.dispose();
        telemetry.detach();
        if (membership) membership.leave(); // operations
      },
    },
  }) as CircuitBreaker;
  // A typo such as `breaker.failmax = 3` throws (in strict code) instead of being silently ignored.
  Object.preventExtensions(breakerOperator);
  // operations: groups and the registry reach the Breaker through the operator.
  setBreakerOf(breakerOperator, breaker);
  if (membership) membership.attach(breakerOperator);
  return breakerOperator;
}

function setting(breaker: Breaker, key: Setting): PropertyDescriptor {
  return {
    get: () => breaker[key],
    set: (value: number) => {
      breaker[key] = value;
    },
  };
}
