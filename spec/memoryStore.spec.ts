import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { memoryStore } from '../src/index.js';
import type { BreakerSettings, InitialState, StateStore } from '../src/store/index.js';

const base: BreakerSettings = {
  failMax: 2,
  resetTimeout: 100,
  successThreshold: 1,
  halfOpenMaxCalls: 1,
};

/** A memory store for breaker `name` on a virtual clock set to `now`. */
function storeAt(
  now: number,
  initial?: InitialState,
  settings: BreakerSettings = base,
  options = {},
): StateStore {
  const scheduler = new VirtualTimeScheduler();
  scheduler.frame = now;
  return memoryStore(
    initial,
    options,
  )({
    name: 'pricing-api',
    settings,
    scheduler,
    explicitName: true,
    reportError: () => undefined,
    reportTransition: () => undefined,
  });
}

function permitOf(store: StateStore, now: number) {
  const admission = store.acquire(now);
  if (admission instanceof Promise) throw new Error('the memory store answers synchronously');
  return admission.permit;
}

describe('memoryStore: the half-open slot of a trial that never ends (issue 8, defect 9)', () => {
  it('is free again trialPermitTtl ms (default 30000, as the Redis store) after the trial was admitted', () => {
    const store = storeAt(0, {
      name: 'half-open',
      generation: 0,
      failCounter: 2,
      successCounter: 0,
    });
    expect(permitOf(store, 0)).toBeDefined();
    expect(permitOf(store, 29_999)).toBeUndefined();
    expect(permitOf(store, 30_000)).toBeDefined();
  });

  it('takes the bound as an option, and refuses a bad one naming it', () => {
    const store = storeAt(0, { name: 'half-open', generation: 0, failCounter: 2 }, base, {
      trialPermitTtl: 5,
    });
    permitOf(store, 0);
    expect(permitOf(store, 5)).toBeDefined();
    expect(() => memoryStore(undefined, { trialPermitTtl: 0 })).toThrow(
      'memoryStore: "trialPermitTtl" must be a number of milliseconds > 0 and ≤ 3155760000000 (100 years), received 0',
    );
    expect(() => memoryStore(undefined, { trialPermitTtl: 1e20 })).toThrow(RangeError);
    expect(() => memoryStore(undefined, { ttl: 5 } as never)).toThrow(
      'memoryStore: "ttl" must be absent',
    );
    expect(() => memoryStore(undefined, null as never)).toThrow(
      new TypeError('memoryStore: "options" must be an object, received null'),
    );
  });
});

describe('memoryStore: a state from plain JavaScript (issue 8, defect 6)', () => {
  it.each([
    [
      { name: 'foo', generation: 0, failCounter: 0 },
      '"state.name" must be one of "closed", "open", "half-open", "isolated", "disabled", received "foo"',
    ],
    [
      { name: 'open', generation: 0, failCounter: 1 },
      '"state.openedAt" must be a finite number of milliseconds, received undefined',
    ],
    [
      { name: 'closed', generation: -1, failCounter: 0 },
      '"state.generation" must be an integer ≥ 0, received -1',
    ],
    [
      { name: 'closed', generation: 0, failCounter: 0.5 },
      '"state.failCounter" must be an integer ≥ 0, received 0.5',
    ],
    ['closed', '"snapshot" must be a snapshot object, received "closed"'],
  ])('refuses %j when the breaker is built, naming the field', (initial, message) => {
    expect(() => storeAt(0, initial as never)).toThrow(`memoryStore: ${message}`);
  });

  it('still takes a valid 0.1 state as it is (an elapsed open state is settled by the breaker, as before)', () => {
    const store = storeAt(500, { name: 'open', generation: 3, failCounter: 5, openedAt: 0 });
    expect(store.state).toMatchObject({ name: 'open', failCounter: 5, openedAt: 0, attempt: 1 });
  });
});

const closedSnapshot = {
  name: 'pricing-api',
  state: 'closed',
  failCounter: 0,
  successCounter: 0,
  openedAt: null,
  retryAt: null,
  attempt: 0,
} as const;

describe('memoryStore: snapshot and restore', () => {
  const rates: BreakerSettings = {
    ...base,
    failMax: Infinity,
    failureRate: 0.5,
    minimumCalls: 10,
    window: { calls: 20 },
  };

  it('round-trips through JSON: state, counters, attempt, retryAt and window figures', () => {
    const store = storeAt(0, undefined, rates);
    const outcomes = [true, false, false, true, false];
    outcomes.forEach((failed, at) => {
      const permit = permitOf(store, at) ?? { generation: -1 };
      if (failed) void store.recordFailure(permit, at, 1, new Error('x'));
      else void store.recordSuccess(permit, at, 1);
    });
    const saved = JSON.parse(JSON.stringify(store.snapshot(10))) as InitialState;
    expect(saved).toEqual({
      ...closedSnapshot,
      window: { calls: 5, failures: 2, slowCalls: 0, failureRate: 0.4, slowCallRate: 0 },
    });
    expect(storeAt(20, saved, rates).snapshot(20)).toEqual(saved);
  });

  it('restores an open circuit with its retryAt, and one whose retryAt has passed as half-open at once', () => {
    const store = storeAt(0, undefined, { ...base, failMax: 1 });
    void store.force('open', 7);
    const saved = store.snapshot(8);
    expect(saved).toMatchObject({ state: 'open', openedAt: 7, retryAt: 107, attempt: 1 });
    expect(storeAt(50, saved).snapshot(50)).toEqual(saved);
    expect(storeAt(107, saved).state).toMatchObject({ name: 'half-open', attempt: 1, since: 107 });
  });

  it("restores as half-open a snapshot whose retryAt has passed, whatever the breaker's numeric resetTimeout", () => {
    // Saved by a breaker whose resetTimeout was 100 (base); restored by one with 60 s, past the saved retryAt.
    const saved = {
      name: 'pricing-api',
      state: 'open',
      failCounter: 1,
      successCounter: 0,
      openedAt: 0,
      retryAt: 100,
      attempt: 1,
    } as const;
    const longer = { ...base, resetTimeout: 60_000 };
    expect(storeAt(5_000, saved, longer).state).toMatchObject({ name: 'half-open', since: 5_000 });
    // Before it, the numeric resetTimeout is read live, as pybreaker does: the opening lasts 60 s from openedAt.
    expect(storeAt(50, saved, longer).snapshot(50)).toMatchObject({
      state: 'open',
      retryAt: 60_000,
    });
  });

  it('restores the open time a resetTimeout function chose', () => {
    const backoff = {
      ...base,
      resetTimeout: ({ attempt }: { attempt: number }) => 1_000 * attempt,
    };
    const saved = {
      name: 'pricing-api',
      state: 'open',
      failCounter: 3,
      successCounter: 0,
      openedAt: 0,
      retryAt: 3_000,
      attempt: 3,
    } as const;
    expect(storeAt(2_999, saved, backoff).snapshot(2_999)).toEqual(saved);
    expect(storeAt(3_000, saved, backoff).snapshot(3_000).state).toBe('half-open');
  });

  it('restores isolated and disabled circuits', () => {
    for (const state of ['isolated', 'disabled'] as const) {
      const saved = {
        name: 'pricing-api',
        state,
        failCounter: 1,
        successCounter: 0,
        openedAt: null,
        retryAt: null,
        attempt: 2,
      };
      expect(storeAt(0, saved).snapshot(1e9)).toEqual(saved);
    }
  });

  it.each([
    [
      { ...closedSnapshot, name: 'search' },
      '"snapshot.name" must be this breaker\'s name "pricing-api", received "search"',
    ],
    [{ ...closedSnapshot, state: 'opened' }, '"snapshot.state" must be one of'],
    [
      { ...closedSnapshot, failCounter: -1 },
      '"snapshot.failCounter" must be an integer ≥ 0, received -1',
    ],
    [
      { ...closedSnapshot, successCounter: '0' },
      '"snapshot.successCounter" must be an integer ≥ 0, received "0"',
    ],
    [
      { ...closedSnapshot, attempt: 1.5 },
      '"snapshot.attempt" must be an integer ≥ 0, received 1.5',
    ],
    [
      { ...closedSnapshot, state: 'open', retryAt: 5 },
      '"snapshot.openedAt" must be a finite number of milliseconds, received null',
    ],
    [
      { ...closedSnapshot, state: 'open', openedAt: 5 },
      '"snapshot.retryAt" must be a finite number of milliseconds, received null',
    ],
    [
      { ...closedSnapshot, state: 'open', openedAt: 5, retryAt: 4 },
      '"snapshot.retryAt" must be at least openedAt (5), received 4',
    ],
    [
      { ...closedSnapshot, openedAt: 'x' },
      '"snapshot.openedAt" must be a finite number of milliseconds, or null, received "x"',
    ],
    [{ ...closedSnapshot, window: [] }, '"snapshot.window" must be an object, received an array'],
    [
      { ...closedSnapshot, window: { calls: 1, failures: 2, slowCalls: 0 } },
      '"snapshot.window.failures" must be at most window.calls (1), received 2',
    ],
    [
      { ...closedSnapshot, window: { calls: 1, failures: 0 } },
      '"snapshot.window.slowCalls" must be an integer ≥ 0, received undefined',
    ],
    [
      { ...closedSnapshot, retry: 5 },
      '"snapshot.retry" must be absent (unknown field), received 5',
    ],
  ])('refuses %j, naming the field', (snapshot, message) => {
    expect(() => storeAt(0, snapshot as never)).toThrow(`memoryStore: ${message}`);
  });
});
