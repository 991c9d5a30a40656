/**
 * The state a store keeps for one breaker: a tagged union on `name`.
 *
 * @remarks
 * `generation` goes up by one on every transition. A call remembers the generation it was admitted in, and its
 * outcome counts only while the generation is unchanged, so a slow call started before a trip cannot re-open or
 * close the circuit after it (the rule gobreaker uses). `failCounter` survives every state, as in pybreaker: a
 * failed trial call takes it from `failMax` to `failMax + 1`. `attempt` counts the openings since the circuit was
 * last closed (0 while it has not opened since), so a `resetTimeout` function can grow the open time.
 *
 * @public
 */
export type BreakerState = ClosedState | OpenState | HalfOpenState | IsolatedState | DisabledState;

/** @public */
export interface ClosedState {
  readonly name: 'closed';
  readonly generation: number;
  readonly failCounter: number;
  readonly attempt: number;
}

/** @public */
export interface OpenState {
  readonly name: 'open';
  readonly generation: number;
  readonly failCounter: number;
  readonly attempt: number;
  /** When the circuit opened, in the breaker scheduler's milliseconds. */
  readonly openedAt: number;
  /**
   * The open time chosen when the circuit opened: what a `resetTimeout` function returned. A numeric
   * `resetTimeout` is read live instead (as pybreaker does), so its setter moves the retry time of an open circuit.
   */
  readonly openFor: number;
}

/** @public */
export interface HalfOpenState {
  readonly name: 'half-open';
  readonly generation: number;
  readonly failCounter: number;
  readonly attempt: number;
  /** Consecutive trial successes so far. */
  readonly successCounter: number;
  /**
   * One entry per trial call admitted and not yet finished: the moment its slot frees itself if the call never
   * ends (`trialPermitTtl` after its admission, in the breaker scheduler's milliseconds; `Infinity` when trials
   * are not bounded in time).
   */
  readonly trialDeadlines: readonly number[];
  /** When the circuit became half-open (`maxHalfOpenWait` counts from there). */
  readonly since: number;
}

/** Held open by hand: every call refused, no reset timer, until a manual transition. @public */
export interface IsolatedState {
  readonly name: 'isolated';
  readonly generation: number;
  readonly failCounter: number;
  readonly attempt: number;
}

/** Metrics only: every call runs and is counted, and no rule trips the circuit. @public */
export interface DisabledState {
  readonly name: 'disabled';
  readonly generation: number;
  readonly failCounter: number;
  readonly attempt: number;
}

/**
 * How long an open circuit stays open: milliseconds, or a function of the opening (see
 * `exponentialBackoff`).
 *
 * @public
 */
export type ResetTimeout = number | ((opening: Opening) => number);

/** What a `resetTimeout` function is told about an opening. @public */
export interface Opening {
  /** Consecutive openings since the circuit was last closed, this one included (1 on the first). */
  readonly attempt: number;
  /** The error of the call that tripped the circuit; `undefined` for a manual opening, a slow call or a timeout. */
  readonly error: unknown;
}

/**
 * The last calls (`{ calls }`) or the last milliseconds of scheduler time, in `buckets` steps (`{ duration }`)
 * that the rate rules judge.
 *
 * @public
 */
export type WindowSettings =
  { readonly calls: number } | { readonly duration: number; readonly buckets?: number };

/**
 * The settings the state machine reads on every decision. They are read live, so the breaker's setters take
 * effect on the next call.
 *
 * @public
 */
export interface BreakerSettings {
  /** Consecutive failures that trip a closed circuit; `Infinity` turns the rule off (see `resolveFailMax`). */
  readonly failMax: number;
  readonly resetTimeout: ResetTimeout;
  readonly successThreshold: number;
  readonly halfOpenMaxCalls: number;
  /** Trip when failures / calls in the window reaches this rate, in (0, 1]. */
  readonly failureRate?: number;
  /** Trip when slow calls / calls in the window reaches this rate, in (0, 1]; slow calls are tracked when set. */
  readonly slowCallRate?: number;
  /** A call that takes strictly longer than this many milliseconds is slow. Default 60000. */
  readonly slowCallDuration?: number;
  /** Calls the window must hold before a rate is judged. Default: a count window's size, or 10. */
  readonly minimumCalls?: number;
  /** Default `{ calls: 100 }`. */
  readonly window?: WindowSettings;
  /** A half-open circuit that has not closed within this many milliseconds re-opens. */
  readonly maxHalfOpenWait?: number;
}

/** The state of a breaker that has never failed. @public */
export const initialState: ClosedState = {
  name: 'closed',
  generation: 0,
  failCounter: 0,
  attempt: 0,
};
