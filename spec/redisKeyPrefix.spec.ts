import { describe, expect, it } from 'vitest';
import type { CircuitBreaker } from '../src/index.js';
import { keyPrefixOf, redisKeys } from '../src/redis/keys.js';
import type { RedisClientLike } from '../src/redis/RedisClientLike.js';
import { clientKinds, fail, recordEvents, succeed, waitFor } from './support/redisClients.js';
import type { ClientKind } from './support/redisClients.js';
import { useRedisSpec } from './support/useRedisSpec.js';

/*
 * ioredis prepends a client's `keyPrefix` to keys but not to pub/sub channels. The store must put the prefix into
 * its transitions channel itself, so that breakers hear each other exactly when they share keys.
 */

const { server, freshNamespace, client, breakerOn } = useRedisSpec('prefix');

/** A breaker named 'payments' on a client of its own (as another process would have), with `keyPrefix`. */
function breakerWithPrefix(
  namespace: string,
  keyPrefix: string | undefined,
  kind: ClientKind = 'ioredis6-resp3',
  name = 'payments',
): CircuitBreaker {
  const redis = client(kind, keyPrefix === undefined ? {} : { keyPrefix });
  return breakerOn(redis, { namespace, name, failMax: 1 });
}

async function subscribedChannels(namespace: string): Promise<string[]> {
  const channels = (await server.admin.pubsub('CHANNELS', `*${namespace}:*`)) as string[];
  return channels.sort();
}

describe('redisStore with a client keyPrefix', () => {
  it('keeps breakers under different prefixes apart, pub/sub included', async () => {
    const namespace = freshNamespace();
    const tenantA = breakerWithPrefix(namespace, 'tenantA:');
    const tenantAAgain = breakerWithPrefix(namespace, 'tenantA:');
    const tenantB = breakerWithPrefix(namespace, 'tenantB:');
    const unprefixed = breakerWithPrefix(namespace, undefined);
    const recorders = [tenantB, unprefixed].map(recordEvents);
    await Promise.all([tenantA, tenantAAgain, tenantB, unprefixed].map(succeed));

    await fail(tenantA);

    expect(tenantA.state).toBe('open');
    // Redis delivers one PUBLISH to every subscriber of the channel at once: by the time the breaker with the
    // same prefix has heard it, any other subscriber of that channel would have been sent it too.
    await waitFor(() => tenantAAgain.state === 'open', 10_000, 'the same prefix to open');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(tenantB.state).toBe('closed');
    expect(unprefixed.state).toBe('closed');
    expect(recorders.flatMap((recorder) => recorder.transitions())).toEqual([]);
    expect(await succeed(tenantB)).toBe('ok');
    expect(await succeed(unprefixed)).toBe('ok');
    expect(await server.admin.hget(`tenantA:${namespace}:{payments}:state`, 's')).toBe('open');
    expect(await server.admin.hget(`tenantB:${namespace}:{payments}:state`, 's')).toBeNull();
    expect(await server.admin.hget(`${namespace}:{payments}:state`, 's')).toBeNull();
    expect(recorders.flatMap((recorder) => recorder.storeErrors())).toEqual([]);
    expect(await subscribedChannels(namespace)).toEqual([
      `${namespace}:{payments}:transitions`,
      `tenantA:${namespace}:{payments}:transitions`,
      `tenantB:${namespace}:{payments}:transitions`,
    ]);
  });

  it.each(clientKinds)('shares state and transitions under one prefix (%s)', async (kind) => {
    const namespace = freshNamespace();
    const here = breakerWithPrefix(namespace, 'tenantA:');
    const there = breakerWithPrefix(namespace, 'tenantA:', kind);
    const recorder = recordEvents(there);
    await Promise.all([here, there].map(succeed));

    await fail(here);

    await waitFor(() => there.state === 'open', 10_000, 'the remote trip to arrive');
    expect(recorder.transitions()).toEqual([{ from: 'closed', to: 'open', reason: 'remote' }]);
    await expect(succeed(there)).rejects.toThrow('circuit breaker still open');

    await there.close();

    await waitFor(() => here.state === 'closed', 10_000, 'the remote close to arrive');
    expect(recorder.storeErrors()).toEqual([]);
  });

  it('keys channels per breaker on one shared pub/sub connection of a prefixed client', async () => {
    const namespace = freshNamespace();
    const redis = client('ioredis6-resp3', { keyPrefix: 'tenantA:' });
    const payments = breakerOn(redis, { namespace, failMax: 1 });
    const orders = breakerOn(redis, { namespace, name: 'orders', failMax: 1 });
    const remotePayments = breakerWithPrefix(namespace, 'tenantA:');
    const remoteOrders = breakerWithPrefix(namespace, 'tenantA:', 'ioredis6-resp3', 'orders');
    await Promise.all([payments, orders, remotePayments, remoteOrders].map(succeed));

    await fail(remoteOrders);

    await waitFor(() => orders.state === 'open', 10_000, 'orders to open');
    expect(payments.state).toBe('closed');

    await fail(remotePayments);

    await waitFor(() => payments.state === 'open', 10_000, 'payments to open');
    expect(
      await server.admin.pubsub('NUMSUB', `tenantA:${namespace}:{orders}:transitions`),
    ).toEqual([`tenantA:${namespace}:{orders}:transitions`, 2]);
  });

  it('reads the prefix ioredis puts on keys, and puts it on the channel only', () => {
    const withOptions = (options: unknown) => ({ options }) as unknown as RedisClientLike;
    expect(keyPrefixOf(withOptions({ keyPrefix: 'tenantA:' }))).toBe('tenantA:');
    expect(keyPrefixOf(withOptions({ keyPrefix: Buffer.from('tenantB:') }))).toBe('tenantB:');
    expect(keyPrefixOf(withOptions({ keyPrefix: '' }))).toBe('');
    expect(keyPrefixOf(withOptions({}))).toBe('');
    expect(keyPrefixOf({} as RedisClientLike)).toBe('');
    expect(redisKeys('ns', 'payments', 'tenantA:')).toEqual({
      state: 'ns:{payments}:state',
      trials: 'ns:{payments}:trials',
      window: 'ns:{payments}:window',
      channel: 'tenantA:ns:{payments}:transitions',
    });
  });
});
