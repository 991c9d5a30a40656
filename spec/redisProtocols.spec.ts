import { describe, expect, it } from 'vitest';
import { isCircuitBreakerError } from '../src/index.js';
import type { ClientKind, ConnectOptions } from './support/redisClients.js';
import {
  clientKinds,
  commandCalls,
  fail,
  recordEvents,
  succeed,
  waitFor,
} from './support/redisClients.js';
import { useRedisSpec } from './support/useRedisSpec.js';

const { server, client, breakerOn } = useRedisSpec('protocols');

interface Pairing {
  readonly name: string;
  readonly kinds: readonly [ClientKind, ClientKind];
  readonly options?: ConnectOptions;
}

const pairings: Pairing[] = [
  ...clientKinds.map((kind): Pairing => ({ name: `${kind} with ${kind}`, kinds: [kind, kind] })),
  { name: 'ioredis6-resp3 with ioredis5 (RESP2)', kinds: ['ioredis6-resp3', 'ioredis5'] },
  {
    name: 'ioredis6-resp3 with stringNumbers',
    kinds: ['ioredis6-resp3', 'ioredis6-resp3'],
    options: { stringNumbers: true },
  },
];

describe.each(pairings)('redisStore over $name', ({ name, kinds, options }) => {
  it('shares trips, manual transitions and trial outcomes, with no round trip on the hot path', async () => {
    const namespace = name.replace(/\W+/g, '-');
    const clients = kinds.map((kind) => client(kind, options));
    const [a, b] = clients.map((redis) => breakerOn(redis, { namespace, failMax: 2 }));
    const [seenByA, seenByB] = [a, b].map(recordEvents);
    await Promise.all([a, b].map(succeed));
    const protocols = await Promise.all(
      clients.map(async (redis) => /resp=(\d)/.exec(await redis.client('INFO'))?.[1]),
    );
    expect(protocols).toEqual(kinds.map((kind) => (kind === 'ioredis6-resp3' ? '3' : '2')));

    await fail(a);
    expect(isCircuitBreakerError(await fail(b))).toBe(true);
    await waitFor(() => a.state === 'open', 10_000, 'open on a');
    await b.halfOpen();
    await waitFor(() => a.state === 'half-open', 10_000, 'half-open on a');
    await succeed(a);
    await waitFor(() => b.state === 'closed', 10_000, 'closed on b');
    await server.admin.config('RESETSTAT');
    for (let call = 0; call < 200; call += 1) await succeed(call % 2 ? a : b);

    expect(seenByA.transitions()).toEqual([
      { from: 'closed', to: 'open', reason: 'remote' },
      { from: 'open', to: 'half-open', reason: 'remote' },
      { from: 'half-open', to: 'closed', reason: 'trial_success' },
    ]);
    expect(seenByB.transitions()).toEqual([
      { from: 'closed', to: 'open', reason: 'failure_threshold' },
      { from: 'open', to: 'half-open', reason: 'manual' },
      { from: 'half-open', to: 'closed', reason: 'remote' },
    ]);
    expect(await commandCalls(server.admin)).toEqual({ 'config|resetstat': 1 });
    expect([...seenByA.storeErrors(), ...seenByB.storeErrors()]).toEqual([]);
  });
});
