import { describe, expect, it } from 'vitest';
import { isCircuitBreakerError } from '../src/index.js';
import { RedisStoreError, isRedisStoreError } from '../src/redis/index.js';

describe('RedisStoreError', () => {
  it('is recognised by isRedisStoreError, also from another copy of the package', async () => {
    // A second instance of the module, as a second copy of the package in node_modules would load.
    const anotherCopy = '../src/redis/RedisStoreError.js?another-copy';
    const copy = (await import(anotherCopy)) as typeof import('../src/redis/RedisStoreError.js');
    const fromCopy = new copy.RedisStoreError('timeout', 'acquire', 'no reply within 300 ms');

    expect(fromCopy).not.toBeInstanceOf(RedisStoreError);
    expect(isRedisStoreError(fromCopy)).toBe(true);
    expect(copy.isRedisStoreError(new RedisStoreError('command', 'read', 'ERR'))).toBe(true);
    expect(fromCopy.message).toBe('redisStore acquire: no reply within 300 ms');
    // The brand sits on the prototype: nothing is added to each error.
    expect(Object.getOwnPropertySymbols(fromCopy)).toEqual([]);
  });

  it('is not mistaken for other errors, nor they for it', () => {
    const error = new RedisStoreError('bad-data', 'subscribe', 'unexpected message');
    expect(isRedisStoreError(new Error('redisStore read: timeout'))).toBe(false);
    expect(isRedisStoreError({ name: 'RedisStoreError', kind: 'timeout' })).toBe(false);
    expect(isRedisStoreError(undefined)).toBe(false);
    expect(isCircuitBreakerError(error)).toBe(false);
  });
});
