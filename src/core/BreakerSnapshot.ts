import type { BreakerSettings, BreakerState } from './BreakerState.js';
import type { CircuitState } from './CircuitState.js';
import type { WindowFigures } from './OutcomeWindow.js';
import { halfOpenAt, settle } from './stateMachine.js';

/**
 * A breaker's state as plain JSON-safe data: what `snapshot()` returns and `memoryStore(snapshot)` restores.
 * Times are the breaker scheduler's milliseconds.
 *
 * @public
 */
export interface BreakerSnapshot {
  /** The breaker's name. */
  readonly name: string;
  /** The state as the breaker's `state` getter reads it at that moment. */
  readonly state: CircuitState;
  readonly failCounter: number;
  /** Consecutive trial successes (half-open), else 0. */
  readonly successCounter: number;
  /** When the circuit opened, when it is open; else `null`. */
  readonly openedAt: number | null;
  /** When trial calls will be admitted, when it is open; else `null`. */
  readonly retryAt: number | null;
  /** Consecutive openings since the circuit was last closed. */
  readonly attempt: number;
  /** The window's figures, when a rate rule is set. */
  readonly window?: WindowFigures;
}

/** The snapshot of `state` as read at `now`, with the window's figures at `now` when a rate rule is set. */
export function snapshotOf(
  name: string,
  state: BreakerState,
  now: number,
  settings: BreakerSettings,
  window?: WindowFigures,
): BreakerSnapshot {
  const current = settle(state, now, settings).state;
  const open = current.name === 'open';
  const snapshot: BreakerSnapshot = {
    name,
    state: current.name,
    failCounter: current.failCounter,
    successCounter: current.name === 'half-open' ? current.successCounter : 0,
    openedAt: open ? current.openedAt : null,
    retryAt: open ? halfOpenAt(current, settings) : null,
    attempt: current.attempt,
  };
  return window ? { ...snapshot, window } : snapshot;
}
