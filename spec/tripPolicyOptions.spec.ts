import { describe, expect, it } from 'vitest';
import { circuitBreaker, exponentialBackoff } from '../src/index.js';
import type { CircuitBreakerConfig, ExcludeRule } from '../src/index.js';
import { thrownBy } from './support/badValues.js';
import type { BadValue } from './support/badValues.js';

const rates = ['failureRate', 'slowCallRate'].flatMap((option): BadValue[] => [
  { option, value: '0.5', kind: TypeError, received: 'received "0.5"' },
  { option, value: null, kind: TypeError, received: 'received null' },
  { option, value: 0, kind: RangeError, received: 'received 0' },
  { option, value: -0.1, kind: RangeError, received: 'received -0.1' },
  { option, value: 1.01, kind: RangeError, received: 'received 1.01' },
  { option, value: NaN, kind: RangeError, received: 'received NaN' },
  { option, value: Infinity, kind: RangeError, received: 'received Infinity' },
]);

const positiveDurations = ['slowCallDuration', 'maxHalfOpenWait'].flatMap((option): BadValue[] => [
  { option, value: '2000', kind: TypeError, received: 'received "2000"' },
  { option, value: 0, kind: RangeError, received: 'received 0' },
  { option, value: -5, kind: RangeError, received: 'received -5' },
  { option, value: NaN, kind: RangeError, received: 'received NaN' },
  { option, value: Infinity, kind: RangeError, received: 'received Infinity' },
]);

const others: BadValue[] = [
  { option: 'minimumCalls', value: 0, kind: RangeError, received: 'received 0' },
  { option: 'minimumCalls', value: 2.5, kind: RangeError, received: 'received 2.5' },
  { option: 'minimumCalls', value: '10', kind: TypeError, received: 'received "10"' },
  { option: 'window', value: 100, kind: TypeError, received: 'received 100' },
  { option: 'window', value: null, kind: TypeError, received: 'received null' },
  { option: 'window', value: {}, kind: TypeError, received: 'received an object' },
  {
    option: 'window',
    value: { calls: 10, duration: 1000 },
    kind: TypeError,
    received: 'received an object',
  },
  {
    option: 'window',
    value: { calls: 0 },
    kind: RangeError,
    received: 'received 0',
    named: 'window.calls',
  },
  {
    option: 'window',
    value: { calls: 1.5 },
    kind: RangeError,
    received: 'received 1.5',
    named: 'window.calls',
  },
  {
    // A ring of one byte per call: a bigger window would be a bad allocation, not a window.
    option: 'window',
    value: { calls: 2 ** 53 },
    kind: RangeError,
    received: 'received 9007199254740992',
    named: 'window.calls',
  },
  {
    option: 'window',
    value: { duration: 60_000, buckets: 1001 },
    kind: RangeError,
    received: 'received 1001',
    named: 'window.buckets',
  },
  {
    option: 'window',
    value: { duration: 0 },
    kind: RangeError,
    received: 'received 0',
    named: 'window.duration',
  },
  {
    option: 'window',
    value: { duration: '1m' },
    kind: TypeError,
    received: 'received "1m"',
    named: 'window.duration',
  },
  {
    option: 'window',
    value: { duration: 1000, buckets: 0 },
    kind: RangeError,
    received: 'received 0',
    named: 'window.buckets',
  },
  {
    option: 'window',
    value: { calls: 10, buckets: 2 },
    kind: TypeError,
    received: 'received 2',
    named: 'window.buckets',
  },
  {
    option: 'window',
    value: { size: 10 },
    kind: TypeError,
    received: 'received 10',
    named: 'window.size',
  },
  { option: 'failWhen', value: 'status >= 500', kind: TypeError, received: 'received "status' },
  { option: 'failWhen', value: true, kind: TypeError, received: 'received true' },
  { option: 'ignore', value: Error, kind: TypeError, received: 'received function Error' },
  { option: 'ignore', value: [42], kind: TypeError, received: 'received 42', named: 'ignore[0]' },
  { option: 'resetTimeout', value: '1000', kind: TypeError, received: 'received "1000"' },
  { option: 'resetTimeout', value: -1, kind: RangeError, received: 'received -1' },
  { option: 'resetTimeout', value: { initial: 1 }, kind: TypeError, received: 'an object' },
];

/** What each option needs beside it, so that a combined rule never answers first. */
const companions: Partial<Record<string, CircuitBreakerConfig>> = {
  slowCallDuration: { slowCallRate: 0.5 },
  minimumCalls: { failureRate: 0.5 },
  window: { failureRate: 0.5 },
};

describe('the options of issue 10: every bad value is named', () => {
  it.each([...rates, ...positiveDurations, ...others])(
    '$option: $value is a $kind.name naming it',
    ({ option, value, kind, received, named }) => {
      const config = { ...companions[option], [option]: value };
      const error = thrownBy(() => circuitBreaker(config));
      expect(error.constructor).toBe(kind);
      expect(error.message).toContain(`"${named ?? option}"`);
      expect(error.message).toContain(received);
    },
  );

  it('checks each option on its own before the rules that combine them', () => {
    // window needs a rate rule, but its own bad value is what the error is about.
    const error = thrownBy(() => circuitBreaker({ window: { calls: 0 } }));
    expect(error.message).toBe(
      'circuitBreaker: "window.calls" must be an integer ≥ 1 and ≤ 1000000, received 0',
    );
  });

  it.each([
    [{ failureRate: 0.5, minimumCalls: 20, window: { calls: 10 } }, '(10), received 20'],
    [{ failureRate: 0.5, minimumCalls: 200 }, '(100, the default window), received 200'],
  ] as [CircuitBreakerConfig, string][])(
    'refuses a minimumCalls its count window can never hold: %o',
    (config, size) => {
      expect(() => circuitBreaker(config)).toThrow(
        new RangeError(
          `circuitBreaker: "minimumCalls" must be at most "window.calls" ${size}: a window of that size never holds enough calls to judge a rate`,
        ),
      );
    },
  );

  it.each([
    [{ window: { calls: 10 } }, '"window" needs a rate rule'],
    [{ minimumCalls: 5 }, '"minimumCalls" needs a rate rule'],
    [{ slowCallDuration: 100, failureRate: 0.5 }, '"slowCallDuration" needs "slowCallRate"'],
  ] as [CircuitBreakerConfig, string][])(
    'refuses an option without the rule it serves: %o',
    (config, message) => {
      expect(() => circuitBreaker(config)).toThrow(message);
    },
  );

  it('refuses a minimumCalls a count window can never hold', () => {
    const config = { failureRate: 0.5, window: { calls: 10 }, minimumCalls: 11 };
    const error = thrownBy(() => circuitBreaker(config));
    expect(error).toBeInstanceOf(RangeError);
    expect(error.message).toContain('"minimumCalls" must be at most "window.calls" (10)');
  });

  it('accepts the edges of every range', () => {
    const breakers = [
      circuitBreaker({ failureRate: 1, slowCallRate: 1, minimumCalls: 1, window: { calls: 1 } }),
      circuitBreaker({ failureRate: 0.001, window: { duration: 0.5, buckets: 1 } }),
      circuitBreaker({ slowCallRate: 0.5, slowCallDuration: 0.1, maxHalfOpenWait: 0.1 }),
      circuitBreaker({ resetTimeout: exponentialBackoff({ initial: 1, max: 2 }), ignore: [] }),
      circuitBreaker({ failWhen: () => false }),
    ];
    expect(breakers.map((breaker) => breaker.state)).toEqual(Array(5).fill('closed'));
  });
});

describe('failMax with the rate rules', () => {
  it('defaults to 5 with no rate rule, is off (Infinity) with one, and applies when given', () => {
    expect(circuitBreaker().failMax).toBe(5);
    expect(circuitBreaker({ failureRate: 0.5 }).failMax).toBe(Infinity);
    expect(circuitBreaker({ slowCallRate: 0.5 }).failMax).toBe(Infinity);
    expect(circuitBreaker({ failureRate: 0.5, failMax: 3 }).failMax).toBe(3);
  });
});

describe('the setters of issue 10', () => {
  it('exclude and ignore take validated lists of rules, and are read back', () => {
    const breaker = circuitBreaker();
    breaker.ignore = [RangeError];
    breaker.exclude = [(error) => error === null];
    expect(breaker.ignore).toEqual([RangeError]);
    expect(breaker.exclude).toHaveLength(1);
    expect(() => (breaker.ignore = 'RangeError' as never)).toThrow(
      'circuitBreaker: "ignore" must be an array of error classes or predicates, received "RangeError"',
    );
    expect(() => (breaker.exclude = [42] as never)).toThrow('"exclude[0]"');
    expect(breaker.ignore).toEqual([RangeError]);
  });

  it('gives its rules read-only, from the config as from the setters: only a setter changes them', () => {
    const rules = [RangeError];
    const breaker = circuitBreaker({ exclude: rules, ignore: [TypeError] });
    rules.push(TypeError);
    expect(breaker.exclude).toEqual([RangeError]);
    for (const list of [breaker.exclude, breaker.ignore]) {
      expect(() => (list as ExcludeRule[]).push(SyntaxError)).toThrow(TypeError);
    }
    expect(breaker.exclude).toEqual([RangeError]);
    expect(breaker.ignore).toEqual([TypeError]);
  });

  it('resetTimeout takes a function as the config does, and refuses anything else', () => {
    const breaker = circuitBreaker();
    const backoff = exponentialBackoff({ initial: 10, max: 100 });
    breaker.resetTimeout = backoff;
    expect(breaker.resetTimeout).toBe(backoff);
    expect(() => (breaker.resetTimeout = '10' as never)).toThrow('"resetTimeout"');
    expect(breaker.resetTimeout).toBe(backoff);
  });
});
