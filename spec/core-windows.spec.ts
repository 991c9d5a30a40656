import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CountWindow } from '../src/core/CountWindow.js';
import { TimeWindow } from '../src/core/TimeWindow.js';
import { createWindow, minimumCallsOf, windowFigures } from '../src/core/OutcomeWindow.js';
import type { OutcomeWindow } from '../src/core/OutcomeWindow.js';
import type { BreakerSettings } from '../src/core/BreakerState.js';

interface Outcome {
  readonly at: number;
  readonly failed: boolean;
  readonly slow: boolean;
}

function totals(window: OutcomeWindow) {
  return [window.calls, window.failures, window.slowCalls];
}

function naiveTotals(outcomes: readonly Outcome[]) {
  return [
    outcomes.length,
    outcomes.filter((outcome) => outcome.failed).length,
    outcomes.filter((outcome) => outcome.slow).length,
  ];
}

const outcomeStep = fc.record({
  gap: fc.integer({ min: 0, max: 30 }),
  failed: fc.boolean(),
  slow: fc.boolean(),
  reset: fc.integer({ min: 0, max: 9 }).map((draw) => draw === 0),
});

const base: BreakerSettings = {
  failMax: 5,
  resetTimeout: 0,
  successThreshold: 1,
  halfOpenMaxCalls: 1,
};

describe('the count window', () => {
  it('holds the outcomes of exactly the last N calls, whatever the sequence (ring against a list)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(outcomeStep, { maxLength: 60 }),
        (size, steps) => {
          const window = new CountWindow(size);
          let naive: Outcome[] = [];
          for (const { failed, slow, reset } of steps) {
            if (reset) {
              window.reset();
              naive = [];
            }
            window.record(0, failed, slow);
            naive = [...naive, { at: 0, failed, slow }].slice(-size);
            expect(totals(window)).toEqual(naiveTotals(naive));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('pushes out the oldest call: 3 failures then 3 successes in a window of 3 leave no failure', () => {
    const window = new CountWindow(3);
    for (const failed of [true, true, true, false, false]) window.record(0, failed, false);
    expect(totals(window)).toEqual([3, 1, 0]);
    window.record(0, false, true);
    expect(totals(window)).toEqual([3, 0, 1]);
  });

  it('refills from restored figures, keeping at most its size', () => {
    const window = new CountWindow(4);
    window.refill(0, { calls: 3, failures: 2, slowCalls: 1 });
    expect(totals(window)).toEqual([3, 2, 1]);
    window.refill(0, { calls: 10, failures: 1, slowCalls: 10 });
    expect(totals(window)).toEqual([4, 1, 4]);
  });
});

describe('the time window', () => {
  it('holds the outcomes whose bucket is less than `buckets` buckets old (ring against a list)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: -50, max: 50 }),
        fc.array(outcomeStep, { maxLength: 60 }),
        (duration, buckets, start, steps) => {
          const window = new TimeWindow(duration, buckets);
          const width = duration / buckets;
          const live = (outcomes: Outcome[], now: number) =>
            outcomes.filter(
              (outcome) => Math.floor(now / width) - Math.floor(outcome.at / width) < buckets,
            );
          let now = start;
          let naive: Outcome[] = [];
          for (const { gap, failed, slow, reset } of steps) {
            now += gap;
            if (reset) {
              window.reset();
              naive = [];
            }
            window.record(now, failed, slow);
            naive = live([...naive, { at: now, failed, slow }], now);
            expect(totals(window)).toEqual(naiveTotals(naive));
            now += gap;
            window.advance(now);
            naive = live(naive, now);
            expect(totals(window)).toEqual(naiveTotals(naive));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('expires a whole bucket at once: { duration: 100, buckets: 4 } drops t=0..24 at t=100', () => {
    const window = new TimeWindow(100, 4);
    window.record(0, true, false);
    window.record(24, true, true);
    window.record(25, false, false);
    window.advance(99);
    expect(totals(window)).toEqual([3, 2, 1]);
    window.advance(100);
    expect(totals(window)).toEqual([1, 0, 0]);
    window.advance(1_000_000);
    expect(totals(window)).toEqual([0, 0, 0]);
  });

  it('refills restored figures into the current bucket, which then expires as one', () => {
    const window = new TimeWindow(10, 2);
    window.refill(7, { calls: 5, failures: 3, slowCalls: 2 });
    expect(totals(window)).toEqual([5, 3, 2]);
    window.advance(15);
    expect(totals(window)).toEqual([0, 0, 0]);
  });
});

describe('the window the settings ask for', () => {
  it('is none without a rate rule, { calls: 100 } by default with one', () => {
    expect(createWindow(base)).toBeUndefined();
    const window = createWindow({ ...base, failureRate: 0.5 });
    expect(window).toBeInstanceOf(CountWindow);
    expect(minimumCallsOf({ ...base, failureRate: 0.5 })).toBe(100);
  });

  it('is a time window of 10 buckets with minimumCalls 10 by default for { duration }', () => {
    const settings = { ...base, slowCallRate: 0.5, window: { duration: 1000 } };
    expect(createWindow(settings)).toBeInstanceOf(TimeWindow);
    expect(minimumCallsOf(settings)).toBe(10);
    expect(minimumCallsOf({ ...settings, minimumCalls: 3 })).toBe(3);
  });

  it('reports its figures with rates (0 while empty)', () => {
    const window = new CountWindow(4);
    expect(windowFigures(window, 0)).toEqual({
      calls: 0,
      failures: 0,
      slowCalls: 0,
      failureRate: 0,
      slowCallRate: 0,
    });
    window.record(0, true, true);
    window.record(0, false, false);
    expect(windowFigures(window, 0)).toEqual({
      calls: 2,
      failures: 1,
      slowCalls: 1,
      failureRate: 0.5,
      slowCallRate: 0.5,
    });
  });
});
