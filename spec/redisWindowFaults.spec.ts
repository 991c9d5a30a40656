import { Redis } from 'ioredis';
import { lastValueFrom, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, isCircuitBreakerError } from '../src/index.js';
import type { CircuitBreaker, CircuitBreakerConfig, CircuitState } from '../src/index.js';
import { RedisStoreError, redisStore } from '../src/redis/index.js';
import type { RedisStoreOptions } from '../src/redis/index.js';
import { close, commandCalls, connect, recordEvents, waitFor } from './support/redisClients.js';
import type { ClientKind } from './support/redisClients.js';
import { useFaultyRedisServer } from './support/useFaultyRedisServer.js';

/*
 * The rate rules' shared window (`ns:{name}:window`) when Redis fails mid-window: killed (SIGKILL), hung
 * (SIGSTOP), flushed (FLUSHALL) or stripped of its scripts (SCRIPT FLUSH). A fleet of breakers on separate
 * clients (one of each client flavour) stands for processes; the server is this file's own, so it can be killed.
 */

const faults = useFaultyRedisServer('window-faults');
const { cleanups, freshNamespace } = faults;

/**
 * The fault specs of the consecutive rule use 300 ms; the fleet here must not go local before the fault (a first
 * read slower than this on a loaded machine would), so the default is kept.
 */
const commandTimeout = 1000;
/**
 * An upper bound for a call while Redis is down or hung. The calls are awaited before the server comes back, so a
 * call that waited for Redis would never settle in time: any bound tells them apart, and a wide one holds on a
 * loaded machine.
 */
const hangBound = 10_000;
/** Deadlines for the fleet to notice things (pub/sub, reconnects, periodic reads) on a loaded 2-core machine. */
const converge = 20_000;

const flavours: readonly ClientKind[] = ['ioredis6-resp3', 'ioredis6-resp2', 'ioredis5'];

/**
 * The rule of every test: trips at a failure rate of 50 % over the last 20 calls, judged from 10 calls on. With
 * three processes making 3 calls each (1 failure), the shared window is mid-way: 9 calls, below minimumCalls.
 */
const rateRule = {
  failureRate: 0.5,
  window: { calls: 20 },
  minimumCalls: 10,
  // Long enough that no circuit half-opens by itself during a test: a circuit that closes was closed by a read.
  resetTimeout: 600_000,
} satisfies Partial<CircuitBreakerConfig>;

function admin() {
  const redis = new Redis({ port: faults.server.port, host: '127.0.0.1', retryStrategy: () => 50 });
  redis.on('error', () => undefined);
  cleanups.push(() => close(redis));
  return redis;
}

/**
 * Three breakers named 'payments', each on a client of its own (one per flavour) that reconnects every 50 ms. The
 * clients are connected first, so that no store starts in local mode.
 */
async function fleet(namespace: string, options: RedisStoreOptions = {}) {
  const clients = flavours.map((kind) => {
    const redis = connect(faults.server.port, kind, { retryStrategy: () => 50 });
    cleanups.push(() => close(redis));
    return redis;
  });
  await waitFor(() => clients.every((redis) => redis.status === 'ready'), converge, 'the clients');
  return clients.map((redis) => {
    const breaker = circuitBreaker({
      name: 'payments',
      ...rateRule,
      store: redisStore(redis, { namespace, commandTimeout, flushInterval: 50, ...options }),
    });
    // Disposed before its client closes.
    cleanups.unshift(() => breaker.dispose());
    return breaker;
  });
}

type Outcome = 'ok' | 'failed' | 'refused';

interface CallResult {
  readonly outcome: Outcome;
  readonly duration: number;
}

/** One call through `breaker`, failing or not; resolves with what the caller saw and how long it took. */
async function call(breaker: CircuitBreaker, failing: boolean): Promise<CallResult> {
  const started = performance.now();
  const outcome = await lastValueFrom(
    breaker.execute(() => (failing ? throwError(() => new Error('boom')) : Promise.resolve('ok'))),
  ).then(
    (): Outcome => 'ok',
    (error: unknown): Outcome => (isCircuitBreakerError(error) ? 'refused' : 'failed'),
  );
  return { outcome, duration: performance.now() - started };
}

/** `count` calls one after the other (failing or not); every result. */
async function calls(breaker: CircuitBreaker, count: number, failing: boolean) {
  const results: CallResult[] = [];
  for (let n = 0; n < count; n++) {
    results.push(await call(breaker, failing));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return results;
}

/** Resolves like `work`, or rejects once `timeout` ms have passed. */
function within<T>(work: Promise<T>, timeout: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: not settled within ${timeout} ms`)),
      timeout,
    );
  });
  return Promise.race([work, hung]).finally(() => clearTimeout(timer));
}

const windowKey = (namespace: string) => `${namespace}:{payments}:window`;
const stateKey = (namespace: string) => `${namespace}:{payments}:state`;

/** The shared window's outcomes, oldest first ('' when there is no window). */
async function sharedRing(redis: ReturnType<typeof admin>, namespace: string) {
  return (await redis.hget(windowKey(namespace), 'r')) ?? '';
}

const failures = (ring: string) => ring.replace(/[02]/g, '').length;

type Recorder = ReturnType<typeof recordEvents>;

/**
 * The shared window mid-way: each breaker makes 1 failing and 2 successful calls (9 calls, 3 failures: below
 * minimumCalls, nothing trips), and every batch has reached Redis.
 */
async function midWindow(
  breakers: CircuitBreaker[],
  recorders: Recorder[],
  redis: ReturnType<typeof admin>,
  ns: string,
) {
  await Promise.all(
    breakers.map(async (breaker) => {
      await call(breaker, true);
      await calls(breaker, 2, false);
    }),
  );
  await waitFor(async () => (await sharedRing(redis, ns)).length === 9, converge, '9 shared calls');
  expect(failures(await sharedRing(redis, ns))).toBe(3);
  expect(breakers.map((breaker) => breaker.state)).toEqual(['closed', 'closed', 'closed']);
  // Every store decided on the shared state so far.
  expect(recorders.flatMap((recorder) => recorder.storeErrors())).toEqual([]);
}

/**
 * One fleet-wide crossing: every breaker fails 4 calls (12 failures across the fleet; 4 are below minimumCalls, so
 * no breaker can trip on its own figures before the others' are merged). Returns once every breaker is open.
 */
async function crossTogether(breakers: CircuitBreaker[]) {
  const results = await Promise.all(breakers.map((breaker) => calls(breaker, 4, true)));
  await waitFor(
    () => breakers.every((breaker) => breaker.state === 'open'),
    converge,
    'every breaker to open',
  );
  return results.flat();
}

/** What each recorder saw from now on. */
function since(recorders: Recorder[]) {
  const marks = recorders.map((recorder) => recorder.events.length);
  return recorders.map((recorder, index) => {
    const events = () => recorder.events.slice(marks[index]);
    return {
      transitions: () =>
        events().flatMap((e) =>
          e.type === 'transition' ? [{ from: e.from, to: e.to, reason: e.reason }] : [],
        ),
      storeErrors: () => events().flatMap((e) => (e.type === 'store-error' ? [e.error] : [])),
    };
  });
}

/** Exactly one breaker tripped on the failure rate as its own decision; every other one heard it ('remote'). */
function expectOneTrip(seen: ReturnType<typeof since>) {
  const transitions = seen.map((recorder) => recorder.transitions());
  const own = transitions.flat().filter((t) => t.reason === 'failure_rate');
  expect(own).toEqual([{ from: 'closed', to: 'open', reason: 'failure_rate' }]);
  for (const list of transitions) {
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ from: 'closed', to: 'open' });
    expect(['failure_rate', 'remote']).toContain(list[0].reason);
  }
}

const kinds = (errors: unknown[]) =>
  new Set(errors.map((error) => (error as RedisStoreError).kind));

interface Outage {
  readonly name: string;
  readonly begin: () => Promise<void> | void;
  readonly end: () => Promise<void> | void;
  /** The store-error kind every breaker reports: how it finds out. */
  readonly kind: RedisStoreError['kind'];
}

const outages: Outage[] = [
  {
    name: 'killed (SIGKILL)',
    begin: () => faults.server.kill(),
    end: () => faults.server.start(),
    // The client's connection closes at once: the store goes local before any command.
    kind: 'unavailable',
  },
  {
    name: 'hung (SIGSTOP)',
    begin: () => faults.server.pause(),
    end: () => faults.server.resume(),
    // The connection stays up: the store finds out when a flush of its batch gets no reply.
    kind: 'timeout',
  },
];

const fallbacks: { readonly fallbackState?: CircuitState; readonly label: string }[] = [
  { label: 'no fallbackState: the local window trips the local circuit' },
  { fallbackState: 'open', label: "fallbackState 'open': every call is refused" },
];

describe('redisStore: the rate rules when Redis fails mid-window', () => {
  describe.each(outages)('Redis $name', (outage) => {
    it.each(fallbacks)(
      '$label; no call hangs, and after recovery the fleet shares one window and trips once',
      async ({ fallbackState }) => {
        const namespace = freshNamespace();
        const redis = admin();
        const breakers = await fleet(namespace, { fallbackState });
        const recorders = breakers.map(recordEvents);
        await midWindow(breakers, recorders, redis, namespace);

        // The fault, mid-window. One successful call each (batched: it sends nothing at once, but its flush
        // does, and gets no reply while Redis is hung), until every breaker knows Redis is gone.
        const outage$ = since(recorders);
        await outage.begin();
        const during: CallResult[] = [];
        const down = (async () => {
          for (const breaker of breakers) during.push(await call(breaker, false));
          await waitFor(
            () => outage$.every((seen) => kinds(seen.storeErrors()).has(outage.kind)),
            hangBound,
            `a '${outage.kind}' store error on every breaker`,
          );
          // Then 12 failing calls each, decided locally.
          const failing = await Promise.all(breakers.map((breaker) => calls(breaker, 12, true)));
          during.push(...failing.flat());
          return failing;
        })();
        // Every call settles while Redis is still down or hung: none waits for it.
        const failing = await within(down, hangBound * 2, 'the calls during the outage');
        expect(Math.max(...during.map((result) => result.duration))).toBeLessThan(hangBound);
        // The successful calls ran (or, once the fallback 'open' was in place, were refused).
        const allowed = fallbackState === 'open' ? ['ok', 'refused'] : ['ok'];
        for (const result of during.slice(0, 3)) expect(allowed).toContain(result.outcome);
        for (const seen of outage$) {
          expect(seen.storeErrors().length).toBeGreaterThan(0);
          expect(seen.storeErrors().every((error) => error instanceof RedisStoreError)).toBe(true);
        }
        if (fallbackState === 'open') {
          // Every failing call refused: the fallback holds, and the local rules see no outcome.
          for (const [index, results] of failing.entries()) {
            expect(results.every((result) => result.outcome === 'refused')).toBe(true);
            expect(outage$[index].transitions()).toEqual([
              { from: 'closed', to: 'open', reason: 'remote' },
            ]);
          }
        } else {
          // Each local window (seeded with what its breaker knew) reaches 50 % over 10 calls, and trips locally:
          // the calls after the trip are refused.
          for (const [index, results] of failing.entries()) {
            expect(outage$[index].transitions()).toEqual([
              { from: 'closed', to: 'open', reason: 'failure_rate' },
            ]);
            expect(results[0].outcome).toBe('failed');
            expect(results.at(-1)?.outcome).toBe('refused');
          }
        }
        expect(breakers.map((breaker) => breaker.state)).toEqual(['open', 'open', 'open']);

        // Recovery: a read brings back the shared state (closed: no trip was shared), and each breaker hears it.
        const recovery$ = since(recorders);
        await outage.end();
        await waitFor(
          () => breakers.every((breaker) => breaker.state === 'closed'),
          converge,
          'every breaker back on the shared (closed) state',
        );
        for (const seen of recovery$) {
          expect(seen.transitions()).toEqual([{ from: 'open', to: 'closed', reason: 'remote' }]);
        }
        expect((await redis.hget(stateKey(namespace), 's')) ?? 'closed').toBe('closed');
        const ring = await sharedRing(redis, namespace);
        if (outage.kind === 'timeout') {
          // The window outlived the stall: nothing counted locally reached it, only the timed-out flushes of the
          // three successes (Redis ran them on resuming).
          await waitFor(
            async () => (await sharedRing(redis, namespace)).length === 12,
            converge,
            'the late flushes',
          );
          expect(failures(await sharedRing(redis, namespace))).toBe(3);
        } else {
          // A killed server (no persistence) comes back empty.
          expect(ring).toBe('');
        }

        // One fleet-wide crossing after recovery: one trip, made by one breaker, heard by the others.
        const after$ = since(recorders);
        await crossTogether(breakers);
        expectOneTrip(after$);
        expect(after$.flatMap((seen) => seen.storeErrors())).toEqual([]);
        expect(await redis.hget(stateKey(namespace), 's')).toBe('open');
        // The trip emptied the shared window.
        expect(await redis.exists(windowKey(namespace))).toBe(0);
      },
    );
  });

  it('a flush that timed out in a stall (SIGSTOP) lands after it and trips the shared circuit: the fleet converges on that trip, and no breaker reports a trip twice', async () => {
    const namespace = freshNamespace();
    const redis = admin();
    const breakers = await fleet(namespace);
    const recorders = breakers.map(recordEvents);
    await midWindow(breakers, recorders, redis, namespace);
    const [first] = breakers;

    const stall$ = since(recorders);
    faults.server.pause();
    // Failures on one breaker until one of its calls waits for a flush (its batch could trip the rule) and
    // gives up after commandTimeout: that flush carries at least 3 failures, enough to trip 9 + 3 shared calls.
    const results: CallResult[] = [];
    await within(
      (async () => {
        while (!kinds(stall$[0].storeErrors()).has('timeout')) {
          if (results.length > 20) throw new Error('no flush waited for');
          results.push(await call(first, true));
        }
      })(),
      hangBound,
      'the failing calls in the stall',
    );
    expect(results.every((result) => result.outcome === 'failed')).toBe(true);
    expect(Math.max(...results.map((result) => result.duration))).toBeLessThan(hangBound);
    expect(results.length).toBeGreaterThanOrEqual(3);
    expect(first.state).toBe('closed');
    faults.server.resume();

    // Redis runs the late flush: the shared circuit trips, and every breaker ends on it, each with one transition.
    await waitFor(
      async () => (await redis.hget(stateKey(namespace), 's')) === 'open',
      converge,
      'the late trip in Redis',
    );
    await waitFor(
      () => breakers.every((breaker) => breaker.state === 'open'),
      converge,
      'every breaker to take the late trip',
    );
    // Time for a duplicate to show: the next periodic reads and flush intervals.
    await new Promise((resolve) => setTimeout(resolve, 3 * commandTimeout));
    const transitions = stall$.map((seen) => seen.transitions());
    for (const list of transitions) {
      expect(list).toHaveLength(1);
      expect(list[0]).toMatchObject({ from: 'closed', to: 'open' });
    }
    // The others heard it by pub/sub. The breaker whose flush it was had given up on the reply, and skips its
    // own messages: it learns of the trip from a read, as 'remote' too (so no breaker reports 'failure_rate' for
    // this trip); at most one may ever report it as its own.
    for (const list of transitions.slice(1)) expect(list[0].reason).toBe('remote');
    expect(transitions.flat().filter((t) => t.reason !== 'remote').length).toBeLessThanOrEqual(1);
    expect(breakers.map((breaker) => breaker.state)).toEqual(['open', 'open', 'open']);
    expect(await redis.hget(stateKey(namespace), 'g')).toBe('1');
    // One opening: the retry times agree (up to each process's estimate of Redis's clock; another opening would be
    // resetTimeout, 10 minutes, apart).
    const retryAts = breakers.map((breaker) => breaker.snapshot().retryAt ?? 0);
    expect(Math.max(...retryAts) - Math.min(...retryAts)).toBeLessThan(2_000);
  });

  it('a call waiting for its flush when Redis is killed settles within commandTimeout; the fleet recovers and trips once', async () => {
    const namespace = freshNamespace();
    const redis = admin();
    // With a fallback, every breaker shows when it is local (open) and when a read brought it back (closed).
    const breakers = await fleet(namespace, { fallbackState: 'open' });
    const recorders = breakers.map(recordEvents);
    await midWindow(breakers, recorders, redis, namespace);
    const [first] = breakers;

    // Hung first, so that a flush is surely in flight when the server dies.
    const outage$ = since(recorders);
    faults.server.pause();
    const results: CallResult[] = [];
    const failing = (async () => {
      // Failures until one call waits for a flush (its batch could trip the rule): it is in flight now.
      while (performance.now() > 0) {
        const result = call(first, true);
        const waited = await Promise.race([
          result.then(() => false),
          new Promise((resolve) => setTimeout(resolve, commandTimeout / 4, true)),
        ]);
        // (Wrapped: an async function returning a promise would wait for it.)
        if (waited) return { result };
        results.push(await result);
        if (results.length > 20) throw new Error('no flush waited for');
      }
      throw new Error('unreachable');
    })();
    const waiting = await within(failing, hangBound, 'a call waiting for its flush');
    await faults.server.kill();
    const last = await within(waiting.result, hangBound, 'the call waiting when Redis died');
    expect(last.outcome).toBe('failed');
    expect(last.duration).toBeLessThan(hangBound);
    expect(results.every((result) => result.outcome === 'failed')).toBe(true);
    await waitFor(
      () => kinds(outage$[0].storeErrors()).has('unavailable'),
      hangBound,
      'the lost connection',
    );
    // Every breaker hears of the lost connection, and refuses calls without waiting.
    await waitFor(
      () => breakers.every((breaker) => breaker.state === 'open'),
      hangBound,
      'the fallback',
    );
    for (const breaker of breakers) {
      const [result] = await within(calls(breaker, 1, true), hangBound, 'a local call');
      expect(result.outcome).toBe('refused');
    }
    for (const seen of outage$) {
      expect(kinds(seen.storeErrors())).toContain('unavailable');
      expect(seen.transitions()).toEqual([{ from: 'closed', to: 'open', reason: 'remote' }]);
    }

    const recovery$ = since(recorders);
    await faults.server.start();
    // No transition was shared: a read brings every breaker back to closed. (The flush that was in flight may be
    // resent by ioredis and land in the new window.)
    await waitFor(
      () => breakers.every((breaker) => breaker.state === 'closed'),
      converge,
      'every breaker back on the shared state',
    );
    for (const seen of recovery$) {
      expect(seen.transitions()).toEqual([{ from: 'open', to: 'closed', reason: 'remote' }]);
    }
    const after$ = since(recorders);
    await crossTogether(breakers);
    expectOneTrip(after$);
    expect(await redis.hget(stateKey(namespace), 's')).toBe('open');
  });

  it('FLUSHALL mid-window: calls go on, every breaker takes the new (empty) shared state, and the fleet trips once', async () => {
    const namespace = freshNamespace();
    const redis = admin();
    const breakers = await fleet(namespace);
    const recorders = breakers.map(recordEvents);
    // A few generations in, so that the flushed state (generation 0 again) must be told apart by its incarnation.
    // (A first call on each waits for its store's first read, and so for its subscription.)
    await Promise.all(breakers.map((breaker) => call(breaker, false)));
    await breakers[0].open();
    await breakers[0].close();
    await waitFor(
      () => recorders.every((r) => r.transitions().length === 2),
      converge,
      'every breaker to hear the open and the close',
    );
    await midWindow(breakers, recorders, redis, namespace);
    const before = await redis.hget(stateKey(namespace), 'i');

    await redis.flushall();
    const flushed$ = since(recorders);
    // Calls go on without waiting. A breaker's first batch after the flush was counted in a generation the new
    // state does not have (it starts again at 0), so it may be dropped; the next ones count in the new window.
    const results = await within(
      Promise.all(
        breakers.map(async (breaker) => {
          const made: CallResult[] = [];
          const until = performance.now() + converge;
          while ((await sharedRing(redis, namespace)).length < 6 && performance.now() < until)
            made.push(...(await calls(breaker, 1, false)));
          return made;
        }),
      ),
      converge * 2,
      'the calls after FLUSHALL',
    );
    expect(results.flat().every((result) => result.outcome === 'ok')).toBe(true);
    expect(Math.max(...results.flat().map((result) => result.duration))).toBeLessThan(hangBound);
    const ring = await sharedRing(redis, namespace);
    expect(ring.length).toBeGreaterThanOrEqual(6);
    // The new window holds none of the flushed one's failures.
    expect(ring).toMatch(/^0+$/);
    const after = await redis.hget(stateKey(namespace), 'i');
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    // A flush is data lost, not a fault: no store error, and the state stays closed everywhere.
    expect(flushed$.flatMap((seen) => seen.storeErrors())).toEqual([]);
    expect(flushed$.flatMap((seen) => seen.transitions())).toEqual([]);
    expect(breakers.map((breaker) => breaker.state)).toEqual(['closed', 'closed', 'closed']);

    // One fleet-wide crossing in the new life of the state trips once.
    const after$ = since(recorders);
    await crossTogether(breakers);
    expectOneTrip(after$);
    expect(after$.flatMap((seen) => seen.storeErrors())).toEqual([]);
    expect(await redis.hget(stateKey(namespace), 's')).toBe('open');
    expect(await redis.hget(stateKey(namespace), 'i')).toBe(after);
  });

  it('SCRIPT FLUSH mid-window: ioredis falls back to EVAL, the window keeps counting, and the fleet trips once', async () => {
    const namespace = freshNamespace();
    const redis = admin();
    const breakers = await fleet(namespace);
    const recorders = breakers.map(recordEvents);
    await midWindow(breakers, recorders, redis, namespace);

    // One client flavour at a time, each after a flush of its own: a script one client sends again is in the
    // cache for the next, so after a single flush only the first script call is sure to meet NOSCRIPT.
    const flushed$ = since(recorders);
    for (const [index, breaker] of breakers.entries()) {
      await redis.config('RESETSTAT');
      await redis.script('FLUSH');
      const results = await within(
        calls(breaker, 2, false),
        hangBound,
        `the calls after SCRIPT FLUSH (${flavours[index]})`,
      );
      expect(results.every((result) => result.outcome === 'ok')).toBe(true);
      // The window kept the 9 calls from before, and counts these.
      const counted = 9 + 2 * (index + 1);
      await waitFor(
        async () => (await sharedRing(redis, namespace)).length === counted,
        converge,
        `${counted} shared calls`,
      );
      // The first script after the flush met NOSCRIPT and was sent whole: the fallback did happen.
      expect((await commandCalls(redis)).eval).toBeGreaterThanOrEqual(1);
    }
    expect(await sharedRing(redis, namespace)).toMatch(/^[01]{9}0{6}$/);
    expect(failures(await sharedRing(redis, namespace))).toBe(3);
    expect(flushed$.flatMap((seen) => seen.storeErrors())).toEqual([]);

    const after$ = since(recorders);
    await crossTogether(breakers);
    expectOneTrip(after$);
    expect(after$.flatMap((seen) => seen.storeErrors())).toEqual([]);
    expect(flushed$.flatMap((seen) => seen.storeErrors())).toEqual([]);
    expect(await redis.hget(stateKey(namespace), 's')).toBe('open');
  });
});
