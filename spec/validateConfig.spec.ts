import { asyncScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, memoryStore } from '../src/index.js';
import type { CircuitBreaker, CircuitBreakerConfig } from '../src/index.js';
import { thrownBy } from './support/badValues.js';
import type { BadValue, ErrorKind } from './support/badValues.js';

function expectError(error: Error, kind: ErrorKind, ...fragments: string[]) {
  expect(error.constructor).toBe(kind);
  for (const fragment of fragments) expect(error.message).toContain(fragment);
}

const counts = ['failMax', 'successThreshold', 'halfOpenMaxCalls'].flatMap((option): BadValue[] => [
  { option, value: '5', kind: TypeError, received: 'received "5"' },
  { option, value: null, kind: TypeError, received: 'received null' },
  { option, value: true, kind: TypeError, received: 'received true' },
  { option, value: 5n, kind: TypeError, received: 'received 5n' },
  { option, value: 0, kind: RangeError, received: 'received 0' },
  { option, value: -1, kind: RangeError, received: 'received -1' },
  { option, value: 1.5, kind: RangeError, received: 'received 1.5' },
  { option, value: NaN, kind: RangeError, received: 'received NaN' },
  { option, value: -Infinity, kind: RangeError, received: 'received -Infinity' },
  // `failMax: Infinity` is no consecutive rule.
  ...(option === 'failMax'
    ? []
    : [{ option, value: Infinity, kind: RangeError, received: 'received Infinity' }]),
]);

const durations = ['resetTimeout'].flatMap((option): BadValue[] => [
  { option, value: '1000', kind: TypeError, received: 'received "1000"' },
  { option, value: null, kind: TypeError, received: 'received null' },
  { option, value: -1, kind: RangeError, received: 'received -1' },
  { option, value: -0.5, kind: RangeError, received: 'received -0.5' },
  { option, value: NaN, kind: RangeError, received: 'received NaN' },
  { option, value: Infinity, kind: RangeError, received: 'received Infinity' },
  { option, value: -Infinity, kind: RangeError, received: 'received -Infinity' },
  // Past 100 years, times plus durations leave the exact integers the Redis store keeps.
  {
    option,
    value: Number.MAX_SAFE_INTEGER,
    kind: RangeError,
    received: 'received 9007199254740991',
  },
]);

const others: BadValue[] = [
  { option: 'name', value: 42, kind: TypeError, received: 'received 42' },
  { option: 'name', value: '', kind: TypeError, received: 'received ""' },
  { option: 'name', value: null, kind: TypeError, received: 'received null' },
  { option: 'exclude', value: Error, kind: TypeError, received: 'received function Error' },
  { option: 'exclude', value: 'Error', kind: TypeError, received: 'received "Error"' },
  { option: 'exclude', value: new Set([Error]), kind: TypeError, received: 'received an object' },
  { option: 'exclude', value: [42], kind: TypeError, received: 'received 42', named: 'exclude[0]' },
  {
    option: 'exclude',
    value: [null],
    kind: TypeError,
    received: 'received null',
    named: 'exclude[0]',
  },
  {
    option: 'exclude',
    value: [Error, 'TypeError'],
    kind: TypeError,
    received: 'received "TypeError"',
    named: 'exclude[1]',
  },
  { option: 'throwNewErrorOnTrip', value: 'false', kind: TypeError, received: 'received "false"' },
  { option: 'throwNewErrorOnTrip', value: 0, kind: TypeError, received: 'received 0' },
  { option: 'scheduler', value: {}, kind: TypeError, received: 'received an object' },
  { option: 'scheduler', value: 42, kind: TypeError, received: 'received 42' },
  { option: 'scheduler', value: null, kind: TypeError, received: 'received null' },
  { option: 'scheduler', value: Date, kind: TypeError, received: 'received function Date' },
  {
    option: 'scheduler',
    value: { now: () => 0 },
    kind: TypeError,
    received: 'received an object',
  },
  { option: 'store', value: {}, kind: TypeError, received: 'received an object' },
  { option: 'store', value: 'memory', kind: TypeError, received: 'received "memory"' },
  { option: 'store', value: null, kind: TypeError, received: 'received null' },
];

describe('circuitBreaker(config) validation', () => {
  it.each([...counts, ...durations, ...others])(
    '$option: $value is a $kind.name naming the option and the value',
    ({ option, value, kind, received, named }) => {
      const config = { [option]: value } as CircuitBreakerConfig;
      expectError(
        thrownBy(() => circuitBreaker(config)),
        kind,
        `"${named ?? option}"`,
        received,
      );
    },
  );

  it('says what a counted option must be', () => {
    const error = thrownBy(() => circuitBreaker({ failMax: 0 }));
    expect(error.message).toBe('circuitBreaker: "failMax" must be an integer ≥ 1, received 0');
  });

  it('refuses a store factory that was not called (memoryStore instead of memoryStore())', () => {
    const config = { store: memoryStore } as unknown as CircuitBreakerConfig;
    expectError(
      thrownBy(() => circuitBreaker(config)),
      TypeError,
      '"store"',
      'memoryStore()',
      'it returned function',
    );
  });

  it('refuses a store factory that does not return a store', () => {
    const config = { store: () => ({ state: 'closed' }) } as unknown as CircuitBreakerConfig;
    expectError(
      thrownBy(() => circuitBreaker(config)),
      TypeError,
      '"store"',
      'it returned an object',
    );
  });

  it.each([
    ['foo', {}],
    ['retries', {}],
  ])('refuses the unknown option %s, naming it', (key) => {
    const config = { [key]: 1 } as CircuitBreakerConfig;
    const error = thrownBy(() => circuitBreaker(config));
    expectError(error, TypeError, `unknown option "${key}"`);
    expect(error.message).not.toContain('did you mean');
  });

  it.each([
    ['failmax', 'failMax'],
    ['FailMax', 'failMax'],
    ['resettimeout', 'resetTimeout'],
    ['SUCCESSTHRESHOLD', 'successThreshold'],
    ['throwNewErrorOnTRIP', 'throwNewErrorOnTrip'],
    ['resetTimout', 'resetTimeout'],
    ['halfOpenMaxCall', 'halfOpenMaxCalls'],
    ['excludes', 'exclude'],
  ])('refuses the misspelt option %s and suggests %s', (typo, meant) => {
    const config = { [typo]: 3 } as CircuitBreakerConfig;
    expectError(
      thrownBy(() => circuitBreaker(config)),
      TypeError,
      `unknown option "${typo}"`,
      `did you mean "${meant}"?`,
    );
  });

  it('refuses an unknown option even next to valid ones', () => {
    const config = { failMax: 3, resetTimout: 1000 } as CircuitBreakerConfig;
    expectError(
      thrownBy(() => circuitBreaker(config)),
      TypeError,
      '"resetTimout"',
    );
  });

  it.each([
    [null, 'received null'],
    [42, 'received 42'],
    ['customers-db', 'received "customers-db"'],
    [[], 'received an array'],
    [() => ({}), 'received function'],
  ])('refuses the config %s, which is not an object', (config, received) => {
    expectError(
      thrownBy(() => circuitBreaker(config as CircuitBreakerConfig)),
      TypeError,
      'config must be an object',
      received,
    );
  });

  it('accepts the edges of every range, and treats undefined as not given', () => {
    const breakers: CircuitBreaker[] = [
      circuitBreaker(),
      circuitBreaker(undefined),
      circuitBreaker({ failMax: 1, successThreshold: 1, halfOpenMaxCalls: 1, resetTimeout: 0 }),
      circuitBreaker({ resetTimeout: 1.5, exclude: [], throwNewErrorOnTrip: false }),
      circuitBreaker({ exclude: [TypeError, (error) => error === null] }),
      circuitBreaker({ scheduler: asyncScheduler, store: memoryStore(), name: 'x' }),
    ];
    const defaults = circuitBreaker({
      failMax: undefined,
      resetTimeout: undefined,
      name: undefined,
    });
    expect(defaults.failMax).toBe(5);
    expect(defaults.resetTimeout).toBe(60_000);
    expect(defaults.successThreshold).toBe(1);
    expect(defaults.name).toBe('circuit-breaker');
    expect(breakers[3].resetTimeout).toBe(1.5);
    for (const breaker of [...breakers, defaults]) breaker.dispose();
  });
});

describe('setters', () => {
  const badSettings: [
    keyof Pick<
      CircuitBreaker,
      'failMax' | 'resetTimeout' | 'successThreshold' | 'halfOpenMaxCalls'
    >,
    unknown,
    ErrorKind,
    string,
  ][] = [
    ['failMax', 0, RangeError, 'received 0'],
    ['failMax', 2.5, RangeError, 'received 2.5'],
    ['failMax', NaN, RangeError, 'received NaN'],
    ['failMax', -Infinity, RangeError, 'received -Infinity'],
    ['failMax', '3', TypeError, 'received "3"'],
    ['failMax', undefined, TypeError, 'received undefined'],
    ['resetTimeout', -1, RangeError, 'received -1'],
    ['resetTimeout', NaN, RangeError, 'received NaN'],
    ['resetTimeout', Infinity, RangeError, 'received Infinity'],
    ['resetTimeout', '10', TypeError, 'received "10"'],
    ['resetTimeout', null, TypeError, 'received null'],
    ['successThreshold', 0, RangeError, 'received 0'],
    ['successThreshold', 1.5, RangeError, 'received 1.5'],
    ['successThreshold', -2, RangeError, 'received -2'],
    ['successThreshold', true, TypeError, 'received true'],
    ['halfOpenMaxCalls', 0, RangeError, 'received 0'],
    ['halfOpenMaxCalls', 1.5, RangeError, 'received 1.5'],
    ['halfOpenMaxCalls', '2', TypeError, 'received "2"'],
  ];

  it.each(badSettings)(
    '%s = %s throws and keeps the old value',
    (option, value, kind, received) => {
      const breaker = circuitBreaker({ failMax: 4, resetTimeout: 1000, successThreshold: 2 });
      const before = breaker[option];
      const error = thrownBy(() => {
        (breaker as unknown as Record<string, unknown>)[option] = value;
      });
      expectError(error, kind, `"${option}"`, received);
      expect(breaker[option]).toBe(before);
      breaker.dispose();
    },
  );

  it('take valid values', () => {
    const breaker = circuitBreaker();
    breaker.failMax = 1;
    breaker.resetTimeout = 0;
    breaker.successThreshold = 7;
    breaker.halfOpenMaxCalls = 3;
    expect([
      breaker.failMax,
      breaker.resetTimeout,
      breaker.successThreshold,
      breaker.halfOpenMaxCalls,
    ]).toEqual([1, 0, 7, 3]);
    breaker.dispose();
  });

  it('refuse a property the breaker does not have (a typo), instead of ignoring it', () => {
    const breaker = circuitBreaker();
    const error = thrownBy(() => {
      (breaker as unknown as Record<string, unknown>).failmax = 3;
    });
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain('failmax');
    expect(breaker.failMax).toBe(5);
    breaker.dispose();
  });
});
