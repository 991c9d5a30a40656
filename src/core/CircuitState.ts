/**
 * Every state a circuit can be in: the one list {@link CircuitState}, option checks and telemetry come from.
 *
 * @public
 */
export const circuitStates = ['closed', 'open', 'half-open'] as const;

/**
 * The three states of a circuit breaker, named as pybreaker names them.
 *
 * @remarks
 * `'closed'`: calls flow and failures are counted. `'open'`: calls are refused at once without touching the
 * protected service. `'half-open'`: the reset timeout has elapsed and a limited number of trial calls decide
 * whether the circuit closes again or re-opens.
 *
 * @public
 */
export type CircuitState = (typeof circuitStates)[number];

/**
 * Why a transition happened.
 *
 * @remarks
 * - `'failure_threshold'`: a counted failure brought the failure counter to `failMax` (closed → open).
 * - `'trial_failure'`: a trial call failed in half-open (half-open → open).
 * - `'trial_success'`: `successThreshold` trial calls succeeded (half-open → closed).
 * - `'reset_timeout'`: `resetTimeout` elapsed since the circuit opened (open → half-open).
 * - `'manual'`: `open()`, `close()` or `halfOpen()` was called.
 * - `'remote'`: the store changed the state under this process: another process sharing the store made the
 *   transition (this one only mirrors it), or the store resynchronised with the shared state or switched to its
 *   fallback state.
 *
 * @public
 */
export type TransitionReason =
  'failure_threshold' | 'trial_failure' | 'trial_success' | 'reset_timeout' | 'manual' | 'remote';

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
}
