import { lastValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { circuitBreaker, isCircuitBreakerError } from '../src/index.js';
import type { CircuitBreaker } from '../src/index.js';
import { RedisStoreError, redisStore } from '../src/redis/index.js';
import type { RedisStoreOptions } from '../src/redis/index.js';
import { close, connect, fail, recordEvents, succeed, waitFor } from './support/redisClients.js';
import type { ClientKind } from './support/redisClients.js';
import { startRedisServer } from './support/redisServer.js';
import type { RedisServer } from './support/redisServer.js';
import { namespaces } from './support/namespaces.js';

let server: RedisServer;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
// Cleaned up in this file's own afterEach, before it checks for unhandled rejections.
const cleanups: (() => void)[] = [];
/** A fresh namespace per test, so tests never see each other's state. */
const freshNamespace = namespaces('faults');

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  server = await startRedisServer();
});

beforeEach(async () => {
  // A test may leave the server stopped or paused; every test starts with it up.
  server.resume();
  await server.start();
});

afterEach(() => {
  cleanups.splice(0).forEach((cleanup) => cleanup());
  expect(unhandled).toEqual([]);
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await server.stop();
});

const commandTimeout = 300;

/** A breaker on its own client that reconnects every 50 ms; both are closed after the test. */
function breakerOn(
  namespace: string,
  options: RedisStoreOptions & { failMax?: number; kind?: ClientKind } = {},
) {
  const { failMax = 1000, kind, ...storeOptions } = options;
  const redis = connect(server.port, kind, { retryStrategy: () => 50 });
  const breaker = circuitBreaker({
    name: 'payments',
    failMax,
    store: redisStore(redis, { namespace, commandTimeout, ...storeOptions }),
  });
  cleanups.push(() => {
    breaker.dispose();
    close(redis);
  });
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

const kinds = (errors: unknown[]) =>
  new Set(errors.map((error) => (error as RedisStoreError).kind));

describe('redisStore when Redis fails', () => {
  it('gives every call a result when the server is killed (-9) during traffic, and resumes after a restart', async () => {
    const namespace = freshNamespace();
    const breaker = breakerOn(namespace);
    const other = breakerOn(namespace, { kind: 'ioredis5' });
    await Promise.all([breaker, other].map(succeed));
    const recorder = recordEvents(breaker);

    const load = traffic(breaker);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await server.kill();
    await new Promise((resolve) => setTimeout(resolve, 700));
    await server.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const results = await allSettle(await load.stop());

    expect(results.length).toBeGreaterThan(100);
    expect(new Set(results.map((r) => r.outcome))).toEqual(new Set(['ok', 'Error: boom']));
    expect(Math.max(...results.map((r) => r.duration))).toBeLessThan(commandTimeout + 500);
    expect(recorder.storeErrors().every((error) => error instanceof RedisStoreError)).toBe(true);
    expect(kinds(recorder.storeErrors())).toContain('unavailable');

    // Shared decisions resume: a trip elsewhere reaches this breaker, and its own failures count in Redis again.
    await waitFor(
      async () => {
        await other.open();
        return breaker.state === 'open';
      },
      5000,
      'a remote trip after the restart',
    );
    await other.close();
    await waitFor(() => breaker.state === 'closed', 2000, 'the remote close');
    await fail(breaker);
    const admin = connect(server.port);
    cleanups.push(() => close(admin));
    expect(await admin.hget(`${namespace}:{payments}:state`, 'f')).toBe('1');
  });

  it('decides locally, within commandTimeout, while the server hangs (SIGSTOP), and resynchronises after', async () => {
    const namespace = freshNamespace();
    const breaker = breakerOn(namespace, { failMax: 2 });
    const other = breakerOn(namespace, { failMax: 2 });
    await Promise.all([breaker, other].map(succeed));
    const recorder = recordEvents(breaker);

    server.pause();
    const started = performance.now();
    expect(String(await fail(breaker))).toBe('Error: boom');
    const waited = performance.now() - started;
    // Now local: no more waiting, and the local state machine trips on the second failure.
    const second = performance.now();
    expect(isCircuitBreakerError(await fail(breaker))).toBe(true);
    const secondWaited = performance.now() - second;
    server.resume();

    expect(waited).toBeGreaterThanOrEqual(commandTimeout - 20);
    expect(waited).toBeLessThan(commandTimeout + 300);
    expect(secondWaited).toBeLessThan(commandTimeout / 2);
    expect(kinds(recorder.storeErrors())).toContain('timeout');
    expect(recorder.transitions()).toEqual([
      { from: 'closed', to: 'open', reason: 'failure_threshold' },
    ]);
    // Back in touch: the shared state (closed, one failure counted by the script that timed out) wins.
    await waitFor(
      async () => (await succeed(breaker).catch(() => 'refused')) === 'ok',
      3000,
      'the resync',
    );
    expect(recorder.transitions().at(-1)).toEqual({ from: 'open', to: 'closed', reason: 'remote' });
    await other.open();
    await waitFor(() => breaker.state === 'open', 2000, 'a remote trip after the resync');
  });

  it('switches to fallbackState while Redis is down, and back to the shared state when it returns', async () => {
    const namespace = freshNamespace();
    const breaker = breakerOn(namespace, { fallbackState: 'open' });
    await succeed(breaker);
    const recorder = recordEvents(breaker);

    await server.kill();
    await waitFor(
      () => succeed(breaker).then(() => false, isCircuitBreakerError),
      2000,
      'the fallback',
    );
    await server.start();
    await waitFor(
      () =>
        succeed(breaker).then(
          () => true,
          () => false,
        ),
      5000,
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
    await server.kill();
    const breaker = breakerOn(namespace, { failMax: 1 });
    const recorder = recordEvents(breaker);

    const started = performance.now();
    expect(await succeed(breaker)).toBe('ok');
    expect(performance.now() - started).toBeLessThan(commandTimeout + 300);
    // 'unavailable' for the skipped first read; 'subscriber' for the pub/sub connection's failed attempts.
    expect(kinds(recorder.storeErrors())).toContain('unavailable');
    expect(
      [...kinds(recorder.storeErrors())].every((kind) =>
        ['unavailable', 'subscriber'].includes(kind),
      ),
    ).toBe(true);

    await server.start();
    const other = breakerOn(namespace, { failMax: 1 });
    await succeed(other);
    await waitFor(
      async () => {
        await other.open();
        return breaker.state === 'open';
      },
      5000,
      'a remote trip once Redis is up',
    );
  });
});
