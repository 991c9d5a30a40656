import type { CircuitState, Transition, TransitionReason } from './CircuitState.js';
import type { BreakerSettings, BreakerState, HalfOpenState, OpenState } from './BreakerState.js';
import { figuresOf } from './OutcomeWindow.js';
import type { OutcomeWindow } from './OutcomeWindow.js';
import { openTime } from './openTime.js';
import { isSlow, tripReason } from './tripPolicy.js';

/*
 * The circuit breaker's rules, in one place and free of I/O: every function takes a state and returns the next
 * one. Time comes in as `now`; nothing here reads a clock. The in-memory store applies these functions directly;
 * the Redis store's Lua scripts implement the same table atomically. The window of the rate rules is a ring the
 * store owns: the functions that count an outcome record it there, and the store empties it on every transition.
 */

/** A state, and the transition that led to it when there was one. @public */
export interface Step {
  readonly state: BreakerState;
  readonly transition?: Transition;
}

/** The result of asking to run a call: a permit for the generation it was admitted in, or a refusal. @public */
export interface Admission extends Step {
  readonly permit?: Permit;
}

/** The result of reporting a call's outcome. `counted` is false for an outcome from an older generation. @public */
export interface Recorded extends Step {
  readonly counted: boolean;
}

/**
 * Proof that a call was admitted: the generation it was admitted in and, for a trial call, the deadline of its
 * half-open slot.
 *
 * @public
 */
export interface Permit {
  readonly generation: number;
  /** A trial call's entry in `HalfOpenState.trialDeadlines`. */
  readonly trialDeadline?: number;
}

/** The moment an open circuit may admit trial calls (its `retryAt`). @public */
export function halfOpenAt(state: OpenState, settings: BreakerSettings): number {
  const { resetTimeout } = settings;
  return state.openedAt + (typeof resetTimeout === 'number' ? resetTimeout : state.openFor);
}

/**
 * The next moment the state changes by itself (the breaker's timer): an open circuit's retry time, or a half-open
 * circuit's `maxHalfOpenWait` deadline. @public
 */
export function nextDeadline(state: BreakerState, settings: BreakerSettings): number | undefined {
  if (state.name === 'open') return halfOpenAt(state, settings);
  if (state.name === 'half-open' && settings.maxHalfOpenWait !== undefined) {
    return state.since + settings.maxHalfOpenWait;
  }
  return undefined;
}

/**
 * The state as it should be read at `now`: an open circuit whose open time has elapsed is half-open, and a
 * half-open circuit that has outlived `maxHalfOpenWait` re-opens. @public
 */
export function settle(state: BreakerState, now: number, settings: BreakerSettings): Step {
  const deadline = nextDeadline(state, settings);
  if (deadline === undefined || now < deadline) return { state };
  if (state.name === 'open') return moveTo(state, halfOpen(state, now), 'reset_timeout', settings);
  return moveTo(state, open(state, now, settings, undefined), 'half_open_timeout', settings);
}

/**
 * Admits a call (closed, disabled, or a free trial slot in half-open) or refuses it. A trial slot frees itself
 * `trialPermitTtl` ms after its admission if its call never ends. @public
 */
export function acquire(
  state: BreakerState,
  now: number,
  settings: BreakerSettings,
  trialPermitTtl = Infinity,
): Admission {
  // The hot path: no allocation beyond the answer. A state object carries its generation, so it is the permit.
  if (state.name === 'closed' || state.name === 'disabled') return { state, permit: state };
  const { state: settled, transition } = settle(state, now, settings);
  if (settled.name !== 'half-open') return { state: settled, transition };
  const current = withoutExpiredTrials(settled, now);
  if (current.trialDeadlines.length >= settings.halfOpenMaxCalls) {
    return { state: current, transition };
  }
  const trialDeadline = now + trialPermitTtl;
  const admitted = { ...current, trialDeadlines: [...current.trialDeadlines, trialDeadline] };
  return {
    state: admitted,
    transition,
    permit: { generation: admitted.generation, trialDeadline },
  };
}

/**
 * Gives back the permit of a call that ended without an outcome: unsubscribed before it delivered anything, or
 * ended with an ignored error (neither success nor failure). @public
 */
export function release(state: BreakerState, permit: Permit): BreakerState {
  if (state.name !== 'half-open' || state.generation !== permit.generation) return state;
  return withoutTrial(state, permit);
}

/**
 * A success (or an excluded error) that took `duration` ms: resets the failure counter and is recorded in the
 * window; enough trial successes close the circuit. When slow calls are tracked, a slow trial is a failed trial,
 * and slow successes can trip a closed circuit. @public
 */
export function recordSuccess(
  state: BreakerState,
  permit: Permit,
  settings: BreakerSettings,
  now = 0,
  duration = 0,
  window?: OutcomeWindow,
): Recorded {
  if (state.generation !== permit.generation) return { state, counted: false };
  const slow = isSlow(duration, settings);
  if (state.name === 'closed' || state.name === 'disabled') {
    window?.record(now, false, slow);
    const reset = state.failCounter === 0 ? state : { ...state, failCounter: 0 };
    return trip(reset, tripReason(0, settings, window), now, settings, undefined, window);
  }
  if (state.name !== 'half-open') return { state, counted: false };
  if (slow) return failTrial(state, now, settings, undefined);
  const successCounter = state.successCounter + 1;
  if (successCounter >= settings.successThreshold) {
    return { ...moveTo(state, closed(state), 'trial_success', settings), counted: true };
  }
  return {
    state: { ...withoutTrial(state, permit), failCounter: 0, successCounter },
    counted: true,
  };
}

/**
 * A counted failure that took `duration` ms: recorded in the window; trips a closed circuit when a rule fires
 * (`failMax`, `failureRate`, `slowCallRate`), and re-opens a half-open one at once. `error` goes to a
 * `resetTimeout` function. @public
 */
export function recordFailure(
  state: BreakerState,
  permit: Permit,
  now: number,
  settings: BreakerSettings,
  duration = 0,
  error?: unknown,
  window?: OutcomeWindow,
): Recorded {
  if (state.generation !== permit.generation) return { state, counted: false };
  if (state.name === 'half-open') return failTrial(state, now, settings, error);
  if (state.name !== 'closed' && state.name !== 'disabled') return { state, counted: false };
  window?.record(now, true, isSlow(duration, settings));
  const failCounter = state.failCounter + 1;
  const counted = { ...state, failCounter };
  return trip(counted, tripReason(failCounter, settings, window), now, settings, error, window);
}

/** A manual transition (`open()`, `close()`, `halfOpen()`, `isolate()`, `disable()`): it always happens. @public */
export function force(
  state: BreakerState,
  to: CircuitState,
  now: number,
  settings: BreakerSettings,
): Step {
  return moveTo(state, manualTarget(state, to, now, settings), 'manual', settings);
}

function manualTarget(
  state: BreakerState,
  to: CircuitState,
  now: number,
  settings: BreakerSettings,
): BreakerState {
  const { generation, failCounter, attempt } = state;
  switch (to) {
    case 'open':
      return open(state, now, settings, undefined);
    case 'half-open':
      return halfOpen(state, now);
    case 'closed':
      return closed(state);
    case 'isolated':
    case 'disabled':
      return { name: to, generation, failCounter, attempt };
  }
}

/**
 * A closed circuit trips when a rule fired; a disabled one never does. A rate trip's transition carries the
 * window's rates (the window is emptied right after).
 */
function trip(
  state: BreakerState,
  reason: TransitionReason | undefined,
  now: number,
  settings: BreakerSettings,
  error: unknown,
  window: OutcomeWindow | undefined,
): Recorded {
  if (reason === undefined || state.name !== 'closed') return { state, counted: true };
  const step = moveTo(state, open(state, now, settings, error), reason, settings);
  if (reason === 'failure_threshold' || !window || !step.transition)
    return { ...step, counted: true };
  const { failureRate, slowCallRate } = figuresOf(window);
  return { ...step, transition: { ...step.transition, failureRate, slowCallRate }, counted: true };
}

function failTrial(
  state: HalfOpenState,
  now: number,
  settings: BreakerSettings,
  error: unknown,
): Recorded {
  const failed = { ...state, failCounter: state.failCounter + 1 };
  return {
    ...moveTo(state, open(failed, now, settings, error), 'trial_failure', settings),
    counted: true,
  };
}

function moveTo(
  from: BreakerState,
  to: BreakerState,
  reason: TransitionReason,
  settings: BreakerSettings,
): Step {
  const state = { ...to, generation: from.generation + 1 };
  const transition: Transition =
    state.name === 'open'
      ? { from: from.name, to: state.name, reason, retryAt: halfOpenAt(state, settings) }
      : { from: from.name, to: state.name, reason };
  return { state, transition };
}

/** Every opening counts towards `attempt`, until the circuit closes. */
function open(
  state: BreakerState,
  now: number,
  settings: BreakerSettings,
  error: unknown,
): OpenState {
  const attempt = state.attempt + 1;
  return {
    name: 'open',
    generation: state.generation,
    failCounter: state.failCounter,
    attempt,
    openedAt: now,
    openFor: openTime(settings, attempt, error),
  };
}

function halfOpen(state: BreakerState, now: number): HalfOpenState {
  const { generation, failCounter, attempt } = state;
  return {
    name: 'half-open',
    generation,
    failCounter,
    attempt,
    successCounter: 0,
    trialDeadlines: [],
    since: now,
  };
}

function closed(state: BreakerState): BreakerState {
  return { name: 'closed', generation: state.generation, failCounter: 0, attempt: 0 };
}

function withoutExpiredTrials(state: HalfOpenState, now: number): HalfOpenState {
  const live = state.trialDeadlines.filter((deadline) => deadline > now);
  return live.length === state.trialDeadlines.length ? state : { ...state, trialDeadlines: live };
}

/** Frees the permit's trial slot (already free if it expired). A permit without a deadline frees any one. */
function withoutTrial(state: HalfOpenState, permit: Permit): HalfOpenState {
  const deadlines = state.trialDeadlines;
  const index =
    permit.trialDeadline === undefined
      ? deadlines.length - 1
      : deadlines.indexOf(permit.trialDeadline);
  if (index < 0) return state;
  return { ...state, trialDeadlines: deadlines.filter((_, at) => at !== index) };
}
