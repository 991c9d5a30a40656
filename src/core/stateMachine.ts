import type { CircuitState, Transition, TransitionReason } from './CircuitState.js';
import type { BreakerSettings, BreakerState, HalfOpenState, OpenState } from './BreakerState.js';
import { consecutiveFailures } from './tripPolicy.js';

/*
 * The circuit breaker's rules, in one place and free of I/O: every function takes a state and returns the next
 * one. Time comes in as `now`; nothing here reads a clock. The in-memory store applies these functions directly;
 * the Redis store's Lua scripts implement the same table atomically.
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
 * Proof that a call was admitted: the generation it was admitted in.
 *
 * @public
 */
export interface Permit {
  readonly generation: number;
}

/** The moment an open circuit may admit trial calls. @public */
export function halfOpenAt(state: OpenState, settings: BreakerSettings): number {
  return state.openedAt + settings.resetTimeout;
}

/** The state as it should be read at `now`: an open circuit whose reset timeout has elapsed is half-open. @public */
export function settle(state: BreakerState, now: number, settings: BreakerSettings): Step {
  if (state.name !== 'open' || now < halfOpenAt(state, settings)) return { state };
  return moveTo(state, halfOpen(state), 'reset_timeout');
}

/** Admits a call (closed, or a free trial slot in half-open) or refuses it. @public */
export function acquire(state: BreakerState, now: number, settings: BreakerSettings): Admission {
  // The hot path: no allocation beyond the answer. A state object carries its generation, so it is the permit.
  if (state.name === 'closed') return { state, permit: state };
  const { state: current, transition } = settle(state, now, settings);
  if (current.name !== 'half-open' || current.trials >= settings.halfOpenMaxCalls) {
    return { state: current, transition };
  }
  const admitted: HalfOpenState = { ...current, trials: current.trials + 1 };
  return { state: admitted, transition, permit: admitted };
}

/** Gives back the permit of a call that was unsubscribed before it delivered anything. @public */
export function release(state: BreakerState, permit: Permit): BreakerState {
  if (state.name !== 'half-open' || state.generation !== permit.generation) return state;
  return { ...state, trials: state.trials - 1 };
}

/** A success (or an excluded error): resets the failure counter; enough trial successes close the circuit. @public */
export function recordSuccess(
  state: BreakerState,
  permit: Permit,
  settings: BreakerSettings,
): Recorded {
  if (state.generation !== permit.generation) return { state, counted: false };
  if (state.name === 'closed') {
    return { state: state.failCounter === 0 ? state : { ...state, failCounter: 0 }, counted: true };
  }
  if (state.name === 'open') return { state, counted: false };
  const successCounter = state.successCounter + 1;
  if (successCounter >= settings.successThreshold) {
    return { ...moveTo(state, closed(state), 'trial_success'), counted: true };
  }
  return {
    state: { ...state, failCounter: 0, successCounter, trials: state.trials - 1 },
    counted: true,
  };
}

/** A counted failure: trips a closed circuit at `failMax`, and re-opens a half-open one at once. @public */
export function recordFailure(
  state: BreakerState,
  permit: Permit,
  now: number,
  settings: BreakerSettings,
): Recorded {
  if (state.generation !== permit.generation || state.name === 'open')
    return { state, counted: false };
  const failCounter = state.failCounter + 1;
  if (state.name === 'half-open') {
    return {
      ...moveTo(state, open({ ...state, failCounter }, now), 'trial_failure'),
      counted: true,
    };
  }
  const counted = { ...state, failCounter };
  if (!consecutiveFailures.shouldTrip(counted, settings)) return { state: counted, counted: true };
  return { ...moveTo(state, open(counted, now), 'failure_threshold'), counted: true };
}

/** A manual transition (`open()`, `close()`, `halfOpen()`); it always happens, even to the same state. @public */
export function force(state: BreakerState, to: CircuitState, now: number): Step {
  const next = to === 'open' ? open(state, now) : to === 'closed' ? closed(state) : halfOpen(state);
  return moveTo(state, next, 'manual');
}

function moveTo(from: BreakerState, to: BreakerState, reason: TransitionReason): Step {
  const state = { ...to, generation: from.generation + 1 };
  return { state, transition: { from: from.name, to: to.name, reason } };
}

function open(state: BreakerState, now: number): OpenState {
  return {
    name: 'open',
    generation: state.generation,
    failCounter: state.failCounter,
    openedAt: now,
  };
}

function halfOpen(state: BreakerState): HalfOpenState {
  const { generation, failCounter } = state;
  return { name: 'half-open', generation, failCounter, successCounter: 0, trials: 0 };
}

function closed(state: BreakerState): BreakerState {
  return { name: 'closed', generation: state.generation, failCounter: 0 };
}
