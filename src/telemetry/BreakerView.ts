import type { CircuitState } from '../core/CircuitState.js';

/** What telemetry reads from a breaker besides its events: the state for the gauge, the counter for spans. */
export interface BreakerView {
  readonly state: CircuitState;
  readonly failCounter: number;
}
