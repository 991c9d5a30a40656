/**
 * What the rate rules cost a fleet through `redisStore`, and how stale its fleet-wide trip is: four child
 * processes (bench/redisFleetWorker.ts), each running breakers of the library as it ships on its own ioredis
 * client, against a redis-server of the benchmark's own on loopback.
 *
 * Standalone: `npx tsx bench/redisFleetBench.ts [--json]`. From bench.ts: the `redisFleet` section.
 *
 * @remarks
 * Figures, all from one run:
 * - round trips per successful call: each process runs a burst of successful calls on a breaker with a rate rule
 *   (`failureRate: 0.5`, a count window of 100); Redis's `INFO commandstats` (after `CONFIG RESETSTAT`) counts the
 *   scripts run (EVALSHA, EVAL) meanwhile, divided by the calls;
 * - round trips per process per second under a paced load (every 10th call fails, `failureRate: 0.5`, a time window
 *   of 10 s in 10 buckets, so a flush interval of 1000 ms): with `failMax` unset, then with `failMax` set. Redis's
 *   counts are sampled every second; each sample is divided by the number of processes;
 * - the staleness of a fleet-wide trip: in each repetition (a fresh breaker) every process makes successful calls,
 *   pauses longer than a flush interval (so that every success is in the shared window), then makes failing calls
 *   from a moment of its own within one flush interval (so that the processes' flush timers are out of phase)
 *   until its breaker opens. Each process logs when it recorded each outcome, on the clock the processes share
 *   (`performance.timeOrigin + performance.now()`); merged, the logs give the moment the fleet-wide window (every
 *   outcome recorded, flushed or not) first crossed the threshold: the failure that crossed it, recorded in the
 *   process that made it. From that moment to each process's breaker reporting `open` (its transition$, on the
 *   same clock) is the delay; the bench reports it for the first process (the one whose script tripped) and the
 *   last one (every process refusing);
 * - Redis memory per breaker: `MEMORY USAGE` of each key of one breaker after traffic.
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startRedisServer } from '../spec/support/redisServer.js';
import { startLineProcess } from '../spec/support/redisWorkers.js';
import type { WorkerMessage } from '../spec/support/redisWorkers.js';
import { loadCompiledLibrary } from './compiledLibrary.js';
import { quartiles } from './harness.js';
import type { Quartiles } from './harness.js';
import { scriptRoundTrips } from './scriptRoundTrips.js';

/** Options of {@link measureRedisFleet}. */
export interface RedisFleetOptions {
  /** Processes in the fleet. Default 4. */
  readonly processes?: number;
  /** Repetitions of the staleness measurement. Default 15. */
  readonly repetitions?: number;
  /** Total calls per second of the paced load (spread evenly over the processes). Default 10 000. */
  readonly rate?: number;
  /** Seconds each paced load is measured. Default 5. */
  readonly seconds?: number;
}

/** A paced load's figures. */
export interface PacedLoad {
  /** The rate asked of each process and the rate each held (calls per second, over its whole run). */
  readonly askedPerProcess: number;
  readonly heldPerProcess: readonly number[];
  /** The most calls a process was behind its schedule at any moment. */
  readonly maxBehind: number;
  /** Failing calls per process per second (held). */
  readonly failuresPerProcessPerSecond: number;
  /** Script round trips per process per second, over one-second samples: median and quartiles. */
  readonly roundTripsPerProcessPerSecond: Quartiles;
  /** The same over the whole measured phase. */
  readonly roundTripsPerProcessPerSecondOverall: number;
}

/** The figures, all measured in one run. */
export interface RedisFleetFigures {
  readonly redisVersion: string;
  readonly processes: number;
  readonly loadAverage: { readonly start: number; readonly end: number };
  readonly successes: {
    readonly calls: number;
    /** Scripts Redis ran meanwhile (all of them flushes of the batches), per successful call. */
    readonly roundTripsPerCall: number;
    readonly scripts: number;
    readonly seconds: number;
    /** Successful calls per second per process (each burst's own rate): median and quartiles. */
    readonly callsPerSecondPerProcess: Quartiles;
  };
  readonly flushIntervalMs: number;
  /** Every 10th call failing, `failureRate` 0.5, `failMax` unset: failures are batched too. */
  readonly rateRuleOnly: PacedLoad;
  /** The same with `failMax` set (the consecutive rule on): each failure runs a script. */
  readonly withFailMax: PacedLoad & { readonly failMax: number };
  readonly staleness: {
    readonly repetitions: number;
    /** Repetitions whose trip was reported as its own by exactly one process and as remote by the others. */
    readonly oneOwnTrip: number;
    /** The reasons of the openings in the other repetitions (sorted), if any. */
    readonly unexpectedReasons: readonly (readonly string[])[];
    /** Repetitions where the circuit opened before the fleet-wide window crossed (left out of the delays). */
    readonly earlyTrips: number;
    /** Ms from the fleet-wide crossing to the first process's opening: median, quartiles, p99 and extremes. */
    readonly firstOpenMs: Quartiles & {
      readonly p99: number;
      readonly min: number;
      readonly max: number;
    };
    /** Ms from the fleet-wide crossing until every process's breaker is open. */
    readonly allOpenMs: Quartiles & {
      readonly p99: number;
      readonly min: number;
      readonly max: number;
    };
    /** Script round-trip time during the runs (ms), for the bound of one flush interval plus a round trip. */
    readonly roundTripMs: Quartiles;
  };
  /** `MEMORY USAGE` of each key of one breaker (bytes). */
  readonly memoryBytes: {
    readonly stateHash: number;
    readonly countWindow100: number;
    readonly timeWindow10s10Buckets: number;
    readonly timeWindowBucketsFilled: number;
  };
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const timeWindow = { duration: 10_000, buckets: 10 };
const flushIntervalMs = timeWindow.duration / timeWindow.buckets;
const failMax = 1000;

/** A child process of the fleet, with its stdout read as messages. */
interface Child {
  send(command: object): void;
  next(kind: string, id?: string, timeout?: number): Promise<WorkerMessage>;
  stop(): Promise<void>;
}

/**
 * Runs the fleet measurements.
 *
 * @throws When `redis-server` cannot be started (not installed): the caller may report the section as skipped.
 */
export async function measureRedisFleet(
  options: RedisFleetOptions = {},
): Promise<RedisFleetFigures> {
  const processes = options.processes ?? 4;
  const repetitions = options.repetitions ?? 15;
  const rate = options.rate ?? 10_000;
  const seconds = options.seconds ?? 5;
  const loadAtStart = loadavg()[0] ?? Number.NaN;
  await loadCompiledLibrary();
  const lib = path.join(root, 'temp', 'bench', 'lib');
  const server = await startRedisServer();
  const admin = new Redis({ port: server.port, host: '127.0.0.1' });
  const children: Child[] = [];
  try {
    children.push(
      ...(await Promise.all(
        Array.from({ length: processes }, () => startChild({ port: server.port, lib })),
      )),
    );
    const redisVersion = /redis_version:(\S+)/.exec(await admin.info('server'))?.[1] ?? 'unknown';
    const everyone = async (command: (child: Child, index: number) => object, kind: string) => {
      const answers = children.map((child, index) => {
        const command_ = command(child, index);
        const answer = child.next(kind, (command_ as { id?: string }).id);
        child.send(command_);
        return answer;
      });
      return Promise.all(answers);
    };
    const create = (id: string, name: string, config: object) =>
      everyone(() => ({ op: 'create', id, name, config }), 'created');

    // 1. Successful calls: no round trip of their own; the batches go once per flush interval.
    await create('burst', 'bench-burst', { failureRate: 0.5, window: { calls: 100 } });
    await admin.config('RESETSTAT');
    const burstStarted = performance.now();
    const bursts = await everyone(() => ({ op: 'burst', id: 'burst', calls: 500_000 }), 'burst');
    const burstSeconds = (performance.now() - burstStarted) / 1000;
    const burstScripts = await scriptRoundTrips(admin);
    const successCalls = bursts.reduce((sum, m) => sum + (m.calls as number), 0);
    // Let the last batches land, so that the count window is full for its memory figure.
    await sleep(flushIntervalMs * 1.5);
    const countWindow100 = await memoryUsage(admin, 'fleet-bench:{bench-burst}:window');

    // 2. Paced load, rate rule only, then with failMax.
    const perProcess = rate / processes;
    const paced = async (
      id: string,
      config: object,
      warmupMs: number,
      tailMs: number,
    ): Promise<PacedLoad> => {
      await create(id, `bench-${id}`, config);
      const runs = everyone(
        () => ({
          op: 'paced',
          id,
          rate: perProcess,
          ms: warmupMs + seconds * 1000 + tailMs,
          failEvery: 10,
        }),
        'paced',
      );
      await sleep(warmupMs);
      await admin.config('RESETSTAT');
      const samples: number[] = [];
      let last = 0;
      const phaseStarted = performance.now();
      for (let second = 0; second < seconds; second++) {
        await sleep(phaseStarted + (second + 1) * 1000 - performance.now());
        const total = await scriptRoundTrips(admin);
        samples.push((total - last) / processes);
        last = total;
      }
      const phaseSeconds = (performance.now() - phaseStarted) / 1000;
      const results = await runs;
      const held = results.map((m) => (m.calls as number) / ((m.ms as number) / 1000));
      const failuresPerSecond =
        results.reduce((sum, m) => sum + (m.failures as number) / ((m.ms as number) / 1000), 0) /
        processes;
      return {
        askedPerProcess: perProcess,
        heldPerProcess: held,
        maxBehind: Math.max(...results.map((m) => m.maxBehind as number)),
        failuresPerProcessPerSecond: failuresPerSecond,
        roundTripsPerProcessPerSecond: quartiles(samples),
        roundTripsPerProcessPerSecondOverall: last / processes / phaseSeconds,
      };
    };
    // Long enough (with its warm-up and tail) for the time window to fill its 10 buckets.
    const rateRuleOnly = await paced('rate', { failureRate: 0.5, window: timeWindow }, 2500, 3500);
    const stateHash = await memoryUsage(admin, 'fleet-bench:{bench-rate}:state');
    const timeWindowKey = 'fleet-bench:{bench-rate}:window';
    const timeWindowBytes = await memoryUsage(admin, timeWindowKey);
    const timeWindowBucketsFilled = (await admin.hlen(timeWindowKey)) - 1;
    const withFailMax = await paced(
      'failmax',
      { failMax, failureRate: 0.5, window: timeWindow },
      1000,
      300,
    );
    await everyone(() => ({ op: 'dispose', id: 'failmax' }), 'disposed');
    await everyone(() => ({ op: 'dispose', id: 'rate' }), 'disposed');
    await everyone(() => ({ op: 'dispose', id: 'burst' }), 'disposed');

    // 3. Staleness of the fleet-wide trip.
    const staleness = await measureStaleness(children, everyone, admin, repetitions);

    return {
      redisVersion,
      processes,
      loadAverage: { start: loadAtStart, end: loadavg()[0] ?? Number.NaN },
      successes: {
        calls: successCalls,
        roundTripsPerCall: burstScripts / successCalls,
        scripts: burstScripts,
        seconds: burstSeconds,
        callsPerSecondPerProcess: quartiles(
          bursts.map((m) => (m.calls as number) / ((m.ms as number) / 1000)),
        ),
      },
      flushIntervalMs,
      rateRuleOnly,
      withFailMax: { ...withFailMax, failMax },
      staleness,
      memoryBytes: {
        stateHash,
        countWindow100,
        timeWindow10s10Buckets: timeWindowBytes,
        timeWindowBucketsFilled,
      },
    };
  } finally {
    await Promise.all(children.map((child) => child.stop()));
    admin.disconnect();
    await server.stop();
  }
}

type Everyone = (
  command: (child: Child, index: number) => object,
  kind: string,
) => Promise<WorkerMessage[]>;

async function measureStaleness(
  children: readonly Child[],
  everyone: Everyone,
  admin: Redis,
  repetitions: number,
): Promise<RedisFleetFigures['staleness']> {
  const firstOpen: number[] = [];
  const allOpen: number[] = [];
  const roundTrips: number[] = [];
  let oneOwnTrip = 0;
  let earlyTrips = 0;
  const unexpected: string[][] = [];
  // minimumCalls of a time window, by default.
  const minimumCalls = 10;
  for (let rep = 0; rep < repetitions; rep++) {
    const id = `trip-${rep}`;
    const openings: WorkerMessage[] = [];
    const heard = children.map((child) =>
      child.next('open', id, 30_000).then((message) => openings.push(message)),
    );
    await everyone(
      () => ({
        op: 'create',
        id,
        name: `bench-trip-${rep}`,
        config: { failureRate: 0.5, window: timeWindow },
      }),
      'created',
    );
    const startAt = performance.timeOrigin + performance.now() + 200;
    // Successes for a moment, then a pause longer than a flush interval: every success is in the shared window
    // (and every process has read it) before the first failure. Then each process starts failing at its own moment
    // within one flush interval; its flush timer starts with its first failure, so the timers are out of phase, as
    // in a fleet whose processes started at different times.
    const successUntil = startAt + 400;
    const failFrom = successUntil + flushIntervalMs + 200;
    const runs = await everyone(
      () => ({
        op: 'crossing',
        id,
        startAt: startAt + Math.random() * 300,
        successUntil,
        failFrom: failFrom + Math.random() * flushIntervalMs,
        successRate: 200,
        failureRate: 400,
        deadline: failFrom + 20_000,
      }),
      'crossing',
    );
    await Promise.all(heard);
    const started = performance.now();
    await admin.ping();
    roundTrips.push(performance.now() - started);
    const outcomes = runs
      .flatMap((m) => m.outcomes as [number, number][])
      .sort((a, b) => a[0] - b[0]);
    let calls = 0;
    let failures = 0;
    let crossedAt: number | undefined;
    for (const [at, failed] of outcomes) {
      calls++;
      failures += failed;
      if (calls >= minimumCalls && failures / calls >= 0.5) {
        crossedAt = at;
        break;
      }
    }
    const opens = openings.map((m) => m.at as number);
    const reasons = openings.map((m) => String(m.reason)).sort();
    const own = reasons.filter((reason) => reason === 'failure_rate').length;
    if (own === 1 && reasons.filter((reason) => reason === 'remote').length === children.length - 1)
      oneOwnTrip++;
    else unexpected.push(reasons);
    await everyone(() => ({ op: 'dispose', id }), 'disposed');
    if (crossedAt === undefined || Math.min(...opens) < crossedAt) {
      // The circuit opened before the outcomes recorded in the fleet crossed the threshold (not expected here:
      // every success is in Redis before the first failure, so Redis never sees a higher rate than the fleet's).
      earlyTrips++;
      continue;
    }
    firstOpen.push(Math.min(...opens) - crossedAt);
    allOpen.push(Math.max(...opens) - crossedAt);
  }
  return {
    repetitions,
    oneOwnTrip,
    unexpectedReasons: unexpected,
    earlyTrips,
    firstOpenMs: spread(firstOpen),
    allOpenMs: spread(allOpen),
    roundTripMs: quartiles(roundTrips),
  };
}

function spread(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const p99 =
    sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] ?? Number.NaN;
  return {
    ...quartiles(values),
    p99,
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** A worker of the fleet (bench/redisFleetWorker.ts); a message of kind 'error' fails the wait. */
async function startChild(config: { port: number; lib: string }): Promise<Child> {
  const worker = await startLineProcess('bench/redisFleetWorker.ts', config);
  return {
    send: worker.send,
    next: async (kind, id, timeout = 120_000) => {
      const found = await worker.next(
        (m) => m.kind === 'error' || (m.kind === kind && (id === undefined || m.id === id)),
        timeout,
      );
      if (found.kind === 'error') throw new Error(`fleet worker: ${String(found.message)}`);
      return found;
    },
    stop: worker.kill,
  };
}

async function memoryUsage(admin: Redis, key: string): Promise<number> {
  return Number(await admin.call('MEMORY', 'USAGE', key));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** The figures as text, for the benchmark report. */
export function formatRedisFleetReport(f: RedisFleetFigures): string {
  const q = (v: Quartiles, digits = 1) =>
    `${v.median.toFixed(digits)} (quartiles ${v.low.toFixed(digits)}–${v.high.toFixed(digits)})`;
  const int = (n: number) => Math.round(n).toLocaleString('en-US');
  const load = (name: string, p: PacedLoad) => [
    `  ${name}: asked ${int(p.askedPerProcess)} calls/s per process, held ${p.heldPerProcess.map(int).join(', ')} (at most ${p.maxBehind} calls behind), ${p.failuresPerProcessPerSecond.toFixed(0)} failures/s per process`,
    `    script round trips per process per second: ${q(p.roundTripsPerProcessPerSecond)} over 1-s samples; ${p.roundTripsPerProcessPerSecondOverall.toFixed(2)} overall`,
  ];
  const s = f.staleness;
  const ms = (v: RedisFleetFigures['staleness']['allOpenMs']) =>
    `p50 ${v.median.toFixed(0)} ms (quartiles ${v.low.toFixed(0)}–${v.high.toFixed(0)}), p99 ${v.p99.toFixed(0)} ms, min ${v.min.toFixed(0)}, max ${v.max.toFixed(0)}`;
  return [
    `Redis store, a fleet of ${f.processes} processes (redis-server ${f.redisVersion} on loopback, ioredis 6; load average ${f.loadAverage.start.toFixed(2)} at the start, ${f.loadAverage.end.toFixed(2)} at the end):`,
    `  successful calls with a rate rule: ${f.successes.roundTripsPerCall.toExponential(1)} round trips per call (${f.successes.scripts} scripts, all flushes, over ${int(f.successes.calls)} calls in ${f.successes.seconds.toFixed(1)} s; ${int(f.successes.callsPerSecondPerProcess.median)} calls/s per process)`,
    `  paced load, every 10th call failing, failureRate 0.5, time window 10 s / 10 buckets (flush interval ${f.flushIntervalMs} ms):`,
    ...load('failMax unset', f.rateRuleOnly),
    ...load(`failMax ${f.withFailMax.failMax}`, f.withFailMax),
    `    beyond the flushes: ${((f.withFailMax.roundTripsPerProcessPerSecondOverall - f.rateRuleOnly.roundTripsPerProcessPerSecondOverall) / f.withFailMax.failuresPerProcessPerSecond).toFixed(2)} round trips per failure (each failure runs its own script, carrying the batch)`,
    `  fleet-wide crossing to open (${s.repetitions} trips, flush interval ${f.flushIntervalMs} ms, Redis round trip ${s.roundTripMs.median.toFixed(2)} ms; one own trip and ${f.processes - 1} remote in ${s.oneOwnTrip} of ${s.repetitions}):`,
    ...(s.unexpectedReasons.length === 0
      ? []
      : [`    other openings: ${s.unexpectedReasons.map((r) => r.join('/')).join('; ')}`]),
    `    tripped before the fleet-wide window crossed (left out below): ${s.earlyTrips} of ${s.repetitions}`,
    `    first process open: ${ms(s.firstOpenMs)}`,
    `    every process open: ${ms(s.allOpenMs)}`,
    `  Redis memory per breaker (MEMORY USAGE): state hash ${f.memoryBytes.stateHash} B, count window of 100 ${f.memoryBytes.countWindow100} B, time window 10 s / 10 buckets ${f.memoryBytes.timeWindow10s10Buckets} B (${f.memoryBytes.timeWindowBucketsFilled} buckets filled)`,
    '',
  ].join('\n');
}

const isMain =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const { values } = parseArgs({ options: { json: { type: 'boolean' } } });
  const figures = await measureRedisFleet();
  process.stdout.write(
    values.json ? `${JSON.stringify(figures, null, 2)}\n` : formatRedisFleetReport(figures),
  );
}
