import { firstValueFrom, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, exponentialBackoff } from '../src/index.js';
import type { CircuitBreakerConfig } from '../src/index.js';
import { redisStore } from '../src/redis/index.js';
import { close, connect } from './support/redisClients.js';
import { namespaces } from './support/namespaces.js';
import { useCleanups } from './support/useCleanups.js';
import { useRedisServer } from './support/useRedisServer.js';

/*
 * Until the Lua scripts share issue 10's rules, redisStore refuses each one by name rather than half-support it.
 */

const server = useRedisServer();
const cleanups = useCleanups();
const freshNamespace = namespaces('unsupported');

function client() {
  const redis = connect(server.port);
  cleanups.push(() => close(redis));
  return redis;
}

describe('redisStore refuses the trip policies it cannot share yet', () => {
  it.each([
    [{ failureRate: 0.5 }, '"failureRate"'],
    [{ slowCallRate: 0.5 }, '"slowCallRate"'],
    [{ slowCallRate: 0.5, slowCallDuration: 100 }, '"slowCallRate"'],
    [{ failMax: 3, failureRate: 0.5, minimumCalls: 5 }, '"failureRate"'],
    [{ failureRate: 0.5, window: { duration: 1000 } }, '"failureRate"'],
    [{ maxHalfOpenWait: 1000 }, '"maxHalfOpenWait"'],
    [{ resetTimeout: exponentialBackoff({ initial: 10, max: 100 }) }, 'a function "resetTimeout"'],
    [{ resetTimeout: () => 10 }, 'a function "resetTimeout"'],
  ] as [CircuitBreakerConfig, string][])(
    '%o: circuitBreaker() throws naming %s',
    (config, named) => {
      const store = redisStore(client(), { namespace: freshNamespace() });
      expect(() => circuitBreaker({ name: 'payments', ...config, store })).toThrow(
        new RegExp(
          `^redisStore: .*${named.replace(/[()]/g, '\\$&')}.* is not supported by the Redis store yet`,
        ),
      );
    },
  );

  it.each(['isolated', 'disabled'] as const)('refuses fallbackState %s', (fallbackState) => {
    expect(() => redisStore(client(), { fallbackState })).toThrow(
      `redisStore: "fallbackState" "${fallbackState}" is not supported by the Redis store yet`,
    );
  });

  it.each([
    ['isolate', 'isolate()'],
    ['disable', 'disable()'],
  ] as const)('%s() rejects, and the shared circuit stays as it was', async (method, named) => {
    const breaker = circuitBreaker({
      name: 'payments',
      store: redisStore(client(), { namespace: freshNamespace() }),
    });
    cleanups.unshift(() => breaker.dispose());
    await expect(breaker[method]()).rejects.toThrow(`redisStore: ${named}`);
    expect(breaker.state).toBe('closed');
    await expect(firstValueFrom(of('ok').pipe(breaker))).resolves.toBe('ok');
  });

  it('failWhen, ignore and snapshot() work: they need nothing shared beyond pybreaker’s rules', async () => {
    class Aborted extends Error {}
    const breaker = circuitBreaker({
      name: 'payments',
      failMax: 1,
      failWhen: (status) => status === 503,
      ignore: [Aborted],
      store: redisStore(client(), { namespace: freshNamespace() }),
    });
    cleanups.unshift(() => breaker.dispose());
    await expect(firstValueFrom(of(503).pipe(breaker))).resolves.toBe(503);
    const opened = new Promise((resolve) =>
      breaker.state$.subscribe((state) => state === 'open' && resolve(state)),
    );
    await expect(opened).resolves.toBe('open');
    expect(breaker.snapshot()).toMatchObject({ name: 'payments', state: 'open', failCounter: 1 });
  });
});
