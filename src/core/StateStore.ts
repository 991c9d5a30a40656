import type { SchedulerLike } from 'rxjs';
import type { CircuitState, Transition } from './CircuitState.js';
import type { BreakerSnapshot } from './BreakerSnapshot.js';
import type { BreakerSettings, BreakerState } from './BreakerState.js';
import type { Admission, Permit, Recorded, Step } from './stateMachine.js';

/**
 * A value now, or a native `Promise` of it later. The in-memory store answers synchronously, so marble tests stay
 * exact and the hot path never allocates a promise.
 *
 * @public
 */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Where a breaker keeps its state. One store serves one breaker.
 *
 * @remarks
 * Every method applies one rule of the state machine and returns what happened. A store that shares state
 * between processes keeps a local copy in `state` (read synchronously on every call), answers from it where the
 * rules allow, and reports transitions made elsewhere through {@link StoreContext.reportTransition}.
 *
 * A store never throws into a call and never rejects: when its backend fails it reports the error through
 * {@link StoreContext.reportError} and decides on its local copy.
 *
 * A store that keeps the window of the rate rules (`failureRate`, `slowCallRate`) records counted outcomes in it
 * and empties it on every transition.
 *
 * @public
 */
export interface StateStore {
  /** The local view of the state. */
  readonly state: BreakerState;
  /** Moves an open circuit whose reset timeout has elapsed to half-open. */
  settle(now: number): MaybePromise<Step>;
  /** Admits a call or refuses it. */
  acquire(now: number): MaybePromise<Admission>;
  /**
   * Gives back the permit of a call that ended without an outcome: unsubscribed before it delivered anything, or
   * ended with an ignored error (neither success nor failure: nothing is recorded, a trial slot is freed).
   */
  release(permit: Permit): void;
  /**
   * A success (or an excluded error) at `now`, `duration` ms after the call's admission (a slow call when slow
   * calls are tracked).
   */
  recordSuccess(permit: Permit, now: number, duration: number): MaybePromise<Recorded>;
  /**
   * A failure at `now`, `duration` ms after the call's admission; `error` is what the call failed with (given to a
   * `resetTimeout` function if it trips the circuit).
   */
  recordFailure(
    permit: Permit,
    now: number,
    duration: number,
    error: unknown,
  ): MaybePromise<Recorded>;
  /** A manual transition, to any state from any state. */
  force(to: CircuitState, now: number): MaybePromise<Step>;
  /** The state (and window figures) as read at `now`, as plain data (see {@link BreakerSnapshot}). */
  snapshot(now: number): BreakerSnapshot;
  /** Stops background work (subscriptions, timers); leaves user-owned resources open. */
  dispose(): void;
}

/**
 * What a breaker tells its store when it creates it.
 *
 * @public
 */
export interface StoreContext {
  /** The breaker's name; stores that share state key it by this name. */
  readonly name: string;
  /** The breaker's current settings (read them on every decision: setters change them). */
  readonly settings: BreakerSettings;
  readonly scheduler: SchedulerLike;
  /** False when the user gave no `name` and the breaker uses the default one (a shared store should refuse it). */
  readonly explicitName: boolean;
  /** Reports a store fault; it is emitted on the breaker's `events$` as a `'store-error'` event. */
  reportError(error: unknown): void;
  /**
   * Reports a transition no call of this breaker made: one made elsewhere (reason `'remote'`: another process
   * sharing the store made it, or the store resynchronised or switched to its fallback), or one the store decided
   * outside any call, with its own reason (the Redis store's timed flush of its batched outcomes may trip the
   * circuit: `'failure_rate'`). Call it after `state` already reflects it.
   */
  reportTransition(transition: Transition): void;
}

/**
 * The `store` option: builds the store for one breaker.
 *
 * @public
 */
export type StateStoreFactory = (context: StoreContext) => StateStore;
