/**
 * The state a store keeps for one breaker: a tagged union on `name`.
 *
 * @remarks
 * `generation` goes up by one on every transition. A call remembers the generation it was admitted in, and its
 * outcome counts only while the generation is unchanged, so a slow call started before a trip cannot re-open or
 * close the circuit after it (the rule gobreaker uses). `failCounter` survives every state, as in pybreaker: a
 * failed trial call takes it from `failMax` to `failMax + 1`.
 *
 * @public
 */
export type BreakerState = ClosedState | OpenState | HalfOpenState;

/** @public */
export interface ClosedState {
  readonly name: 'closed';
  readonly generation: number;
  readonly failCounter: number;
}

/** @public */
export interface OpenState {
  readonly name: 'open';
  readonly generation: number;
  readonly failCounter: number;
  /** When the circuit opened, in the breaker scheduler's milliseconds. */
  readonly openedAt: number;
}

/** @public */
export interface HalfOpenState {
  readonly name: 'half-open';
  readonly generation: number;
  readonly failCounter: number;
  /** Consecutive trial successes so far. */
  readonly successCounter: number;
  /** Trial calls admitted and not yet finished. */
  readonly trials: number;
}

/**
 * The settings the state machine reads on every decision. They are read live, so the breaker's setters take
 * effect on the next call.
 *
 * @public
 */
export interface BreakerSettings {
  readonly failMax: number;
  readonly resetTimeout: number;
  readonly successThreshold: number;
  readonly halfOpenMaxCalls: number;
}

/** The state of a breaker that has never failed. @public */
export const initialState: ClosedState = { name: 'closed', generation: 0, failCounter: 0 };
