/**
 * What sharing a breaker through Redis costs: calls per second through a Redis-backed breaker next to the
 * in-memory one for success-only traffic, and the round trips per call that Redis itself counted
 * (`INFO commandstats`). Also the cost of a failing call (one script round trip) and how long a trip takes to
 * reach another client by pub/sub.
 *
 * Standalone: `npx tsx bench/redisBench.ts [--rounds N] [--json]`. From bench.ts: `measureRedisStore()`.
 *
 * @remarks
 * It starts its own `redis-server` on a free loopback port (so that the command counts are its own alone) and
 * stops it at the end; `redisPort` points it at a server of yours instead, whose statistics it then resets.
 * Both breakers run the library compiled as it ships (see compiledLibrary.ts), on the same ioredis 6 client
 * settings (RESP3), with `defer(() => of(1))` as the protected call: the hot path, where any per-call cost shows
 * most. Cases are interleaved round by round and medians reported (harness.ts).
 */
import { Redis } from 'ioredis';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { defer, firstValueFrom, lastValueFrom, of, throwError } from 'rxjs';
import type { Observable } from 'rxjs';
import type { CircuitBreaker } from '../src/index.js';
import { startRedisServer } from '../spec/support/redisServer.js';
import { loadCompiledLibrary } from './compiledLibrary.js';
import { measureInterleaved } from './harness.js';
import type { BenchCase, HarnessOptions, Measurement } from './harness.js';
import { scriptRoundTrips } from './scriptRoundTrips.js';

type RedisEntry = typeof import('../src/redis/index.js');

/** Options of {@link measureRedisStore}. */
export interface RedisBenchOptions extends Partial<HarnessOptions> {
  /** A running Redis to use instead of starting one (its command statistics are reset). */
  readonly redisPort?: number;
  /** Remote trips timed for the propagation figure. Default 50. */
  readonly trips?: number;
}

/** The figures, all measured in one run. */
export interface RedisBenchFigures {
  readonly redisVersion: string;
  /** Successful calls: the in-memory and the Redis-backed breaker (ns per call, medians over rounds). */
  readonly successes: readonly Measurement[];
  readonly callsPerSecond: { readonly memory: number; readonly redis: number };
  /** Successful calls made through the Redis-backed breaker while Redis counted commands. */
  readonly successCalls: number;
  /** Commands clients sent per successful call (Redis's own count: EVAL/EVALSHA and any plain command). */
  readonly roundTripsPerSuccess: number;
  /** Failing calls below failMax, awaited one by one: microseconds per call, and round trips per call. */
  readonly failures: {
    readonly memoryUs: number;
    readonly redisUs: number;
    readonly calls: number;
    readonly roundTripsPerCall: number;
  };
  /** Milliseconds from `open()` on one client until another client's breaker emitted the transition. */
  readonly propagationMs: {
    readonly samples: number;
    readonly median: number;
    readonly p95: number;
    readonly max: number;
  };
}

const oneHour = 3_600_000;
const sink = { next() {}, error() {}, complete() {} };

/**
 * Runs the Redis-backed vs in-memory comparison.
 *
 * @param options - Harness settings (default 15 rounds after 3 warm-up rounds, 30 ms batches), and where Redis is.
 * @throws When `redis-server` cannot be started (not installed): the caller may report the section as skipped.
 */
export async function measureRedisStore(
  options: RedisBenchOptions = {},
): Promise<RedisBenchFigures> {
  const settings = { rounds: 15, warmupRounds: 3, batchMs: 30, ...options };
  const server = options.redisPort === undefined ? await startRedisServer() : undefined;
  const port = options.redisPort ?? server!.port;
  const { circuitBreaker, redisStore } = await loadLibrary();
  const clients = [0, 1, 2].map(() => new Redis({ port, host: '127.0.0.1' }));
  const [storeClient, otherClient, admin] = clients as [Redis, Redis, Redis];
  const redisBacked = (name: string, failMax = 5) =>
    circuitBreaker({
      name,
      failMax,
      resetTimeout: oneHour,
      store: redisStore(storeClient, { namespace: 'bench' }),
    });
  const breakers: CircuitBreaker[] = [];
  const track = (breaker: CircuitBreaker) => (breakers.push(breaker), breaker);
  try {
    const memory = track(circuitBreaker({ name: 'bench-memory', resetTimeout: oneHour }));
    const redis = track(redisBacked('bench-success'));
    // The first call waits for the store's first read; after that the hot path is synchronous.
    await Promise.all([memory, redis].map((b) => firstValueFrom(defer(() => of(1)).pipe(b))));
    const redisVersion = /redis_version:(\S+)/.exec(await admin.info('server'))?.[1] ?? 'unknown';

    await admin.config('RESETSTAT');
    let successCalls = 0;
    const successes = await measureInterleaved(
      [
        subscribeEach('redis.memory', 'in-memory store', defer(() => of(1)).pipe(memory)),
        counted(
          subscribeEach('redis.redis', 'Redis store', defer(() => of(1)).pipe(redis)),
          (n) => (successCalls += n),
        ),
      ],
      settings,
    );
    const successTrips = await scriptRoundTrips(admin);

    const failures = await measureFailures(
      track(circuitBreaker({ name: 'bench-memory-failure', failMax: 1e9, resetTimeout: oneHour })),
      track(redisBacked('bench-failure', 1e9)),
      admin,
    );
    const propagationMs = await measurePropagation(
      track(redisBacked('bench-propagation')),
      track(
        circuitBreaker({
          name: 'bench-propagation',
          store: redisStore(otherClient, { namespace: 'bench' }),
        }),
      ),
      options.trips ?? 50,
    );
    const perSecond = (id: string) =>
      1e9 / (successes.find((m) => m.id === id)?.nsPerCall ?? Number.NaN);
    return {
      redisVersion,
      successes,
      callsPerSecond: { memory: perSecond('redis.memory'), redis: perSecond('redis.redis') },
      successCalls,
      roundTripsPerSuccess: successTrips / successCalls,
      failures,
      propagationMs,
    };
  } finally {
    breakers.forEach((breaker) => breaker.dispose());
    clients.forEach((client) => client.disconnect());
    await server?.stop();
  }
}

/** Failing calls awaited one by one (each is a script round trip through Redis). */
async function measureFailures(memory: CircuitBreaker, redis: CircuitBreaker, admin: Redis) {
  const failing = (breaker: CircuitBreaker) =>
    breaker.execute(() => throwError(() => new Error('bench')));
  const timeCalls = async (breaker: CircuitBreaker, calls: number) => {
    const started = process.hrtime.bigint();
    for (let call = 0; call < calls; call++)
      await lastValueFrom(failing(breaker)).catch(() => undefined);
    return Number(process.hrtime.bigint() - started) / 1e3 / calls;
  };
  const calls = 2000;
  await timeCalls(memory, calls);
  await timeCalls(redis, 200);
  await admin.config('RESETSTAT');
  const redisUs = await timeCalls(redis, calls);
  const trips = await scriptRoundTrips(admin);
  return {
    memoryUs: await timeCalls(memory, calls),
    redisUs,
    calls,
    roundTripsPerCall: trips / calls,
  };
}

/** Opens the circuit on one client and times until the other client's breaker reports it; then closes it. */
async function measurePropagation(from: CircuitBreaker, to: CircuitBreaker, trips: number) {
  const samples: number[] = [];
  await Promise.all([from, to].map((b) => firstValueFrom(defer(() => of(1)).pipe(b))));
  for (let trip = 0; trip < trips; trip++) {
    const seen = firstValueFrom(to.transition$);
    const started = process.hrtime.bigint();
    await from.open();
    await seen;
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    const closed = firstValueFrom(to.transition$);
    await from.close();
    await closed;
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return {
    samples: sorted.length,
    median: at(0.5),
    p95: at(0.95),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

function subscribeEach(id: string, label: string, source: Observable<unknown>): BenchCase {
  return {
    id,
    label,
    run: (n) => {
      for (let i = 0; i < n; i++) source.subscribe(sink);
    },
  };
}

function counted(benchCase: BenchCase, count: (n: number) => void): BenchCase {
  return {
    ...benchCase,
    run: (n) => {
      count(n);
      return benchCase.run(n);
    },
  };
}

/** The library as it ships (compiled by compiledLibrary.ts), with its `/redis` entry from the same build. */
async function loadLibrary() {
  const library = await loadCompiledLibrary();
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const redisEntry = path.join(root, 'temp', 'bench', 'lib', 'redis', 'index.js');
  if (!existsSync(redisEntry))
    throw new Error(`bench: ${redisEntry} missing after compiling the library`);
  const redis = (await import(pathToFileURL(redisEntry).href)) as RedisEntry;
  return { circuitBreaker: library.circuitBreaker, redisStore: redis.redisStore };
}

/** The figures as text, for the benchmark report. */
export function formatRedisReport(figures: RedisBenchFigures): string {
  const rate = (perSecond: number) => `${Math.round(perSecond).toLocaleString('en-US')} calls/s`;
  const rows = figures.successes.map(
    (m) =>
      `  ${m.label.padEnd(18)} ${m.nsPerCall.toFixed(0).padStart(6)} ns/call  (±${(m.spread * 50).toFixed(1)}%)`,
  );
  const { failures: f, propagationMs: p } = figures;
  return [
    `Redis store (redis-server ${figures.redisVersion} on loopback, ioredis 6, RESP3), successful calls:`,
    ...rows,
    `  in-memory ${rate(figures.callsPerSecond.memory)}, Redis-backed ${rate(figures.callsPerSecond.redis)}`,
    `  round trips per successful call: ${figures.roundTripsPerSuccess} (INFO commandstats over ${figures.successCalls.toLocaleString('en-US')} calls)`,
    `Failing calls (below failMax, one after another, ${f.calls} each):`,
    `  in-memory ${f.memoryUs.toFixed(1)} µs/call, Redis-backed ${f.redisUs.toFixed(1)} µs/call, ${f.roundTripsPerCall} round trips per call`,
    `Remote trip propagation (open() on one client until another client's transition$, ${p.samples} trips):`,
    `  median ${p.median.toFixed(2)} ms, p95 ${p.p95.toFixed(2)} ms, max ${p.max.toFixed(2)} ms`,
    '',
  ].join('\n');
}

const isMain =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const { values } = parseArgs({
    options: { rounds: { type: 'string' }, json: { type: 'boolean' } },
  });
  const rounds = values.rounds === undefined ? undefined : Number(values.rounds);
  const figures = await measureRedisStore(rounds === undefined ? {} : { rounds });
  process.stdout.write(
    values.json ? `${JSON.stringify(figures, null, 2)}\n` : formatRedisReport(figures),
  );
}
