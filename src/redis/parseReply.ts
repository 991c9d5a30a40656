import type { CircuitState } from '../core/CircuitState.js';
import { circuitStates } from '../core/CircuitState.js';
import type { OwnTransition, ScriptReply, SharedState, TransitionMessage } from './sharedState.js';

const states: readonly string[] = circuitStates;
const reasons: readonly string[] = [
  'failure_threshold',
  'failure_rate',
  'slow_call_rate',
  'half_open_timeout',
  'trial_failure',
  'trial_success',
  'reset_timeout',
  'manual',
];

/**
 * Reads a script's reply. Numbers may arrive as numbers or as strings (ioredis's `stringNumbers`), strings as
 * strings or Buffers; anything else means the reply is not ours, and it throws.
 */
export function parseScriptReply(raw: unknown): ScriptReply {
  if (!Array.isArray(raw) || raw.length !== 18)
    throw new Error(`unexpected script reply ${describe(raw)}`);
  const fields = raw as unknown[];
  const [now, name, generation, failCounter, openedAt, successCounter, trials, incarnation] =
    fields;
  const [
    ownFrom,
    ownReason,
    flag,
    bad,
    attempt,
    openFor,
    halfOpenSince,
    calls,
    failures,
    slowCalls,
  ] = fields.slice(8);
  const shared: SharedState = {
    name: state(name),
    incarnation: text(incarnation),
    generation: integer(generation),
    failCounter: integer(failCounter),
    openedAt: integer(openedAt),
    successCounter: integer(successCounter),
    trials: integer(trials),
    attempt: integer(attempt),
    openFor: integer(openFor),
    halfOpenSince: integer(halfOpenSince),
  };
  return {
    redisNow: integer(now),
    shared,
    own: own(text(ownFrom), text(ownReason)),
    flag: integer(flag) === 1,
    badData: integer(bad) === 1,
    window: { calls: integer(calls), failures: integer(failures), slowCalls: integer(slowCalls) },
  };
}

/**
 * Reads a published transition
 * (`origin|incarnation|generation|to|openedAt|failCounter|from|reason|attempt|openFor|halfOpenSince`).
 */
export function parseTransitionMessage(message: string): TransitionMessage | undefined {
  const fields = message.split('|');
  if (fields.length !== 11) return undefined;
  const [origin, incarnation, generation, to, openedAt, failCounter] = fields;
  const [attempt, openFor, halfOpenSince] = fields.slice(8);
  try {
    const shared: SharedState = {
      name: state(to),
      incarnation: text(incarnation),
      generation: integer(generation),
      failCounter: integer(failCounter),
      openedAt: integer(openedAt),
      successCounter: 0,
      trials: 0,
      attempt: integer(attempt),
      openFor: integer(openFor),
      halfOpenSince: integer(halfOpenSince),
    };
    return { origin: text(origin), shared };
  } catch {
    return undefined;
  }
}

function own(from: string, reason: string): OwnTransition | undefined {
  if (from === '' && reason === '') return undefined;
  if (!reasons.includes(reason))
    throw new Error(`unexpected transition reason ${describe(reason)}`);
  return { from: state(from), reason: reason as OwnTransition['reason'] };
}

function state(value: unknown): CircuitState {
  const name = text(value);
  if (!states.includes(name)) throw new Error(`unexpected state ${describe(name)}`);
  return name as CircuitState;
}

function integer(value: unknown): number {
  const number = typeof value === 'number' ? value : Number(text(value));
  if (!Number.isSafeInteger(number))
    throw new Error(`expected an integer, received ${describe(value)}`);
  return number;
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  throw new Error(`expected a string, received ${describe(value)}`);
}

function describe(value: unknown): string {
  const json = JSON.stringify(value) as string | undefined;
  return json === undefined ? String(value) : json.slice(0, 200);
}
