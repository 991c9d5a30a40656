import { firstValueFrom, of, timer } from 'rxjs';
import { map } from 'rxjs/operators';
import { describe, expect, it } from 'vitest';
import { exponentialBackoff } from '../src/index.js';
import type { CircuitBreaker } from '../src/index.js';
import { commandCalls, fail, recordEvents, succeed, waitFor } from './support/redisClients.js';
import { useRedisSpec } from './support/useRedisSpec.js';

/*
 * The trip policies (the rate rules above all) through redisStore, with breakers on separate clients standing for processes (the 4-process
 * fleet is spec/redisFleet.spec.ts): one shared window, filled by batches each process flushes.
 */

const { server, freshNamespace, client, breakerOn, fleet } = useRedisSpec('trip-policies');

const windowKey = (namespace: string) => `${namespace}:{payments}:window`;
const stateKey = (namespace: string) => `${namespace}:{payments}:state`;

async function failures(breaker: CircuitBreaker, count: number) {
  for (let call = 0; call < count; call++) await fail(breaker);
}

async function successes(breaker: CircuitBreaker, count: number) {
  for (let call = 0; call < count; call++) await succeed(breaker);
}

describe('redisStore and the trip policies', () => {
  it('trips fleet-wide on a failure rate no process reaches alone, reported as its own by exactly one', async () => {
    const namespace = freshNamespace();
    const config = { namespace, failureRate: 0.5, window: { calls: 10 }, flushInterval: 50 };
    const [a, b] = fleet(2, config);
    const [eventsA, eventsB] = [recordEvents(a), recordEvents(b)];
    // Each sees 5 calls: fewer than minimumCalls (10), so neither can judge a rate on its own figures.
    await failures(a, 3);
    await successes(a, 2);
    await failures(b, 3);
    await successes(b, 2);
    await waitFor(() => a.state === 'open' && b.state === 'open', 10_000, 'both open');

    const reasons = [...eventsA.transitions(), ...eventsB.transitions()].map((t) => t.reason);
    expect(reasons.sort()).toEqual(['failure_rate', 'remote']);
    const own = [...eventsA.events, ...eventsB.events].find(
      (event) => event.type === 'transition' && event.reason === 'failure_rate',
    );
    expect(own).toMatchObject({ from: 'closed', to: 'open', failureRate: 0.6, slowCallRate: 0 });
    // The trip emptied the shared window.
    expect(await server.admin.exists(windowKey(namespace))).toBe(0);
  });

  it("flushes at once, and trips within the call, when a process's own outcomes could cross the threshold", async () => {
    const namespace = freshNamespace();
    const breaker = breakerOn(client(), {
      namespace,
      failureRate: 0.5,
      minimumCalls: 4,
      window: { duration: 60_000 },
      flushInterval: 600_000,
    });
    const events = recordEvents(breaker);
    await successes(breaker, 3);
    await failures(breaker, 3);
    // The 3rd failure made the rate 3/6: its call's record trips the circuit, long before any flush interval.
    expect(breaker.state).toBe('open');
    expect(events.transitions()).toEqual([{ from: 'closed', to: 'open', reason: 'failure_rate' }]);
    expect(await server.admin.hget(stateKey(namespace), 's')).toBe('open');
  });

  it('trips on the slow-call rate of successful calls', async () => {
    const namespace = freshNamespace();
    const config = {
      namespace,
      slowCallRate: 0.5,
      slowCallDuration: 20,
      minimumCalls: 4,
      window: { duration: 60_000 },
      flushInterval: 50,
    };
    const [a, b] = fleet(2, config);
    const slow = (breaker: CircuitBreaker) =>
      firstValueFrom(
        timer(60).pipe(
          map(() => 'late'),
          breaker,
        ),
      );
    await Promise.all([slow(a), succeed(a), slow(b), succeed(b)]);
    await waitFor(() => a.state === 'open' && b.state === 'open', 10_000, 'both open');
    expect(a.snapshot()).toMatchObject({ state: 'open', retryAt: expect.any(Number) });
  });

  it('makes no round trip for a successful call: outcomes wait for the flush interval', async () => {
    const namespace = freshNamespace();
    const breaker = breakerOn(client(), {
      namespace,
      failureRate: 0.5,
      window: { calls: 100 },
      flushInterval: 600_000,
    });
    await succeed(breaker); // the first call waits for the store's first read
    await server.admin.config('RESETSTAT');
    for (let call = 0; call < 1000; call++) await firstValueFrom(of('ok').pipe(breaker));
    await failures(breaker, 10);
    const sent = Object.keys(await commandCalls(server.admin));
    expect(sent.filter((command) => !['config|resetstat', 'info'].includes(command))).toEqual([]);
    expect(breaker.snapshot().window).toEqual({
      calls: 100,
      failures: 10,
      slowCalls: 0,
      failureRate: 0.1,
      slowCallRate: 0,
    });
    // dispose() flushes what is left.
    breaker.dispose();
    await waitFor(async () => (await server.admin.exists(windowKey(namespace))) === 1);
    expect(await server.admin.hget(windowKey(namespace), 'r')).toBe(
      '0'.repeat(90) + '1'.repeat(10),
    );
  });

  it('shows the fleet-wide window in snapshot(), and keeps the failure counter moving without round trips', async () => {
    const namespace = freshNamespace();
    const config = { namespace, failureRate: 0.9, window: { calls: 50 }, flushInterval: 20 };
    const [a, b] = fleet(2, config);
    const sharedCalls = async () => {
      const ring = await server.admin.hget(windowKey(namespace), 'r');
      return ring?.length ?? 0;
    };
    await successes(a, 6);
    await waitFor(async () => (await sharedCalls()) === 6, 10_000, 'a flush from a');
    await failures(b, 4);
    await waitFor(async () => (await sharedCalls()) === 10, 10_000, 'a flush from b');
    // b's flush moved the shared failure counter, as 4 consecutive failures do.
    expect(await server.admin.hget(stateKey(namespace), 'f')).toBe('4');
    await successes(a, 1); // a's next flush brings back b's figures
    await waitFor(() => a.snapshot().window?.calls === 11, 10_000, 'a to read the window');
    expect(a.snapshot().window).toMatchObject({ calls: 11, failures: 4 });
    expect(a.snapshot().failCounter).toBe(0);
    expect(await server.admin.hget(stateKey(namespace), 'f')).toBe('0');
  });

  it('with failMax too: one round trip per failure, and the successes between failures ride the batch', async () => {
    const namespace = freshNamespace();
    const breaker = breakerOn(client(), {
      namespace,
      failMax: 3,
      failureRate: 0.9,
      window: { calls: 100 },
      flushInterval: 600_000,
    });
    await succeed(breaker); // the first call waits for the store's first read
    await server.admin.config('RESETSTAT');
    // F S S F S F: never 3 consecutive failures, so no trip, however the counter's resets travel.
    for (const outcome of 'FSSFSF') await (outcome === 'F' ? fail(breaker) : succeed(breaker));
    const calls = await commandCalls(server.admin);
    const scripts = (calls.evalsha ?? 0) + (calls.eval ?? 0);
    expect(scripts).toBe(3);
    expect(breaker.state).toBe('closed');
    // The last failure's script carried the success before it: the shared counter reads 1, not 3.
    expect(await server.admin.hget(stateKey(namespace), 'f')).toBe('1');
    expect(await server.admin.hget(windowKey(namespace), 'r')).toBe('0100101');
  });

  it('keeps its keys bounded whatever the traffic, and lets those of an idle breaker expire', async () => {
    const namespace = freshNamespace();
    const breaker = breakerOn(client(), {
      namespace,
      failureRate: 0.9,
      window: { calls: 100 },
      flushInterval: 1,
    });
    const usage = async () => Number(await server.admin.memory('USAGE', windowKey(namespace)));
    await successes(breaker, 100);
    await waitFor(async () => (await server.admin.exists(windowKey(namespace))) === 1);
    const full = await usage();
    await successes(breaker, 500);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await usage()).toBe(full);
    const day = 86_400_000;
    for (const key of [windowKey(namespace), stateKey(namespace)]) {
      const ttl = await server.admin.pttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(day);
    }
    // A held circuit stays until released by hand.
    await breaker.isolate();
    expect(await server.admin.pttl(stateKey(namespace))).toBe(-1);
  });

  it("lets a time window of the shared figures age out on Redis's clock", async () => {
    const namespace = freshNamespace();
    const breaker = breakerOn(client(), {
      namespace,
      failureRate: 0.9,
      // Long enough that a loaded machine still sees the window before it expires.
      window: { duration: 2000, buckets: 2 },
      flushInterval: 10,
    });
    await failures(breaker, 2);
    await waitFor(async () => (await server.admin.exists(windowKey(namespace))) === 1);
    await waitFor(async () => (await server.admin.exists(windowKey(namespace))) === 0, 10_000);
    await successes(breaker, 1);
    await waitFor(() => breaker.snapshot().window?.calls === 1, 5_000, 'one call in the window');
  });

  it.each(['isolated', 'disabled'] as const)(
    'falls back to %s while Redis is unreachable',
    async (fallbackState) => {
      const redis = client(undefined, { lazyConnect: true });
      const breaker = breakerOn(redis, { namespace: freshNamespace(), fallbackState });
      redis.disconnect();
      await waitFor(() => breaker.state === fallbackState, 5_000, fallbackState);
      const call = firstValueFrom(of('ok').pipe(breaker));
      if (fallbackState === 'isolated')
        await expect(call).rejects.toMatchObject({ kind: 'isolated' });
      else await expect(call).resolves.toBe('ok');
    },
  );

  it('isolate() and disable() hold every breaker of the shared circuit; close() on any releases it', async () => {
    const namespace = freshNamespace();
    const [here, there] = fleet(2, {
      namespace,
      resetTimeout: exponentialBackoff({ initial: 1_000, max: 10_000 }),
      maxHalfOpenWait: 5_000,
    });
    // A first call on each waits for its store's first read of the shared state.
    for (const breaker of [here, there]) await firstValueFrom(of('ok').pipe(breaker));
    const seen = (state: string) =>
      new Promise((resolve) => there.state$.subscribe((now) => now === state && resolve(now)));
    await here.isolate();
    await expect(seen('isolated')).resolves.toBe('isolated');
    await expect(firstValueFrom(of('ok').pipe(there))).rejects.toMatchObject({ kind: 'isolated' });
    await here.disable();
    await expect(seen('disabled')).resolves.toBe('disabled');
    await expect(firstValueFrom(of('ok').pipe(there))).resolves.toBe('ok');
    await there.close();
    expect(there.state).toBe('closed');
  });

  it('shares a manual transition made before its client has connected', async () => {
    const namespace = freshNamespace();
    const breaker = breakerOn(client(), { namespace });
    const events = recordEvents(breaker);
    await breaker.isolate();
    expect(await server.admin.hget(stateKey(namespace), 's')).toBe('isolated');
    expect(events.storeErrors()).toEqual([]);
  });

  it('failWhen, ignore and snapshot() work through it', async () => {
    class Aborted extends Error {}
    const breaker = breakerOn(client(), {
      namespace: freshNamespace(),
      failMax: 1,
      failWhen: (status) => status === 503,
      ignore: [Aborted],
    });
    await expect(firstValueFrom(of(503).pipe(breaker))).resolves.toBe(503);
    await waitFor(() => breaker.state === 'open', 5_000, 'open');
    expect(breaker.snapshot()).toMatchObject({ name: 'payments', state: 'open', failCounter: 1 });
  });
});
