import { lastValueFrom, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker } from '../src/index.js';
import { redisStore } from '../src/redis/index.js';
import { close, connect } from './support/redisClients.js';
import { freePort } from './support/redisServer.js';

describe('a call waiting for a first read that never comes', () => {
  it('lets a call that waits for the first read go on with the local state', async () => {
    // Nothing listens on this port: the client never becomes ready, so the first read never comes.
    const client = connect(await freePort(), 'ioredis6-resp3', { retryStrategy: () => 1000 });
    const breaker = circuitBreaker({
      name: 'never-ready',
      tracer: false,
      meter: false,
      store: redisStore(client, { commandTimeout: 60_000 }),
    });
    try {
      const call = lastValueFrom(of('done').pipe(breaker));
      breaker.dispose();
      await expect(call).resolves.toBe('done');
    } finally {
      close(client);
    }
  });

  it('lets a call that waits for the first read go on once its client ends, reporting why', async () => {
    const client = connect(await freePort(), 'ioredis6-resp3', { retryStrategy: () => 1000 });
    const breaker = circuitBreaker({
      name: 'ended-while-waiting',
      tracer: false,
      meter: false,
      store: redisStore(client, { commandTimeout: 600_000 }),
    });
    const storeErrors: unknown[] = [];
    breaker.events$.subscribe((event) => {
      if (event.type === 'store-error') storeErrors.push(event.error);
    });
    try {
      const call = lastValueFrom(of('done').pipe(breaker));
      // No reconnect will follow: the read the call waits for never comes, and the call goes on without it
      // (long before the 10-minute commandTimeout, which the test's own timeout would hit first).
      client.disconnect();
      await expect(call).resolves.toBe('done');
      expect(storeErrors.map(String)).toEqual([expect.stringContaining('client is "end"')]);
    } finally {
      breaker.dispose();
      close(client);
    }
  });
});
