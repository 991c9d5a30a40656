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

describe('redisStore and the trip policies', () => {
  it.each([
    [{ failureRate: 0.5 }, '"failureRate"'],
    [{ slowCallRate: 0.5 }, '"slowCallRate"'],
    [{ slowCallRate: 0.5, slowCallDuration: 100 }, '"slowCallRate"'],
    [{ failMax: 3, failureRate: 0.5, minimumCalls: 5 }, '"failureRate"'],
    [{ failureRate: 0.5, window: { duration: 1000 } }, '"failureRate"'],
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

  it('isolate() and disable() hold every breaker of the shared circuit; close() on any releases it', async () => {
    const namespace = freshNamespace();
    const [here, there] = [client(), client()].map((redis) => {
      const breaker = circuitBreaker({
        name: 'payments',
        resetTimeout: exponentialBackoff({ initial: 1_000, max: 10_000 }),
        maxHalfOpenWait: 5_000,
        store: redisStore(redis, { namespace }),
      });
      cleanups.unshift(() => breaker.dispose());
      return breaker;
    });
    // A first call on each waits for its store's first read of the shared state.
    for (const breaker of [here, there]) await firstValueFrom(of('ok').pipe(breaker));
    const seen = (state: string) =>
      new Promise((resolve) => there.state$.subscribe((now) => now === state && resolve(now)));
    await here.isolate();
    await expect(seen('isolated')).resolves.toBe('isolated');
    await expect(firstValueFrom(of('ok').pipe(there))).rejects.toMatchObject({ kind: 'isolated' });
    await here.disable();
    await expect(seen('disabled')).resolves.toBe('disabled');
    await expect(firstValueFrom(of('ok').pipe(there))).resolves.toBe('ok');
    await there.close();
    expect(there.state).toBe('closed');
  });

  it('failWhen, ignore and snapshot() work through it', async () => {
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
