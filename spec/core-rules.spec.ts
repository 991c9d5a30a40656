import { describe, expect, it } from 'vitest';
import type { BreakerSettings, BreakerState, CircuitState } from '../src/store/index.js';
import { stateMachine as machine } from '../src/store/index.js';
import { CountWindow } from '../src/core/CountWindow.js';
import { isSlow, resolveFailMax, tripReason } from '../src/core/tripPolicy.js';

/** The pure rules of issue 10, one at a time, at the state machine's level (time passed in). */

const base: BreakerSettings = {
  failMax: 5,
  resetTimeout: 10,
  successThreshold: 1,
  halfOpenMaxCalls: 1,
};
const closed: BreakerState = { name: 'closed', generation: 0, failCounter: 0, attempt: 0 };
const states: readonly CircuitState[] = ['closed', 'open', 'half-open', 'isolated', 'disabled'];

/** A state reached by a manual transition at time 0. */
function forced(to: CircuitState, settings = base): BreakerState {
  return machine.force(closed, to, 0, settings).state;
}

describe('which rules apply', () => {
  it('failMax applies when given, or when no rate rule is set (pybreaker default 5); else it is off', () => {
    expect(resolveFailMax(3, {})).toBe(3);
    expect(resolveFailMax(undefined, {})).toBe(5);
    expect(resolveFailMax(undefined, { failureRate: 0.5 })).toBe(Infinity);
    expect(resolveFailMax(undefined, { slowCallRate: 0.5 })).toBe(Infinity);
    expect(resolveFailMax(2, { failureRate: 0.5 })).toBe(2);
  });

  it('names the first rule that fires: failure_threshold, then failure_rate, then slow_call_rate', () => {
    const window = new CountWindow(2);
    window.record(0, true, true);
    window.record(0, true, true);
    const all = { ...base, failMax: 2, failureRate: 1, slowCallRate: 1, minimumCalls: 2 };
    expect(tripReason(2, all, window)).toBe('failure_threshold');
    expect(tripReason(1, all, window)).toBe('failure_rate');
    expect(tripReason(1, { ...all, failureRate: undefined }, window)).toBe('slow_call_rate');
  });

  it('judges a rate with >= only once the window holds minimumCalls calls', () => {
    const settings = { ...base, failMax: Infinity, failureRate: 0.5, minimumCalls: 4 };
    const window = new CountWindow(10);
    window.record(0, true, false);
    window.record(0, true, false);
    window.record(0, false, false);
    expect(tripReason(0, settings, window)).toBeUndefined();
    window.record(0, false, false);
    expect(tripReason(0, settings, window)).toBe('failure_rate');
  });

  it('counts a call as slow strictly above slowCallDuration (default 60000), and only when slow calls are tracked', () => {
    expect(isSlow(100_000, base)).toBe(false);
    const tracked = { ...base, slowCallRate: 0.5 };
    expect(isSlow(60_000, tracked)).toBe(false);
    expect(isSlow(60_001, tracked)).toBe(true);
    expect(isSlow(20, { ...tracked, slowCallDuration: 20 })).toBe(false);
    expect(isSlow(21, { ...tracked, slowCallDuration: 20 })).toBe(true);
  });
});

describe('the rate rules in the state machine', () => {
  const rates = {
    ...base,
    failMax: Infinity,
    failureRate: 0.5,
    slowCallRate: 0.5,
    slowCallDuration: 5,
    minimumCalls: 2,
  };

  it('a success can trip: slow successes reach slowCallRate', () => {
    const window = new CountWindow(2);
    const first = machine.recordSuccess(closed, closed, rates, 10, 6, window);
    expect(first.transition).toBeUndefined();
    const second = machine.recordSuccess(first.state, first.state, rates, 20, 9, window);
    expect(second.transition).toEqual({
      from: 'closed',
      to: 'open',
      reason: 'slow_call_rate',
      retryAt: 30,
      failureRate: 0,
      slowCallRate: 1,
    });
  });

  it('a slow failure counts as a failure and as slow', () => {
    const window = new CountWindow(4);
    machine.recordFailure(closed, closed, 0, rates, 6, new Error('x'), window);
    expect([window.calls, window.failures, window.slowCalls]).toEqual([1, 1, 1]);
  });

  it('a slow trial in half-open is a failed trial when slow calls are tracked, a success otherwise', () => {
    const halfOpen = forced('half-open', rates);
    const admitted = machine.acquire(halfOpen, 0, rates);
    const slowTrial = machine.recordSuccess(admitted.state, admitted.permit ?? closed, rates, 9, 9);
    expect(slowTrial.transition?.reason).toBe('trial_failure');
    expect(slowTrial.state.failCounter).toBe(1);
    const untracked = { ...rates, slowCallRate: undefined };
    const fine = machine.recordSuccess(admitted.state, admitted.permit ?? closed, untracked, 9, 9);
    expect(fine.transition?.reason).toBe('trial_success');
  });

  it('a disabled circuit counts every outcome in its window and never trips', () => {
    const window = new CountWindow(2);
    let state = forced('disabled');
    for (let call = 0; call < 10; call++) {
      const admitted = machine.acquire(state, call, rates);
      const recorded = machine.recordFailure(
        admitted.state,
        admitted.permit ?? closed,
        call,
        rates,
        9,
        undefined,
        window,
      );
      expect(recorded.counted).toBe(true);
      expect(recorded.transition).toBeUndefined();
      state = recorded.state;
    }
    expect([state.name, state.failCounter, window.failures, window.slowCalls]).toEqual([
      'disabled',
      10,
      2,
      2,
    ]);
  });
});

describe('the ignore outcome', () => {
  it('records nothing and frees the half-open slot (release)', () => {
    const halfOpen = forced('half-open');
    const admitted = machine.acquire(halfOpen, 0, base);
    expect(machine.acquire(admitted.state, 0, base).permit).toBeUndefined();
    const released = machine.release(admitted.state, admitted.permit ?? closed);
    expect(released).toMatchObject({
      name: 'half-open',
      failCounter: 0,
      successCounter: 0,
      trialDeadlines: [],
    });
    expect(machine.acquire(released, 0, base).permit).toBeDefined();
  });
});

describe('open time, attempt and retryAt', () => {
  const backoff = { ...base, resetTimeout: ({ attempt }: { attempt: number }) => 100 * attempt };

  it('counts consecutive openings (trips, failed trials, half-open timeouts, manual) and starts over on close', () => {
    const settings = { ...backoff, failMax: 1, maxHalfOpenWait: 7 };
    const tripped = machine.recordFailure(closed, closed, 0, settings);
    expect(tripped.state).toMatchObject({ name: 'open', attempt: 1, openedAt: 0 });
    expect(tripped.transition?.retryAt).toBe(100);
    const halfOpen = machine.settle(tripped.state, 100, settings);
    expect(halfOpen.transition?.reason).toBe('reset_timeout');
    const timedOut = machine.settle(halfOpen.state, 107, settings);
    expect(timedOut.transition).toEqual({
      from: 'half-open',
      to: 'open',
      reason: 'half_open_timeout',
      retryAt: 307,
    });
    expect(machine.nextDeadline(timedOut.state, settings)).toBe(307);
    const manual = machine.force(timedOut.state, 'open', 400, settings);
    expect(manual.state.attempt).toBe(3);
    expect(manual.transition?.retryAt).toBe(700);
    const reclosed = machine.force(manual.state, 'closed', 500, settings);
    expect(reclosed.state.attempt).toBe(0);
    expect(
      machine.recordFailure(reclosed.state, reclosed.state, 600, settings).transition?.retryAt,
    ).toBe(700);
  });

  it('gives the tripping error to the resetTimeout function', () => {
    const seen: unknown[] = [];
    const settings = {
      ...base,
      failMax: 1,
      resetTimeout: ({ error }: { error: unknown }) => (seen.push(error), 5),
    };
    const error = new Error('boom');
    machine.recordFailure(closed, closed, 0, settings, 0, error);
    expect(seen).toEqual([error]);
  });

  it('falls back to 60000 ms when the resetTimeout function throws or answers nonsense', () => {
    for (const resetTimeout of [
      () => {
        throw new Error('bad');
      },
      () => NaN,
      () => -1,
    ]) {
      const opened = machine.force(closed, 'open', 0, { ...base, resetTimeout });
      expect(opened.transition?.retryAt).toBe(60_000);
    }
  });

  it('cuts a resetTimeout function answer above 100 years to 100 years', () => {
    const opened = machine.force(closed, 'open', 0, { ...base, resetTimeout: () => 1e20 });
    expect(opened.transition?.retryAt).toBe(100 * 365.25 * 24 * 3_600_000);
  });

  it('reads a numeric resetTimeout live, as pybreaker does', () => {
    const opened = forced('open');
    expect(machine.halfOpenAt(opened as never, base)).toBe(10);
    expect(machine.halfOpenAt(opened as never, { ...base, resetTimeout: 3 })).toBe(3);
  });
});

describe('isolated and disabled, and manual transitions', () => {
  it('an isolated circuit refuses every call and has no deadline', () => {
    const isolated = forced('isolated');
    expect(machine.acquire(isolated, 1e12, base).permit).toBeUndefined();
    expect(machine.nextDeadline(isolated, base)).toBeUndefined();
    expect(machine.settle(isolated, 1e12, base).transition).toBeUndefined();
  });

  it('every state moves by hand to every state, with reason manual and a new generation', () => {
    for (const from of states) {
      for (const to of states) {
        const start = forced(from);
        const step = machine.force(start, to, 5, base);
        expect(step.state.name).toBe(to);
        expect(step.state.generation).toBe(start.generation + 1);
        expect(step.transition).toMatchObject({ from, to, reason: 'manual' });
      }
    }
  });
});

describe('trial slots bounded in time (issue 8, defect 9)', () => {
  it('frees the slot of a trial that never ends trialPermitTtl ms after its admission', () => {
    const halfOpen = forced('half-open');
    const hung = machine.acquire(halfOpen, 0, base, 30);
    expect(machine.acquire(hung.state, 29, base, 30).permit).toBeUndefined();
    const next = machine.acquire(hung.state, 30, base, 30);
    expect(next.permit).toEqual({ generation: halfOpen.generation, trialDeadline: 60 });
    // The hung call's late success still counts (the generation has not moved), as with the Redis store.
    const late = machine.recordSuccess(next.state, hung.permit ?? closed, base, 45, 45);
    expect(late.transition?.reason).toBe('trial_success');
  });
});
