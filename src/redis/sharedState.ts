import type { CircuitState, Transition, TransitionReason } from '../core/CircuitState.js';
import type { BreakerState } from '../core/BreakerState.js';
import type { Recorded } from '../core/stateMachine.js';

/** The state as Redis holds it; `openedAt` is in Redis milliseconds. */
export interface SharedState {
  readonly name: CircuitState;
  readonly incarnation: string;
  readonly generation: number;
  readonly failCounter: number;
  readonly openedAt: number;
  readonly successCounter: number;
  readonly trials: number;
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
}

/** A transition published on the breaker's channel. */
export interface TransitionMessage {
  readonly origin: string;
  readonly shared: SharedState;
}

/** Converts a shared state to this process's view, with `openedAt` moved onto the local clock. */
export function toBreakerState(
  shared: SharedState,
  toLocalTime: (redisMs: number) => number,
): BreakerState {
  const { name, generation, failCounter } = shared;
  // Redis keeps no attempt, open time or trial deadlines yet: the numeric resetTimeout is read live, and each
  // trial permit's deadline is kept in Redis (trialPermitTtl), so the mirror's trials never expire locally.
  const attempt = 0;
  if (name === 'open') {
    return {
      name,
      generation,
      failCounter,
      attempt,
      openedAt: toLocalTime(shared.openedAt),
      openFor: 0,
    };
  }
  if (name !== 'half-open') return { name, generation, failCounter, attempt };
  return {
    name,
    generation,
    failCounter,
    attempt,
    successCounter: shared.successCounter,
    trialDeadlines: Array.from({ length: shared.trials }, () => Infinity),
    since: toLocalTime(shared.openedAt),
  };
}

/** The transition the caller of a script made, if it made one. */
export function ownTransition(reply: ScriptReply): Transition | undefined {
  if (!reply.own) return undefined;
  return { from: reply.own.from, to: reply.shared.name, reason: reply.own.reason };
}

/** What a success or failure script decided. */
export function recorded(reply: ScriptReply, shared: BreakerState): Recorded {
  return { state: shared, counted: reply.flag, transition: ownTransition(reply) };
}
