import type { CircuitState, Transition, TransitionReason } from '../core/CircuitState.js';
import type { BreakerState } from '../core/BreakerState.js';
import type { BreakerSettings } from '../core/BreakerState.js';
import { figuresOf } from '../core/OutcomeWindow.js';
import type { OutcomeCounts } from '../core/OutcomeWindow.js';
import { halfOpenAt } from '../core/stateMachine.js';

/** The state as Redis holds it; `openedAt` is in Redis milliseconds. */
export interface SharedState {
  readonly name: CircuitState;
  readonly incarnation: string;
  readonly generation: number;
  readonly failCounter: number;
  readonly openedAt: number;
  readonly successCounter: number;
  readonly trials: number;
  /** Openings since the circuit was last closed: one counter for the fleet, so it backs off together. */
  readonly attempt: number;
  /** The open time the process that opened the circuit chose (its `resetTimeout` for this attempt). */
  readonly openFor: number;
  /** When the circuit last became half-open (Redis ms). */
  readonly halfOpenSince: number;
}

/** A transition made by the caller of a script. */
export interface OwnTransition {
  readonly from: CircuitState;
  readonly reason: Exclude<TransitionReason, 'remote'>;
}

/** The state after a script ran, what the caller made of it, and Redis's clock at that moment. */
export interface ScriptReply {
  readonly redisNow: number;
  readonly shared: SharedState;
  readonly own: OwnTransition | undefined;
  /** The operation's yes/no answer: permit granted, outcome counted. */
  readonly flag: boolean;
  /** The script found data it did not write and treated it as missing. */
  readonly badData: boolean;
  /** The window as the script judged it (for a rate trip, the window that tripped, emptied right after). */
  readonly window: OutcomeCounts;
}

/** A transition published on the breaker's channel. */
export interface TransitionMessage {
  readonly origin: string;
  readonly shared: SharedState;
}

/** Converts a shared state to this process's view, with its moments moved onto the local clock. */
export function toBreakerState(
  shared: SharedState,
  toLocalTime: (redisMs: number) => number,
): BreakerState {
  const { name, generation, failCounter, attempt } = shared;
  if (name === 'open') {
    const { openFor } = shared;
    return {
      name,
      generation,
      failCounter,
      attempt,
      openedAt: toLocalTime(shared.openedAt),
      openFor,
    };
  }
  if (name !== 'half-open') return { name, generation, failCounter, attempt };
  // Each trial permit's deadline is kept in Redis (trialPermitTtl), so the mirror's trials never expire locally.
  return {
    name,
    generation,
    failCounter,
    attempt,
    successCounter: shared.successCounter,
    trialDeadlines: Array.from({ length: shared.trials }, () => Infinity),
    since: toLocalTime(shared.halfOpenSince),
  };
}

/**
 * The transition the caller of a script made, if it made one; an opening carries its `retryAt`, read from
 * `state` (the shared state on the local clock), and a rate trip the window's rates, as the in-memory rules do.
 */
export function ownTransition(
  reply: ScriptReply,
  state: BreakerState,
  settings: BreakerSettings,
): Transition | undefined {
  if (!reply.own) return undefined;
  const { from, reason } = reply.own;
  if (state.name !== 'open') return { from, to: state.name, reason };
  const opening = { from, to: state.name, reason, retryAt: halfOpenAt(state, settings) };
  if (reason !== 'failure_rate' && reason !== 'slow_call_rate') return opening;
  const { failureRate, slowCallRate } = figuresOf(reply.window);
  return { ...opening, failureRate, slowCallRate };
}
