import { describe, expect, it } from 'vitest';
import { connect, fail, recordEvents, succeed, waitFor } from './support/redisClients.js';
import { startHoldingProxy } from './support/holdingProxy.js';
import { useRedisSpec } from './support/useRedisSpec.js';

const { server, cleanups, freshNamespace, client, breakerOn } = useRedisSpec('stale');

describe('redisStore: a reply older than a transition heard by pub/sub', () => {
  it('keeps a trip made elsewhere over its own first read, when the read ran before the trip but answers after it', async () => {
    const namespace = freshNamespace();
    const config = { namespace, failMax: 1, resetTimeout: 60_000 };
    const warmUp = breakerOn(client(), config);
    // Its first read loads the read script into Redis, so that the late breaker's read runs on its first send.
    await succeed(warmUp);

    const proxy = await startHoldingProxy(server.port);
    cleanups.push(() => void proxy.close());
    const throughProxy = connect(proxy.port);
    cleanups.push(() => throughProxy.disconnect());
    await throughProxy.ping();
    proxy.hold();
    // A breaker created now, whose state hash does not exist yet: its first read runs in Redis at once (its
    // subscription, on a connection of its own, is not held), and its reply is held back.
    const late = breakerOn(throughProxy, { ...config, name: 'first-use', commandTimeout: 30_000 });
    const lateEvents = recordEvents(late);
    await waitFor(() => proxy.heldBytes > 0, 10_000, 'the first read to run in Redis');

    const tripper = breakerOn(client(), { ...config, name: 'first-use' });
    await fail(tripper);
    await waitFor(() => late.state === 'open', 10_000, 'the trip to arrive by pub/sub');
    proxy.release();

    // The call waits for the first read; the read's reply (a closed circuit, before the trip) is older news.
    await expect(succeed(late)).rejects.toThrow('circuit breaker still open');
    expect(late.state).toBe('open');
    expect(lateEvents.transitions()).toEqual([{ from: 'closed', to: 'open', reason: 'remote' }]);
  });
});
