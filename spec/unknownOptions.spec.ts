import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { circuitBreaker } from '../src/index.js';
import type { CircuitBreakerConfig } from '../src/index.js';
import { redisStore } from '../src/redis/index.js';
import type { RedisStoreOptions } from '../src/redis/index.js';

/** Keys that name members of Object.prototype: a lookup on a plain object would find those members. */
const prototypeKeys = ['toString', 'constructor', 'valueOf', 'hasOwnProperty', 'isPrototypeOf'];

function withOwnKey(key: string): unknown {
  return { [key]: 5 };
}

/** JSON.parse makes `__proto__` an own key, where an object literal would set the prototype. */
const proto = JSON.parse('{"__proto__": 5}') as unknown;

describe('unknown options named like Object.prototype members', () => {
  it.each(prototypeKeys)('circuitBreaker refuses %s as an unknown option', (key) => {
    expect(() => circuitBreaker(withOwnKey(key) as CircuitBreakerConfig)).toThrow(
      new TypeError(`circuitBreaker: unknown option "${key}"`),
    );
  });

  it('circuitBreaker refuses a __proto__ key from JSON.parse as an unknown option', () => {
    expect(Object.keys(proto as object)).toEqual(['__proto__']);
    expect(() => circuitBreaker(proto as CircuitBreakerConfig)).toThrow(
      new TypeError('circuitBreaker: unknown option "__proto__"'),
    );
  });

  describe('redisStore', () => {
    // Validation runs before the client is used: a client that never connects is enough.
    const redis = new Redis({ lazyConnect: true });
    afterAll(() => redis.disconnect());

    it.each(prototypeKeys)('refuses %s as an unknown option', (key) => {
      expect(() => redisStore(redis, withOwnKey(key) as RedisStoreOptions)).toThrow(
        new TypeError(`redisStore: unknown option "${key}"`),
      );
    });

    it('refuses a __proto__ key from JSON.parse as an unknown option', () => {
      expect(() => redisStore(redis, proto as RedisStoreOptions)).toThrow(
        new TypeError('redisStore: unknown option "__proto__"'),
      );
    });

    it('suggests the closest option name for a typo', () => {
      expect(() => redisStore(redis, { namespce: 'x' } as RedisStoreOptions)).toThrow(
        new TypeError('redisStore: unknown option "namespce" (did you mean "namespace"?)'),
      );
    });
  });
});
