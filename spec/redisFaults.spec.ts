import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, isCircuitBreakerError } from '../src/index.js';
import type { CircuitBreaker } from '../src/index.js';
import { RedisStoreError, redisStore } from '../src/redis/index.js';
import type { RedisStoreOptions } from '../src/redis/index.js';
import { close, connect, fail, recordEvents, succeed, waitFor } from './support/redisClients.js';
import type { ClientKind } from './support/redisClients.js';
import { useFaultyRedisServer } from './support/useFaultyRedisServer.js';

const faults = useFaultyRedisServer('faults');
const { cleanups, freshNamespace } = faults;

const commandTimeout = 300;
/**
 * An upper bound for calls that must not wait for Redis: a call that did would hang while the server is down or
 * paused, so any bound tells them apart; a wide one holds on a busy machine.
 */
const hangBound = 10_000;

/**
 * A breaker on its own client that reconnects every 50 ms; both are closed after the test. Unless Redis is known to
 * be down, the client is ready before the store starts: its first read must be back within the short
 * `commandTimeout`, or the store would start local (a slow connection on a loaded machine would use up most of it).
 */
async function breakerOn(
  namespace: string,
  options: RedisStoreOptions & { failMax?: number; kind?: ClientKind; redisDown?: true } = {},
) {
  const { failMax = 1000, kind, redisDown, ...storeOptions } = options;
  const redis = connect(faults.server.port, kind, { retryStrategy: () => 50 });
  cleanups.push(() => close(redis));
  if (!redisDown) await waitFor(() => redis.status === 'ready', 20_000, 'the client');
  const breaker = circuitBreaker({
    name: 'payments',
    failMax,
    store: redisStore(redis, { namespace, commandTimeout, ...storeOptions }),
  });
  // Disposed before its client closes.
  cleanups.unshift(() => breaker.dispose());
  return breaker;
}

interface CallResult {
  readonly outcome: string;
  readonly duration: number;
}

/** Starts a call every 2 ms (every third one fails) until `stop()`; returns every call's eventual result. */
function traffic(breaker: CircuitBreaker) {
  const calls: Promise<CallResult>[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const failing = calls.length % 3 === 0;
      const call = lastValueFrom(
        breaker.execute(() =>
          failing ? Promise.reject(new Error('boom')) : Promise.resolve('ok'),
        ),
      ).then(
        (value) => value,
        (error: unknown) => (isCircuitBreakerError(error) ? 'refused' : String(error)),
      );
      calls.push(call.then((outcome) => ({ outcome, duration: performance.now() - started })));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return calls;
    },
  };
}

/** Every call settles within `timeout` ms, or this rejects. */
function allSettle(calls: Promise<CallResult>[], timeout = 5000): Promise<CallResult[]> {
  const hung = new Promise<never>((_resolve, reject) =>
    setTimeout(
      () => reject(new Error(`a call did not settle within ${timeout} ms`)),
      timeout,
    ).unref(),
  );
  return Promise.race([Promise.all(calls), hung]);
}

/** The state Redis holds for the breaker 'payments' of `namespace` (closed when there is none yet). */
async function sharedState(namespace: string): Promise<string> {
  const admin = connect(faults.server.port);
  try {
    return (await admin.hget(`${namespace}:{payments}:state`, 's')) ?? 'closed';
  } finally {
    close(admin);
  }
}

const kinds = (errors: unknown[]) =>
  new Set(errors.map((error) => (error as RedisStoreError).kind));

describe('redisStore when Redis fails', () => {
  it('gives every call a result when the server is killed (-9) during traffic, and resumes after a restart', async () => {
    const namespace = freshNamespace();
    const breaker = await breakerOn(namespace);
    const other = await breakerOn(namespace, { kind: 'ioredis5' });
    await Promise.all([breaker, other].map(succeed));
    const recorder = recordEvents(breaker);

    const load = traffic(breaker);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await faults.server.kill();
    await new Promise((resolve) => setTimeout(resolve, 700));
    await faults.server.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const results = await allSettle(await load.stop());

    expect(results.length).toBeGreaterThan(100);
    expect(new Set(results.map((r) => r.outcome))).toEqual(new Set(['ok', 'Error: boom']));
    expect(Math.max(...results.map((r) => r.duration))).toBeLessThan(hangBound);
    expect(recorder.storeErrors().every((error) => error instanceof RedisStoreError)).toBe(true);
    expect(kinds(recorder.storeErrors())).toContain('unavailable');

    // Shared decisions resume: a trip elsewhere reaches this breaker, and its own failures count in Redis again.
    await waitFor(
      async () => {
        await other.open();
        return breaker.state === 'open';
      },
      10_000,
      'a remote trip after the restart',
    );
    await other.close();
    await waitFor(() => breaker.state === 'closed', 10_000, 'the remote close');
    await fail(breaker);
    const admin = connect(faults.server.port);
    cleanups.push(() => close(admin));
    expect(await admin.hget(`${namespace}:{payments}:state`, 'f')).toBe('1');
  });

  it('decides locally, within commandTimeout, while the server hangs (SIGSTOP), and resynchronises after', async () => {
    const namespace = freshNamespace();
    const breaker = await breakerOn(namespace, { failMax: 2 });
    const other = await breakerOn(namespace, { failMax: 2 });
    await Promise.all([breaker, other].map(succeed));
    const recorder = recordEvents(breaker);

    faults.server.pause();
    const started = performance.now();
    expect(String(await fail(breaker))).toBe('Error: boom');
    const waited = performance.now() - started;
    // Now local: the second failure waits for no command (one timeout so far), and the local rules trip on it.
    expect(isCircuitBreakerError(await fail(breaker))).toBe(true);
    const timeouts = recorder
      .storeErrors()
      .filter((e) => (e as RedisStoreError).kind === 'timeout');
    faults.server.resume();

    expect(waited).toBeGreaterThanOrEqual(commandTimeout - 20);
    expect(waited).toBeLessThan(hangBound);
    expect(timeouts).toHaveLength(1);
    expect(recorder.transitions()).toEqual([
      { from: 'closed', to: 'open', reason: 'failure_threshold' },
    ]);
    // Back in touch: the shared state (closed, one failure counted by the script that timed out) wins.
    await waitFor(
      async () => (await succeed(breaker).catch(() => 'refused')) === 'ok',
      10_000,
      'the resync',
    );
    expect(recorder.transitions().at(-1)).toEqual({ from: 'open', to: 'closed', reason: 'remote' });
    await other.open();
    await waitFor(() => breaker.state === 'open', 10_000, 'a remote trip after the resync');
  });

  it('switches to fallbackState while Redis is down, and back to the shared state when it returns', async () => {
    const namespace = freshNamespace();
    const breaker = await breakerOn(namespace, { fallbackState: 'open' });
    await succeed(breaker);
    const recorder = recordEvents(breaker);

    await faults.server.kill();
    await waitFor(
      () => succeed(breaker).then(() => false, isCircuitBreakerError),
      10_000,
      'the fallback',
    );
    await faults.server.start();
    await waitFor(
      () =>
        succeed(breaker).then(
          () => true,
          () => false,
        ),
      10_000,
      'the shared state again',
    );

    expect(recorder.transitions()).toEqual([
      { from: 'closed', to: 'open', reason: 'remote' },
      { from: 'open', to: 'closed', reason: 'remote' },
    ]);
    expect(kinds(recorder.storeErrors())).toContain('unavailable');
  });

  it('starts deciding locally when Redis is down at startup, and shares once it is up', async () => {
    const namespace = freshNamespace();
    await faults.server.kill();
    const breaker = await breakerOn(namespace, { failMax: 1, redisDown: true });
    const recorder = recordEvents(breaker);

    const started = performance.now();
    expect(await succeed(breaker)).toBe('ok');
    expect(performance.now() - started).toBeLessThan(hangBound);
    // 'unavailable' for the skipped first read; 'subscriber' for the pub/sub connection's failed attempts.
    expect(kinds(recorder.storeErrors())).toContain('unavailable');
    expect(
      [...kinds(recorder.storeErrors())].every((kind) =>
        ['unavailable', 'subscriber'].includes(kind),
      ),
    ).toBe(true);

    await faults.server.start();
    const other = await breakerOn(namespace, { failMax: 1 });
    await succeed(other);
    await waitFor(
      async () => {
        await other.open();
        return breaker.state === 'open';
      },
      10_000,
      'a remote trip once Redis is up',
    );
  });

  it('lets no reply from before a stall override a trip made during it (SIGSTOP, failing calls on four clients)', async () => {
    const namespace = freshNamespace();
    const breakers = await Promise.all(
      Array.from({ length: 4 }, () => breakerOn(namespace, { failMax: 5 })),
    );
    await Promise.all(breakers.map(succeed));

    faults.server.pause();
    // For 1 s, two breakers fail calls without waiting for one another (their queued failures trip the circuit
    // once the server resumes), and two fail one call at a time (they go local and queue reads).
    const until = performance.now() + 1000;
    const calls: Promise<unknown>[] = [];
    await Promise.all(
      breakers.map(async (breaker, index) => {
        while (performance.now() < until) {
          const call = fail(breaker);
          calls.push(call);
          if (index >= 2) await call;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }),
    );
    faults.server.resume();
    await Promise.all(calls);

    await waitFor(async () => (await sharedState(namespace)) === 'open', 10_000, 'the late trip');
    await waitFor(
      () => breakers.every((breaker) => breaker.state === 'open'),
      20_000,
      'every breaker to agree with the shared state',
    );
    expect(await sharedState(namespace)).toBe('open');
  });

  it('lets no read reply from before a trip undo it, when the reply arrives after the message (local mode)', async () => {
    const namespace = freshNamespace();
    const redis = connect(faults.server.port, 'ioredis6-resp3', { retryStrategy: () => 50 });
    const late = circuitBreaker({
      name: 'payments',
      store: redisStore(redis, { namespace, commandTimeout: 2000 }),
    });
    cleanups.push(() => {
      late.dispose();
      close(redis);
    });
    const other = await breakerOn(namespace);
    await Promise.all([late, other].map(succeed));
    const recorder = recordEvents(late);

    // Hold every reply to `late`'s command connection (its pub/sub connection still delivers).
    const replies = (redis as unknown as { stream: { pause(): void; resume(): void } }).stream;
    replies.pause();
    await fail(late); // times out: `late` now decides locally
    void fail(late); // a local decision, which sends a read: it runs now, but its reply is held
    await other.open();
    await waitFor(() => late.state === 'open', 10_000, 'the trip message');
    replies.resume();
    // Replies come in order: once this one is in, the held read reply has been taken in.
    await redis.ping();

    expect(late.state).toBe('open');
    expect(recorder.transitions().map(({ to }) => to)).not.toContain('closed');
  });

  it('shows fallbackState the moment the connection is lost, and the shared state once it is back, with no call made', async () => {
    const namespace = freshNamespace();
    const redis = connect(faults.server.port, 'ioredis6-resp3', { retryStrategy: () => 50 });
    const breaker = circuitBreaker({
      name: 'payments',
      store: redisStore(redis, { namespace, commandTimeout, fallbackState: 'open' }),
    });
    cleanups.push(() => {
      breaker.dispose();
      close(redis);
    });
    await succeed(breaker);
    const seen: string[] = [];
    breaker.state$.subscribe((state) => seen.push(state));
    const recorder = recordEvents(breaker);

    await faults.server.kill();
    await waitFor(() => breaker.state === 'open', 10_000, 'the fallback after the kill');
    expect(seen.at(-1)).toBe('open');
    await faults.server.start();
    await waitFor(() => breaker.state === 'closed', 20_000, 'the shared state after the restart');
    expect(seen.at(-1)).toBe('closed');

    redis.disconnect();
    await waitFor(() => breaker.state === 'open', 10_000, 'the fallback after disconnect()');
    expect(seen.at(-1)).toBe('open');
    await redis.connect();
    await waitFor(() => breaker.state === 'closed', 20_000, 'the shared state after connect()');
    expect(seen).toEqual(['closed', 'open', 'closed', 'open', 'closed']);
    expect(recorder.transitions().every((transition) => transition.reason === 'remote')).toBe(true);
    expect(kinds(recorder.storeErrors())).toContain('unavailable');
  });
});
