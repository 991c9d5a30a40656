import type { CircuitState, Transition } from '../core/CircuitState.js';

/**
 * A counted failure: the call errored with an error that is neither excluded nor ignored, or emitted a value
 * `failWhen` accepted.
 *
 * @public
 */
export interface FailureEvent {
  readonly type: 'failure';
  /** When it happened, in the breaker scheduler's milliseconds. */
  readonly time: number;
  /** The call's error; the value, when `failWhen` accepted one; what `failWhen` threw, when it threw. */
  readonly error: unknown;
  /** The consecutive failure counter after this failure. */
  readonly failCounter: number;
  /** How long the call ran, in milliseconds (from its admission). */
  readonly duration: number;
  /** Present when the call was slow (slow calls are tracked when `slowCallRate` is set). */
  readonly slow?: true;
}

/**
 * A counted success: the call completed, or was unsubscribed after delivering a value, or errored with an
 * excluded error (then `error` carries it).
 *
 * @public
 */
export interface SuccessEvent {
  readonly type: 'success';
  readonly time: number;
  /** The excluded error, when the success is an excluded error. */
  readonly error?: unknown;
  readonly duration: number;
  /** Present when the call was slow (slow calls are tracked when `slowCallRate` is set). */
  readonly slow?: true;
}

/**
 * A call refused without subscribing its source.
 *
 * @public
 */
export interface RejectedEvent {
  readonly type: 'rejected';
  readonly time: number;
  /** The state that refused it: `'open'`, `'isolated'`, or `'half-open'` with every trial slot taken. */
  readonly state: CircuitState;
}

/**
 * A transition, as on `transition$`, with what caused it and the counters after it.
 *
 * @public
 */
export interface TransitionEvent extends Transition {
  readonly type: 'transition';
  readonly time: number;
  /**
   * The error of the call whose failure made the transition (`'failure_threshold'`, `'failure_rate'`,
   * `'trial_failure'`), or the value `failWhen` accepted.
   */
  readonly cause?: unknown;
  /** The consecutive failure counter after the transition. */
  readonly failCounter: number;
  /** The consecutive trial success counter after the transition (0 outside half-open). */
  readonly successCounter: number;
}

/**
 * A call admitted: its source is about to be subscribed.
 *
 * @public
 */
export interface CallEvent {
  readonly type: 'call';
  readonly time: number;
  /** True for a trial call in half-open. */
  readonly trial: boolean;
}

/**
 * A call unsubscribed before it delivered a value or terminated. It is not counted; in half-open its trial slot
 * is given back.
 *
 * @public
 */
export interface CancelledEvent {
  readonly type: 'cancelled';
  readonly time: number;
  readonly duration: number;
}

/**
 * A call's outcome that arrived after the circuit had already changed state since the call was admitted (for
 * example a slow call that fails after the circuit opened). It is not counted, so it cannot move the new state.
 *
 * @public
 */
export interface IgnoredEvent {
  readonly type: 'ignored';
  readonly time: number;
  readonly outcome: 'success' | 'failure';
  readonly error?: unknown;
  readonly duration: number;
  /** Present when the call was slow (slow calls are tracked when `slowCallRate` is set). */
  readonly slow?: true;
}

/**
 * A call ended with an error that `ignore` names: neither a success nor a failure. Nothing is counted, a half-open
 * trial slot is given back, and the error reaches the subscriber unchanged.
 *
 * @public
 */
export interface NeutralEvent {
  readonly type: 'neutral';
  readonly time: number;
  readonly error: unknown;
  readonly duration: number;
}

/**
 * The state store failed (a Redis command failed or timed out, say). The breaker went on deciding on its local
 * state; the call was not affected.
 *
 * @public
 */
export interface StoreErrorEvent {
  readonly type: 'store-error';
  readonly time: number;
  readonly error: unknown;
}

/**
 * Everything a breaker reports on `events$`, discriminated by `type`.
 *
 * @public
 */
export type CircuitBreakerEvent =
  | CallEvent
  | SuccessEvent
  | FailureEvent
  | RejectedEvent
  | CancelledEvent
  | IgnoredEvent
  | NeutralEvent
  | TransitionEvent
  | StoreErrorEvent;
