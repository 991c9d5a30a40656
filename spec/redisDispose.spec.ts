import { lastValueFrom, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker } from '../src/index.js';
import { redisStore } from '../src/redis/index.js';
import { close, connect } from './support/redisClients.js';
import { freePort } from './support/redisServer.js';

describe('disposing a Redis-backed breaker', () => {
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
});
