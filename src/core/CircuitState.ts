/**
 * Every state a circuit can be in: the one list {@link CircuitState}, option checks and telemetry come from.
 *
 * @public
 */
export const circuitStates = ['closed', 'open', 'half-open', 'isolated', 'disabled'] as const;

/**
 * The states of a circuit breaker: pybreaker's three, and two held by hand.
 *
 * @remarks
 * `'closed'`: calls flow and failures are counted. `'open'`: calls are refused at once without touching the
 * protected service. `'half-open'`: the reset timeout has elapsed and a limited number of trial calls decide
 * whether the circuit closes again or re-opens. `'isolated'`: held open by hand, every call refused and no reset
 * timer, until `close()`. `'disabled'`: metrics only, every call runs and is counted, and no rule ever trips it.
 *
 * @public
 */
export type CircuitState = (typeof circuitStates)[number];

/**
 * Why a transition happened.
 *
 * @remarks
 * - `'failure_threshold'`: a counted failure brought the failure counter to `failMax` (closed → open).
 * - `'failure_rate'`: the failure rate in the window reached `failureRate` (closed → open).
 * - `'slow_call_rate'`: the slow-call rate in the window reached `slowCallRate` (closed → open).
 * - `'trial_failure'`: a trial call failed (or was slow, when slow calls are tracked) in half-open
 *   (half-open → open).
 * - `'trial_success'`: `successThreshold` trial calls succeeded (half-open → closed).
 * - `'reset_timeout'`: the open time elapsed since the circuit opened (open → half-open).
 * - `'half_open_timeout'`: `maxHalfOpenWait` elapsed in half-open without the circuit closing (half-open → open).
 * - `'manual'`: `open()`, `close()`, `halfOpen()`, `isolate()` or `disable()` was called.
 * - `'remote'`: the store changed the state under this process: another process sharing the store made the
 *   transition (this one only mirrors it), or the store resynchronised with the shared state or switched to its
 *   fallback state.
 *
 * @public
 */
export type TransitionReason =
  | 'failure_threshold'
  | 'failure_rate'
  | 'slow_call_rate'
  | 'trial_failure'
  | 'trial_success'
  | 'reset_timeout'
  | 'half_open_timeout'
  | 'manual'
  | 'remote';

/**
 * One change of state. `from` and `to` can be equal for a manual transition (pybreaker fires `state_change` for
 * `close()` on a closed circuit too).
 *
 * @public
 */
export interface Transition {
  readonly from: CircuitState;
  readonly to: CircuitState;
  readonly reason: TransitionReason;
  /** When `to` is `'open'`: the moment trial calls will be admitted, in the breaker scheduler's milliseconds. */
  readonly retryAt?: number;
}
