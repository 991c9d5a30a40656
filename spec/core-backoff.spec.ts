import { describe, expect, it } from 'vitest';
import { exponentialBackoff } from '../src/index.js';

describe('exponentialBackoff', () => {
  it('grows by factor from initial with each attempt, up to max (factor 2 by default)', () => {
    const backoff = exponentialBackoff({ initial: 1_000, max: 10_000 });
    const times = [1, 2, 3, 4, 5, 6].map((attempt) => backoff({ attempt, error: undefined }));
    expect(times).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    const tripled = exponentialBackoff({ initial: 10, max: 1_000, factor: 3 });
    expect(tripled({ attempt: 3, error: undefined })).toBe(90);
  });

  it('takes a random share of the open time with jitter, from the randomness it is given', () => {
    const draws = [0, 0.5, 0.999];
    const backoff = exponentialBackoff({
      initial: 100,
      max: 100,
      jitter: 0.5,
      random: () => draws.shift() ?? 0,
    });
    expect([1, 1, 1].map((attempt) => backoff({ attempt, error: undefined }))).toEqual([
      100,
      75,
      100 * (1 - 0.4995),
    ]);
    const full = exponentialBackoff({ initial: 100, max: 100, jitter: 1, random: () => 0.25 });
    expect(full({ attempt: 1, error: undefined })).toBe(75);
  });

  it('never calls the randomness without jitter', () => {
    let calls = 0;
    const backoff = exponentialBackoff({ initial: 5, max: 50, random: () => (calls++, 0.5) });
    backoff({ attempt: 2, error: undefined });
    expect(calls).toBe(0);
  });

  it.each([
    [{ initial: 0, max: 10 }, '"initial" must be a finite number of milliseconds > 0, received 0'],
    [
      { initial: '5', max: 10 },
      '"initial" must be a finite number of milliseconds > 0, received "5"',
    ],
    [
      { initial: 5, max: Infinity },
      '"max" must be a finite number of milliseconds > 0, received Infinity',
    ],
    [{ initial: 5, max: 4 }, '"max" must be at least initial (5), received 4'],
    [{ initial: 5, max: 10, factor: 0.5 }, '"factor" must be a finite number ≥ 1, received 0.5'],
    [{ initial: 5, max: 10, jitter: 2 }, '"jitter" must be a number in [0, 1], received 2'],
    [
      { initial: 5, max: 10, random: 0.5 },
      '"random" must be a function returning a number in [0, 1), received 0.5',
    ],
    [{ initial: 5, max: 10, jiter: 0.5 }, '"jiter" must be absent (unknown option), received 0.5'],
    [null, '"options" must be an object, received null'],
  ])('refuses %j, naming the field', (options, message) => {
    expect(() => exponentialBackoff(options as never)).toThrow(`exponentialBackoff: ${message}`);
  });
});
