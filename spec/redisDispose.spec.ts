import { lastValueFrom, of } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { circuitBreaker } from '../src/index.js';
import { redisStore } from '../src/redis/index.js';
import { close, connect } from './support/redisClients.js';
import { freePort } from './support/redisServer.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/**
 * A breaker whose client never becomes ready (nothing listens on its port), so its first read never comes; its
 * `commandTimeout` is far longer than the test's own timeout, so a call that went on did not wait for it.
 */
async function neverReady(name: string) {
  const client = connect(await freePort(), 'ioredis6-resp3', { retryStrategy: () => 1000 });
  const breaker = circuitBreaker({
    name,
    tracer: false,
    meter: false,
    store: redisStore(client, { commandTimeout: 600_000 }),
  });
  cleanups.push(() => {
    breaker.dispose();
    close(client);
  });
  return { client, breaker };
}

describe('a call waiting for a first read that never comes', () => {
  it('lets a call that waits for the first read go on with the local state', async () => {
    const { breaker } = await neverReady('never-ready');
    const call = lastValueFrom(of('done').pipe(breaker));
    breaker.dispose();
    await expect(call).resolves.toBe('done');
  });

  it('lets a call that waits for the first read go on once its client ends, reporting why', async () => {
    const { client, breaker } = await neverReady('ended-while-waiting');
    const storeErrors: unknown[] = [];
    breaker.events$.subscribe((event) => {
      if (event.type === 'store-error') storeErrors.push(event.error);
    });
    const call = lastValueFrom(of('done').pipe(breaker));
    // No reconnect will follow: the read the call waits for never comes, and the call goes on without it.
    client.disconnect();
    await expect(call).resolves.toBe('done');
    expect(storeErrors.map(String)).toEqual([expect.stringContaining('client is "end"')]);
  });
});
