import type { Redis } from 'ioredis';
import { NEVER, asyncScheduler, firstValueFrom } from 'rxjs';
import type { SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, isCircuitBreakerError } from '../src/index.js';
import type { CircuitBreaker } from '../src/index.js';
import { RedisStoreError, redisStore } from '../src/redis/index.js';
import type { RedisStoreOptions } from '../src/redis/index.js';
import { commandCalls, fail, recordEvents, succeed, waitFor } from './support/redisClients.js';
import { useRedisSpec } from './support/useRedisSpec.js';

const { server, freshNamespace, client, breakerOn, fleet } = useRedisSpec('spec');

async function sharedState(namespace: string, name = 'payments') {
  return server.admin.hgetall(`${namespace}:{${name}}:state`);
}

/** Redis's clock, in milliseconds. */
async function redisNow(): Promise<number> {
  const [seconds, micros] = await server.admin.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

async function scriptCalls(): Promise<number> {
  const calls = await commandCalls(server.admin);
  return (calls.eval ?? 0) + (calls.evalsha ?? 0);
}

/** A call that never ends, so its permit stays taken; resolves once the breaker has answered admission. */
async function hang(breaker: CircuitBreaker): Promise<{ admitted: boolean; stop: () => void }> {
  let admitted = false;
  let refused = false;
  const subscription = breaker.execute(() => NEVER).subscribe({ error: () => (refused = true) });
  const events = breaker.events$.subscribe((event) => {
    if (event.type === 'call') admitted = true;
  });
  await waitFor(() => admitted || refused, 10_000, 'admission');
  events.unsubscribe();
  return { admitted, stop: () => subscription.unsubscribe() };
}

describe('redisStore: sharing state', () => {
  it('opens the circuit for every breaker of the same name and namespace, once', async () => {
    const namespace = freshNamespace();
    const [a, b, c] = fleet(3, { namespace, failMax: 3 });
    const recorders = [a, b, c].map(recordEvents);
    await Promise.all([a, b, c].map(succeed));

    expect(String(await fail(a))).toBe('Error: boom');
    expect(String(await fail(b))).toBe('Error: boom');
    const tripping = await fail(c);

    expect(isCircuitBreakerError(tripping)).toBe(true);
    await waitFor(
      () => [a, b, c].every((breaker) => breaker.state === 'open'),
      10_000,
      'open everywhere',
    );
    const transitions = recorders.flatMap((recorder) => recorder.transitions());
    expect(transitions).toEqual(
      expect.arrayContaining([
        { from: 'closed', to: 'open', reason: 'remote' },
        { from: 'closed', to: 'open', reason: 'remote' },
        { from: 'closed', to: 'open', reason: 'failure_threshold' },
      ]),
    );
    expect(transitions).toHaveLength(3);
    expect(await sharedState(namespace)).toMatchObject({ s: 'open', g: '1', f: '3' });
    await expect(succeed(a)).rejects.toThrow('circuit breaker still open');
    expect(recorders.flatMap((recorder) => recorder.storeErrors())).toEqual([]);
  });

  it('keeps breakers with different names, or different namespaces, apart', async () => {
    const namespace = freshNamespace();
    const redis = client();
    const payments = breakerOn(redis, { namespace, failMax: 1 });
    const orders = breakerOn(redis, { namespace, name: 'orders', failMax: 1 });
    const elsewhere = breakerOn(client(), { namespace: freshNamespace(), failMax: 1 });
    const sameAgain = breakerOn(client(), { namespace, failMax: 1 });
    await Promise.all([payments, orders, elsewhere, sameAgain].map(succeed));

    await fail(payments);

    await waitFor(() => sameAgain.state === 'open', 10_000, 'the same name to open');
    expect(payments.state).toBe('open');
    expect(orders.state).toBe('closed');
    expect(elsewhere.state).toBe('closed');
    expect(await succeed(orders)).toBe('ok');
    expect(await server.admin.exists(`${namespace}:{orders}:state`)).toBe(0);
  });

  it('makes manual transitions on one process take effect on all', async () => {
    const namespace = freshNamespace();
    const [a, b] = fleet(2, { namespace });
    await Promise.all([a, b].map(succeed));
    const seenByB = recordEvents(b);

    await a.open();
    await waitFor(() => b.state === 'open', 10_000, 'open on b');
    await a.halfOpen();
    await waitFor(() => b.state === 'half-open', 10_000, 'half-open on b');
    await a.close();
    await waitFor(() => b.state === 'closed', 10_000, 'closed on b');

    expect(seenByB.transitions()).toEqual([
      { from: 'closed', to: 'open', reason: 'remote' },
      { from: 'open', to: 'half-open', reason: 'remote' },
      { from: 'half-open', to: 'closed', reason: 'remote' },
    ]);
  });

  it('tells a breaker created after a trip that the circuit is open, before its first call runs', async () => {
    const namespace = freshNamespace();
    const [a] = fleet(1, { namespace, failMax: 1 });
    await fail(a);

    const late = breakerOn(client(), { namespace, failMax: 1 });
    const recorder = recordEvents(late);
    const error = await succeed(late).catch((e: unknown) => e);

    expect(isCircuitBreakerError(error)).toBe(true);
    expect(recorder.transitions()).toEqual([{ from: 'closed', to: 'open', reason: 'remote' }]);
    expect(late.state).toBe('open');
  });

  it('moves every process to half-open at the same shared deadline, reported as its own by exactly one', async () => {
    const namespace = freshNamespace();
    const breakers = fleet(3, { namespace, failMax: 1, resetTimeout: 300 });
    await Promise.all(breakers.map(succeed));
    const recorders = breakers.map(recordEvents);

    await fail(breakers[0]);
    // However slow the machine, every process gets there: the deadline only bounds a hang.
    await waitFor(
      () => recorders.every((r) => r.transitions().some((t) => t.to === 'half-open')),
      30_000,
      'half-open',
    );

    const halfOpenings = recorders.flatMap((r) =>
      r.transitions().filter((t) => t.to === 'half-open'),
    );
    expect(halfOpenings.filter((t) => t.reason === 'reset_timeout')).toHaveLength(1);
    expect(halfOpenings.filter((t) => t.reason === 'remote')).toHaveLength(2);
    expect(await sharedState(namespace)).toMatchObject({ s: 'half-open', g: '2' });
  });

  it('agrees on the deadline with a process whose clock is 10 s ahead (time comes from Redis)', async () => {
    const namespace = freshNamespace();
    const ahead: SchedulerLike = Object.assign(Object.create(asyncScheduler) as SchedulerLike, {
      now: () => asyncScheduler.now() + 10_000,
    });
    const onTime = breakerOn(client(), { namespace, failMax: 1, resetTimeout: 1000 });
    const skewed = breakerOn(client(), {
      namespace,
      failMax: 1,
      resetTimeout: 1000,
      scheduler: ahead,
    });
    await Promise.all([onTime, skewed].map(succeed));
    // One round trip each to sample the offset between the local clock and Redis's clock.
    await Promise.all([onTime, skewed].map((breaker) => fail(breaker)));
    await onTime.close();
    await waitFor(() => skewed.state === 'closed', 10_000, 'closed on the skewed process');

    await fail(onTime);
    await waitFor(() => skewed.state !== 'closed', 10_000, 'the trip to reach the skewed process');

    expect(skewed.state).toBe('open');
    await expect(succeed(skewed)).rejects.toThrow('still open');
    await waitFor(() => onTime.state === 'half-open', 10_000, 'half-open');
    // Well within the 10 s skew: judged on its own clock, the skewed process would be 10 s off.
    await waitFor(
      () => skewed.state === 'half-open',
      5000,
      'half-open on the skewed process as well',
    );
  });
});

describe('redisStore: clocks', () => {
  it('answers "not yet" with Redis\'s deadline when its estimate of Redis\'s clock runs ahead', async () => {
    const namespace = freshNamespace();
    const resetTimeout = 3000;
    let jump = 0;
    const jumpy: SchedulerLike = Object.assign(Object.create(asyncScheduler) as SchedulerLike, {
      now: () => asyncScheduler.now() + jump,
    });
    const breaker = breakerOn(client(), { namespace, failMax: 1, resetTimeout, scheduler: jumpy });
    const seen: string[] = [];
    breaker.state$.subscribe((state) => seen.push(state));
    await succeed(breaker);
    await fail(breaker);
    const deadline =
      Number(await server.admin.hget(`${namespace}:{payments}:state`, 'o')) + resetTimeout;

    // This process's clock jumps 2 s ahead: judged by the estimate it made before, the deadline comes 2 s early.
    jump = 2000;
    await waitFor(() => breaker.state === 'half-open', 10_000, 'the early local deadline');
    const refusal = await succeed(breaker).catch((error: unknown) => error);
    const stateAfter = breaker.state;
    // Asserted only if Redis was still before its deadline after the state was read (at any machine speed).
    if (isCircuitBreakerError(refusal) && (await redisNow()) < deadline) {
      expect(stateAfter).toBe('open');
    }

    await waitFor(
      () =>
        succeed(breaker).then(
          () => true,
          () => false,
        ),
      20_000,
      'a trial call once Redis reached the deadline',
    );
    expect(seen).toContain('half-open');
    expect(await sharedState(namespace)).toMatchObject({ s: 'closed' });
  });
});

describe('redisStore: round trips', () => {
  it('makes no round trip for successful calls in the closed state (5000 calls, INFO commandstats)', async () => {
    const namespace = freshNamespace();
    const [breaker] = fleet(1, { namespace });
    await succeed(breaker);
    await server.admin.config('RESETSTAT');

    for (let call = 0; call < 5000; call += 1) await succeed(breaker);

    const calls = await commandCalls(server.admin);
    expect(calls).toEqual({ 'config|resetstat': 1 });
  });

  it('spends one script call per failure, and one for the first success after failures only', async () => {
    const namespace = freshNamespace();
    const [breaker] = fleet(1, { namespace, failMax: 10 });
    await succeed(breaker);
    await server.admin.config('RESETSTAT');

    await fail(breaker);
    await fail(breaker);
    for (let call = 0; call < 100; call += 1) await succeed(breaker);

    expect(await scriptCalls()).toBe(3);
    expect(await sharedState(namespace)).toMatchObject({ f: '0' });
  });

  it('trips in one script call, refuses locally while open, and admits a trial in one', async () => {
    const namespace = freshNamespace();
    const [breaker] = fleet(1, { namespace, failMax: 1 });
    await succeed(breaker);
    await server.admin.config('RESETSTAT');

    await fail(breaker);
    expect(await scriptCalls()).toBe(1);
    for (let call = 0; call < 100; call += 1) await succeed(breaker).catch(() => undefined);
    expect(await scriptCalls()).toBe(1);
    await breaker.halfOpen();
    expect(await scriptCalls()).toBe(2);
    await succeed(breaker);
    // One to take the trial permit, one to record the success that closes the circuit.
    expect(await scriptCalls()).toBe(4);
    expect(breaker.state).toBe('closed');
  });
});

describe('redisStore: half-open across processes', () => {
  it('admits at most halfOpenMaxCalls trial calls across all processes', async () => {
    const namespace = freshNamespace();
    const breakers = fleet(3, { namespace, halfOpenMaxCalls: 2 });
    await Promise.all(breakers.map(succeed));
    await breakers[0].halfOpen();
    await waitFor(
      () => breakers.every((b) => b.state === 'half-open'),
      10_000,
      'half-open everywhere',
    );

    const calls = [];
    for (const breaker of breakers) calls.push(await hang(breaker));

    expect(calls.map((call) => call.admitted)).toEqual([true, true, false]);
    expect(await server.admin.zcard(`${namespace}:{payments}:trials`)).toBe(2);
    calls[0].stop();
    await waitFor(
      async () => (await server.admin.zcard(`${namespace}:{payments}:trials`)) === 1,
      10_000,
      'the release',
    );
    const retry = await hang(breakers[2]);
    expect(retry.admitted).toBe(true);
    [...calls, retry].forEach((call) => call.stop());
  });

  it('counts successThreshold trial successes across processes', async () => {
    const namespace = freshNamespace();
    const [a, b] = fleet(2, { namespace, halfOpenMaxCalls: 2, successThreshold: 2 });
    await Promise.all([a, b].map(succeed));
    await a.halfOpen();
    await waitFor(() => b.state === 'half-open', 10_000, 'half-open on b');

    await succeed(a);
    expect(a.state).toBe('half-open');
    expect(await sharedState(namespace)).toMatchObject({ s: 'half-open', c: '1' });
    await succeed(b);

    expect(b.state).toBe('closed');
    await waitFor(() => a.state === 'closed', 10_000, 'closed on a');
  });

  it('re-opens for everyone when a trial call fails in any process', async () => {
    const namespace = freshNamespace();
    const [a, b] = fleet(2, { namespace });
    await Promise.all([a, b].map(succeed));
    await a.halfOpen();
    await waitFor(() => b.state === 'half-open', 10_000, 'half-open on b');
    const seenByA = recordEvents(a);

    const error = await fail(b);

    expect(String(error)).toContain('Trial call failed');
    await waitFor(() => a.state === 'open', 10_000, 'open on a');
    expect(seenByA.transitions()).toEqual([{ from: 'half-open', to: 'open', reason: 'remote' }]);
  });
});

describe('redisStore: generations', () => {
  it('does not count the outcome of a call admitted before another process tripped the circuit', async () => {
    const namespace = freshNamespace();
    const [a, b] = fleet(2, { namespace, failMax: 1 });
    await Promise.all([a, b].map(succeed));
    const recorder = recordEvents(a);
    let rejectSlowCall: (error: Error) => void = () => undefined;
    const slowCall = firstValueFrom(
      a.execute(() => new Promise<never>((_resolve, reject) => (rejectSlowCall = reject))),
    ).catch((e: unknown) => e);

    await fail(b);
    await a.close();
    rejectSlowCall(new Error('late'));

    expect(String(await slowCall)).toBe('Error: late');
    expect(recorder.events.filter((e) => e.type === 'ignored')).toHaveLength(1);
    expect(await sharedState(namespace)).toMatchObject({ s: 'closed', f: '0', g: '2' });
  });
});

describe('redisStore: bad data', () => {
  const cases: [string, (key: string) => Promise<unknown>][] = [
    ['a string where the state hash belongs', (key) => server.admin.set(key, 'garbage')],
    [
      'an unknown state name',
      (key) => server.admin.hset(key, { s: 'banana', g: 1, f: 0, o: 0, c: 0, i: 'x' }),
    ],
    [
      'a counter that is not a number',
      (key) => server.admin.hset(key, { s: 'closed', g: 'two', f: 0, o: 0, c: 0, i: 'x' }),
    ],
    [
      'an infinite generation (Lua reads "inf" as a number)',
      (key) => server.admin.hset(key, { s: 'closed', g: 'inf', f: 0, o: 0, c: 0, i: 'x' }),
    ],
    [
      'a generation beyond the safe integers',
      (key) => server.admin.hset(key, { s: 'closed', g: '1e20', f: 0, o: 0, c: 0, i: 'x' }),
    ],
    [
      'a list where the trial permits belong',
      (key) => server.admin.rpush(key.replace(/state$/, 'trials'), 'x'),
    ],
  ];

  it.each(cases)('reports %s as a store error and treats it as missing', async (_what, corrupt) => {
    const namespace = freshNamespace();
    const [breaker] = fleet(1, { namespace, failMax: 2 });
    await succeed(breaker);
    const recorder = recordEvents(breaker);
    await corrupt(`${namespace}:{payments}:state`);

    expect(String(await fail(breaker))).toBe('Error: boom');

    const [error] = recorder.storeErrors();
    expect(error).toBeInstanceOf(RedisStoreError);
    expect((error as RedisStoreError).kind).toBe('bad-data');
    expect(await sharedState(namespace)).toMatchObject({ s: 'closed', f: '1' });
    expect(isCircuitBreakerError(await fail(breaker))).toBe(true);
  });

  it('notices a flush: transitions of the new state reach processes that knew a later generation', async () => {
    const namespace = freshNamespace();
    const [a, b] = fleet(2, { namespace, failMax: 1 });
    await Promise.all([a, b].map(succeed));
    for (const move of [() => a.open(), () => a.close(), () => a.open(), () => a.close()])
      await move();
    await waitFor(async () => (await sharedState(namespace)).g === '4', 10_000, 'generation 4');

    await server.admin.flushall();
    // The first failure carries a permit of generation 4, which no longer exists: not counted.
    expect(String(await fail(a))).toBe('Error: boom');
    expect(isCircuitBreakerError(await fail(a))).toBe(true);

    expect(await sharedState(namespace)).toMatchObject({ s: 'open', g: '1' });
    await waitFor(() => b.state === 'open', 10_000, 'the trip of the new incarnation to reach b');
  });

  it('reports a message it cannot read on its channel, and ignores it', async () => {
    const namespace = freshNamespace();
    const [breaker] = fleet(1, { namespace });
    await succeed(breaker);
    const recorder = recordEvents(breaker);

    await server.admin.publish(`${namespace}:{payments}:transitions`, 'not|a|transition');

    await waitFor(() => recorder.storeErrors().length > 0, 10_000, 'the store error');
    expect((recorder.storeErrors()[0] as RedisStoreError).kind).toBe('bad-data');
    expect(breaker.state).toBe('closed');
  });
});

describe('redisStore: clients and lifecycle', () => {
  it('shares one pub/sub connection per client, and closes it with the last breaker, leaving the client open', async () => {
    const namespace = freshNamespace();
    const redis = client();
    const payments = breakerOn(redis, { namespace });
    const orders = breakerOn(redis, { namespace, name: 'orders' });
    const other = breakerOn(client(), { namespace, name: 'orders' });
    await Promise.all([payments, orders, other].map(succeed));
    const subscribers = async () =>
      ((await server.admin.client('LIST')) as string)
        .split('\n')
        .filter((line) => / sub=[1-9]/.test(line));
    expect(await subscribers()).toHaveLength(2);

    payments.dispose();
    await other.open();
    await waitFor(() => orders.state === 'open', 10_000, 'orders to still hear remote transitions');
    orders.dispose();

    await waitFor(
      async () => (await subscribers()).length === 1,
      10_000,
      'the pub/sub connection to close',
    );
    expect(await redis.ping()).toBe('PONG');
  });

  it('works with a lazyConnect client, and with a keyPrefix', async () => {
    const namespace = freshNamespace();
    const lazy = breakerOn(client('ioredis6-resp3', { lazyConnect: true, keyPrefix: 'app:' }), {
      namespace,
      failMax: 1,
    });

    await fail(lazy);

    expect(lazy.state).toBe('open');
    expect(await server.admin.hget(`app:${namespace}:{payments}:state`, 's')).toBe('open');
  });

  it('checks its options and the breaker name', () => {
    const redis = client();
    expect(() => redisStore({} as Redis)).toThrow(
      new TypeError(
        'redisStore: "redis" must be an ioredis Redis or Cluster client, received an object',
      ),
    );
    expect(() => redisStore(redis, { namespace: 'a{b}' })).toThrow(
      /"namespace" must be free of "\{" and "\}"/,
    );
    expect(() => redisStore(redis, { namespace: '' })).toThrow(
      /"namespace" must be a non-empty string/,
    );
    expect(() => redisStore(redis, { fallbackState: 'shut' as 'open' })).toThrow(
      /"fallbackState" must be/,
    );
    expect(() => redisStore(redis, { commandTimeout: 0 })).toThrow(RangeError);
    // Beyond 2^31 - 1 ms a timer fires after 1 ms: every command would time out, every call would flush.
    expect(() => redisStore(redis, { commandTimeout: 3_000_000_000 })).toThrow(
      /"commandTimeout" must be .*≤ 2147483647.*received 3000000000/,
    );
    expect(() => redisStore(redis, { flushInterval: 2 ** 31 })).toThrow(
      /"flushInterval" must be .*≤ 2147483647.*received 2147483648/,
    );
    expect(() => redisStore(redis, { trialPermitTtl: 1e20 })).toThrow(
      /"trialPermitTtl" must be .*≤ 3155760000000 \(100 years\).*received 100000000000000000000/,
    );
    expect(() => redisStore(redis, { trialPermitTtl: '5' as unknown as number })).toThrow(
      TypeError,
    );
    expect(() => redisStore(redis, { nameSpace: 'x' } as RedisStoreOptions)).toThrow(
      'redisStore: unknown option "nameSpace"',
    );
    expect(() => circuitBreaker({ name: 'a{b}', store: redisStore(redis) })).toThrow(
      /"name" must be free of "\{" and "\}" with redisStore/,
    );
  });

  it('refuses a breaker without a name: unnamed breakers would all share one circuit', () => {
    const store = redisStore(client());
    expect(() => circuitBreaker({ store })).toThrow(
      new TypeError(
        'redisStore: the breaker needs a "name" option: breakers share state through Redis by name, so unnamed ones would all share one circuit',
      ),
    );
  });
});
