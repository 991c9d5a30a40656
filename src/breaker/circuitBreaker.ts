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
import type { ResetTimeout } from '../core/BreakerState.js';
import type { BreakerSnapshot } from '../core/BreakerSnapshot.js';
import type { ExcludeRule } from '../config/CircuitBreakerConfig.js';
import { protect } from './protect.js';
import { BreakerTelemetry } from '../telemetry/BreakerTelemetry.js';
import { validateConfig } from '../config/validateConfig.js';
import { Membership } from '../registry/Membership.js';
import { breakerOf, internal } from './breakerOf.js';
import { bothObservers } from './bothObservers.js';

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
  /**
   * The state now. An open circuit whose reset timeout has elapsed already reads `'half-open'`, and a half-open one
   * past `maxHalfOpenWait` reads `'open'`.
   */
  readonly state: CircuitState;
  /** Consecutive counted failures. */
  readonly failCounter: number;
  /** Consecutive trial successes in half-open (0 in the other states). */
  readonly successCounter: number;
  /**
   * Consecutive failures that open the circuit (`Infinity`: no consecutive rule, as with a rate rule and no
   * `failMax`); setting it checks the value like the config does, so `Infinity` turns the rule off.
   */
  failMax: number;
  /**
   * How long the circuit stays open: milliseconds or a function of the opening; setting it checks the value like
   * the config does.
   */
  resetTimeout: ResetTimeout;
  /** Trial successes that close the circuit; setting it checks the value like the config does. */
  successThreshold: number;
  /** Trial calls admitted at once in half-open; setting it checks the value like the config does. */
  halfOpenMaxCalls: number;
  /** Errors that count as successes (pybreaker's excluded errors); setting it checks the rules like the config does. */
  exclude: readonly ExcludeRule[];
  /**
   * Errors that count as neither success nor failure (they win over `exclude`); setting it checks the rules like
   * the config does.
   */
  ignore: readonly ExcludeRule[];

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
   * Holds the circuit open (state `'isolated'`): every call is refused with `kind: 'isolated'` and no timer runs,
   * until `close()` (or another manual transition). Resolves once the store has applied it.
   */
  isolate(): Promise<void>;
  /**
   * Switches the rules off (state `'disabled'`): every call runs and is counted on the streams and in the window,
   * and nothing trips the circuit, until another manual transition. Resolves once the store has applied it.
   */
  disable(): Promise<void>;
  /**
   * The breaker's state as JSON-safe data (state, counters, `openedAt`, `retryAt`, `attempt`, and the window's
   * figures when a rate rule is set): pass it to `memoryStore(snapshot)` to restore it, across a restart say.
   */
  snapshot(): BreakerSnapshot;

  /**
   * Calls `fn(...args)` through the breaker, once per subscription. `fn` may return any `ObservableInput`
   * (a promise, an observable, an array...); if it throws, that is a failed call.
   *
   * @remarks
   * Named `execute` (cockatiel's word) so that `call`, `apply` and `bind` stay `Function.prototype`'s: the breaker
   * is a function, and code that invokes it with `.call()` (down-levelled `this.op?.(x)`, say) must work.
   */
  execute<A extends readonly unknown[], T>(
    fn: (...args: A) => ObservableInput<T>,
    ...args: A
  ): Observable<T>;
  /** Turns `fn` into a function whose calls go through the breaker; it keeps `fn`'s `name`. */
  wrap<A extends readonly unknown[], T>(
    fn: (...args: A) => ObservableInput<T>,
  ): (...args: A) => Observable<T>;
  /**
   * Stops the reset timer and any store subscription, and completes every stream. Later calls are refused, and
   * later manual transitions (`open()`, `close()`...) reject, with a `CircuitBreakerError` of kind `'disposed'`.
   * A call admitted before still delivers its outcome, which is not recorded: a disposed breaker never moves its
   * circuit.
   */
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
  // operations: the registry hears transitions as an observer that ignores ordinary calls.
  const membership = resolved.registry
    ? new Membership(resolved.registry, resolved.name)
    : undefined;
  const breaker = new Breaker(resolved, bothObservers(BreakerTelemetry.of(resolved), membership));
  // A computed key names the function as it is created: redefining `name` afterwards would turn the function
  // into a slow, larger dictionary-mode object.
  const { [breaker.name]: operator } = {
    [breaker.name]<T>(source: Observable<T>): Observable<T> {
      return protect(breaker, source);
    },
  };
  Object.setPrototypeOf(operator, circuitBreakerPrototype);
  Object.defineProperty(operator, internal, { value: breaker });
  // A typo such as `breaker.failmax = 3` throws (in strict code) instead of being silently ignored.
  Object.preventExtensions(operator);
  membership?.attach(operator as CircuitBreaker);
  return operator as CircuitBreaker;
}

/** The members of {@link CircuitBreaker} besides the function's own `name`: each is the `Breaker`'s. */
type Member = Exclude<keyof CircuitBreaker, 'name'>;

// A record, so that the compiler refuses a member of the interface missing here (or one too many).
const delegated: Record<Member, true> = {
  state: true,
  failCounter: true,
  successCounter: true,
  failMax: true,
  resetTimeout: true,
  successThreshold: true,
  halfOpenMaxCalls: true,
  exclude: true,
  ignore: true,
  state$: true,
  transition$: true,
  failure$: true,
  success$: true,
  rejected$: true,
  events$: true,
  open: true,
  close: true,
  halfOpen: true,
  isolate: true,
  disable: true,
  snapshot: true,
  execute: true,
  wrap: true,
  dispose: true,
};

/**
 * The members every public breaker shares, each delegating to the breaker's internal `Breaker`: accessors for
 * the state, counters, settings and streams, methods for the rest. One prototype for all breakers keeps each
 * breaker small. It inherits `Function.prototype`, so `call`, `apply` and `bind` work as on any function.
 */
const circuitBreakerPrototype = Object.create(
  Function.prototype,
  Object.fromEntries(
    (Object.keys(delegated) as Member[]).map((member) => [member, delegate(member)]),
  ),
) as object;

function delegate(member: Member): PropertyDescriptor {
  const inner = Object.getOwnPropertyDescriptor(Breaker.prototype, member);
  if (typeof inner?.value === 'function') {
    const method = inner.value as (...args: unknown[]) => unknown;
    return {
      value(this: unknown, ...args: unknown[]) {
        return method.apply(breakerOf(this as object), args);
      },
    };
  }
  const get = function (this: unknown): unknown {
    return Reflect.get(breakerOf(this as object), member);
  };
  if (typeof inner?.set !== 'function') return { get };
  return {
    get,
    set(this: unknown, value: unknown) {
      Reflect.set(breakerOf(this as object), member, value);
    },
  };
}
