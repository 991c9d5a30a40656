import { Cluster } from 'ioredis';
import { Cluster as Cluster5 } from 'ioredis5';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { circuitBreaker, isCircuitBreakerError } from '../src/index.js';
import type { CircuitBreaker } from '../src/index.js';
import { redisStore } from '../src/redis/index.js';
import { fail, recordEvents, succeed, waitFor } from './support/redisClients.js';
import { startRedisCluster } from './support/redisCluster.js';
import type { RedisCluster } from './support/redisCluster.js';

let cluster: RedisCluster;

beforeAll(async () => {
  cluster = await startRedisCluster();
});

afterAll(async () => {
  await cluster.stop();
});

const startupNodes = () => cluster.ports.map((port) => ({ host: '127.0.0.1', port }));

async function ready(client: { status: string }) {
  await waitFor(() => client.status === 'ready', 10_000, 'the cluster client');
}

describe('redisStore on a three-master Redis Cluster', () => {
  it('shares state for breakers whose keys live on different masters', async () => {
    const clients = [new Cluster(startupNodes()), new Cluster5(startupNodes())];
    await Promise.all(clients.map(ready));
    // Names whose hash tags fall on each of the three masters.
    const names = ['payments', 'orders', 'users', 'search', 'stock', 'mail'];
    const masters = new Set(
      await Promise.all(
        names.map(async (name) => {
          const slot = await clients[0].cluster('KEYSLOT', `{${name}}`);
          return clients[0].slots[slot]?.[0];
        }),
      ),
    );
    expect(masters.size).toBe(3);
    const fleets = clients.map((client) =>
      names.map((name) =>
        circuitBreaker({ name, failMax: 2, store: redisStore(client, { namespace: 'cluster' }) }),
      ),
    );
    const [here, there] = fleets as [CircuitBreaker[], CircuitBreaker[]];
    const recorders = [...here, ...there].map(recordEvents);
    try {
      await Promise.all([...here, ...there].map(succeed));

      for (const [index, breaker] of here.entries()) {
        await fail(breaker);
        expect(isCircuitBreakerError(await fail(there[index]))).toBe(true);
      }
      await waitFor(
        () => here.every((breaker) => breaker.state === 'open'),
        3000,
        'every breaker to open',
      );
      await there[0].halfOpen();
      await waitFor(() => here[0].state === 'half-open', 10_000, 'half-open across the cluster');
      await succeed(here[0]);
      await waitFor(() => there[0].state === 'closed', 10_000, 'closed across the cluster');

      expect(here.map((breaker) => breaker.state)).toEqual([
        'closed',
        'open',
        'open',
        'open',
        'open',
        'open',
      ]);
      const own = recorders
        .flatMap((r) => r.transitions())
        .filter((t) => t.reason === 'failure_threshold');
      expect(own).toHaveLength(names.length);
      expect(recorders.flatMap((r) => r.storeErrors())).toEqual([]);
      const state = await clients[0].hgetall('cluster:{orders}:state');
      expect(state).toMatchObject({ s: 'open', g: '1', f: '2' });
    } finally {
      [...here, ...there].forEach((breaker) => breaker.dispose());
      clients.forEach((client) => client.disconnect());
    }
  });

  it('trips fleet-wide on a failure rate through Cluster clients, for breakers whose keys live on different masters', async () => {
    const namespace = 'cluster-rate';
    const clients = [new Cluster(startupNodes()), new Cluster5(startupNodes())];
    const admin = new Cluster(startupNodes());
    await Promise.all([...clients, admin].map(ready));
    const names = ['payments', 'orders', 'users', 'search', 'stock', 'mail'];
    // State, trials and window of one breaker share its hash tag, so one slot; the names cover the three masters.
    const masterOf = new Map<string, string | undefined>();
    for (const name of names) {
      const [state, trials, window] = await Promise.all(
        ['state', 'trials', 'window'].map((key) =>
          admin.cluster('KEYSLOT', `${namespace}:{${name}}:${key}`),
        ),
      );
      expect(new Set([state, trials, window]).size).toBe(1);
      masterOf.set(name, admin.slots[state]?.[0]);
    }
    expect(new Set(masterOf.values()).size).toBe(3);
    // 3 failures on each client: 6 calls reach minimumCalls only once both clients' batches are merged.
    const config = { failureRate: 0.5, window: { calls: 10 }, minimumCalls: 6 } as const;
    const [here, there] = clients.map((client) =>
      names.map((name) =>
        circuitBreaker({
          name,
          ...config,
          store: redisStore(client, { namespace, flushInterval: 50 }),
        }),
      ),
    ) as [CircuitBreaker[], CircuitBreaker[]];
    const recorders = [...here, ...there].map(recordEvents);
    try {
      for (const breaker of here) for (let n = 0; n < 3; n++) await fail(breaker);
      // Mid-window: every breaker's batch reached its master, and none tripped (3 calls < minimumCalls).
      for (const name of names) {
        await waitFor(
          async () => (await admin.hget(`${namespace}:{${name}}:window`, 'r')) === '111',
          10_000,
          `${name}'s window on its master`,
        );
      }
      expect([...here, ...there].every((breaker) => breaker.state === 'closed')).toBe(true);

      for (const breaker of there) for (let n = 0; n < 3; n++) await fail(breaker);
      await waitFor(
        () => [...here, ...there].every((breaker) => breaker.state === 'open'),
        10_000,
        'every breaker to open',
      );

      for (const [index, name] of names.entries()) {
        const seen = [recorders[index], recorders[index + names.length]].map((r) =>
          r.transitions(),
        );
        // One trip per circuit, made by the client whose flush crossed the threshold, heard by the other.
        expect(
          seen
            .flat()
            .map((t) => t.reason)
            .sort(),
          name,
        ).toEqual(['failure_rate', 'remote']);
        expect(seen.every((transitions) => transitions.length === 1)).toBe(true);
        expect(await admin.hget(`${namespace}:{${name}}:state`, 's')).toBe('open');
        expect(await admin.exists(`${namespace}:{${name}}:window`)).toBe(0);
      }
      expect(recorders.flatMap((r) => r.storeErrors())).toEqual([]);
    } finally {
      [...here, ...there].forEach((breaker) => breaker.dispose());
      [...clients, admin].forEach((client) => client.disconnect());
    }
  });

  it('puts a keyPrefix, given at the top or in redisOptions, on the channel as on the keys', async () => {
    const namespace = 'cluster-prefix';
    const clients = [
      new Cluster(startupNodes(), { keyPrefix: 'tenantA:' }),
      new Cluster5(startupNodes(), { redisOptions: { keyPrefix: 'tenantA:' } }),
      new Cluster(startupNodes(), { redisOptions: { keyPrefix: 'tenantB:' } }),
    ];
    const admin = new Cluster(startupNodes());
    await Promise.all([...clients, admin].map(ready));
    const [here, there, other] = clients.map((client) =>
      circuitBreaker({ name: 'payments', failMax: 1, store: redisStore(client, { namespace }) }),
    );
    const recorders = [there, other].map(recordEvents);
    try {
      await Promise.all([here, there, other].map(succeed));

      await fail(here);

      await waitFor(() => there.state === 'open', 10_000, 'the same prefix to open');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(other.state).toBe('closed');
      expect(recorders[0].transitions()).toEqual([
        { from: 'closed', to: 'open', reason: 'remote' },
      ]);
      expect(recorders[1].transitions()).toEqual([]);
      expect(await admin.hget(`tenantA:${namespace}:{payments}:state`, 's')).toBe('open');
      expect(await admin.exists(`tenantB:${namespace}:{payments}:state`)).toBe(0);
      expect(recorders.flatMap((r) => r.storeErrors())).toEqual([]);
    } finally {
      [here, there, other].forEach((breaker) => breaker.dispose());
      [...clients, admin].forEach((client) => client.disconnect());
    }
  });
});
