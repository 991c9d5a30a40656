import type { BreakerSnapshot } from './BreakerSnapshot.js';
import type { BreakerSettings, BreakerState } from './BreakerState.js';
import { circuitStates } from './CircuitState.js';
import type { CircuitState } from './CircuitState.js';
import { invalidInput } from './invalidInput.js';
import { openTime } from './openTime.js';
import type { OutcomeCounts } from './OutcomeWindow.js';
import { settle } from './stateMachine.js';

/** What a store starts from: a snapshot, or (as in version 0.1) a state machine state. @public */
export type InitialState = BreakerSnapshot | LegacyState;

/**
 * A state machine state as version 0.1 took it, e.g. `{ name: 'open', generation: 0, failCounter: 5, openedAt }`;
 * the fields added since are optional.
 *
 * @public
 */
export type LegacyState = { readonly name: CircuitState; readonly generation: number } & Partial<
  Record<string, unknown>
>;

/** A restored state, and the window figures to put back. */
export interface Restored {
  readonly state: BreakerState;
  readonly window?: OutcomeCounts;
}

const where = 'memoryStore';
const snapshotKeys = new Set([
  'name',
  'state',
  'failCounter',
  'successCounter',
  'openedAt',
  'retryAt',
  'attempt',
  'window',
]);
const windowKeys = new Set(['calls', 'failures', 'slowCalls', 'failureRate', 'slowCallRate']);

/**
 * Checks what a user gave `memoryStore()` (plain JavaScript can pass anything) and builds the state it describes,
 * read at `now`: a snapshotted open circuit whose retry time has passed is half-open at once. Bad input throws an
 * error naming the field.
 */
export function restoreSnapshot(
  input: unknown,
  breakerName: string,
  now: number,
  settings: BreakerSettings,
): Restored {
  if (!isRecord(input)) invalidInput(where, 'snapshot', 'a snapshot object', input, TypeError);
  const legacy = 'generation' in input;
  const checked = checkSnapshot(
    legacy ? fromLegacy(input, breakerName, settings) : input,
    breakerName,
  );
  const restored = toState(checked, now);
  // A 0.1 state is taken as it is (the breaker's timer or the next call settles it, as before).
  const state = legacy ? restored : settle(restored, now, readingRetryAt(settings, restored)).state;
  const window = checked.window;
  return window ? { state, window } : { state };
}

/**
 * The settings under which an open snapshot's own `retryAt` decides whether its opening is over: a numeric
 * `resetTimeout` (read live, as pybreaker does) would put the breaker's current value in its place.
 */
function readingRetryAt(settings: BreakerSettings, state: BreakerState): BreakerSettings {
  return state.name === 'open' ? { ...settings, resetTimeout: state.openFor } : settings;
}

function checkSnapshot(snapshot: Record<string, unknown>, breakerName: string): BreakerSnapshot {
  checkKeys(snapshot, snapshotKeys, 'snapshot');
  const { name, state, openedAt, retryAt, window } = snapshot;
  if (name !== breakerName) {
    invalidInput(
      where,
      'snapshot.name',
      `this breaker's name ${JSON.stringify(breakerName)}`,
      name,
      TypeError,
    );
  }
  if (!(circuitStates as readonly unknown[]).includes(state)) {
    invalidInput(
      where,
      'snapshot.state',
      `one of ${circuitStates.map((s) => `"${s}"`).join(', ')}`,
      state,
      TypeError,
    );
  }
  for (const field of ['failCounter', 'successCounter', 'attempt'] as const) {
    checkCount(`snapshot.${field}`, snapshot[field]);
  }
  const open = state === 'open';
  checkTime('snapshot.openedAt', openedAt, open);
  checkTime('snapshot.retryAt', retryAt, open);
  if (open && (retryAt as number) < (openedAt as number)) {
    invalidInput(where, 'snapshot.retryAt', `at least openedAt (${String(openedAt)})`, retryAt);
  }
  if (window !== undefined) checkWindow(window);
  return snapshot as unknown as BreakerSnapshot;
}

function checkWindow(window: unknown): void {
  if (!isRecord(window)) invalidInput(where, 'snapshot.window', 'an object', window, TypeError);
  checkKeys(window, windowKeys, 'snapshot.window');
  for (const field of ['calls', 'failures', 'slowCalls'] as const) {
    checkCount(`snapshot.window.${field}`, window[field]);
  }
  for (const field of ['failures', 'slowCalls'] as const) {
    if ((window[field] as number) > (window.calls as number)) {
      invalidInput(
        where,
        `snapshot.window.${field}`,
        `at most window.calls (${String(window.calls)})`,
        window[field],
      );
    }
  }
}

function toState(snapshot: BreakerSnapshot, now: number): BreakerState {
  const { failCounter, attempt } = snapshot;
  const common = { generation: 0, failCounter, attempt };
  switch (snapshot.state) {
    case 'open': {
      const openedAt = snapshot.openedAt ?? now;
      return { name: 'open', ...common, openedAt, openFor: (snapshot.retryAt ?? now) - openedAt };
    }
    case 'half-open': {
      const { successCounter } = snapshot;
      return { name: 'half-open', ...common, successCounter, trialDeadlines: [], since: now };
    }
    default:
      return { name: snapshot.state, ...common };
  }
}

/** Reads a version 0.1 state as a snapshot, after checking the fields it had. */
function fromLegacy(
  state: Record<string, unknown>,
  breakerName: string,
  settings: BreakerSettings,
): Record<string, unknown> {
  const { name, generation, failCounter, openedAt, successCounter = 0, attempt } = state;
  if (!(circuitStates as readonly unknown[]).includes(name)) {
    invalidInput(
      where,
      'state.name',
      `one of ${circuitStates.map((s) => `"${s}"`).join(', ')}`,
      name,
      TypeError,
    );
  }
  checkCount('state.generation', generation);
  checkCount('state.failCounter', failCounter);
  checkCount('state.successCounter', successCounter);
  const open = name === 'open';
  checkTime('state.openedAt', openedAt, open);
  const openings = attempt ?? (open ? 1 : 0);
  checkCount('state.attempt', openings);
  const openFor = open ? openTime(settings, openings as number, undefined) : 0;
  return {
    name: breakerName,
    state: name,
    failCounter,
    successCounter: name === 'half-open' ? successCounter : 0,
    openedAt: open ? openedAt : null,
    retryAt: open ? (openedAt as number) + openFor : null,
    attempt: openings,
  };
}

function checkKeys(
  value: Record<string, unknown>,
  known: ReadonlySet<string>,
  field: string,
): void {
  for (const key of Object.keys(value)) {
    if (!known.has(key))
      invalidInput(where, `${field}.${key}`, 'absent (unknown field)', value[key], TypeError);
  }
}

function checkCount(field: string, value: unknown): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    invalidInput(where, field, 'an integer ≥ 0', value);
  }
}

/** A time: a finite number when `required`, else a finite number or null (or absent). */
function checkTime(field: string, value: unknown, required: boolean): void {
  if (typeof value === 'number' && Number.isFinite(value)) return;
  if (!required && (value === null || value === undefined)) return;
  invalidInput(
    where,
    field,
    required ? 'a finite number of milliseconds' : 'a finite number of milliseconds, or null',
    value,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
