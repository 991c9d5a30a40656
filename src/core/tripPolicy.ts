import type { BreakerSettings, ClosedState } from './BreakerState.js';

/**
 * Decides when a closed circuit trips. This is the seam where failure-rate windows, slow-call rates or other
 * policies plug in: the state machine asks it after every counted failure and knows nothing else about the rule.
 */
export interface TripPolicy {
  shouldTrip(state: ClosedState, settings: BreakerSettings): boolean;
}

/** pybreaker's rule: trip when the consecutive failure counter reaches `failMax`. */
export const consecutiveFailures: TripPolicy = {
  shouldTrip: (state, settings) => state.failCounter >= settings.failMax,
};
