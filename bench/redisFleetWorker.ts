/*
 * One process of the fleet benchmark (bench/redisFleetBench.ts):
 *   node --import tsx bench/redisFleetWorker.ts '{"port":…,"lib":"<dir of the compiled library>"}'
 * It runs breakers of the library as it ships (compiled by compiledLibrary.ts) on one ioredis client, and answers
 * commands read from stdin (one JSON object a line) on stdout (one JSON object a line). Times are on the clock
 * every process on the machine shares: `performance.timeOrigin + performance.now()` (ms).
 *   {op:'create', id, name, config, flushInterval?}  a breaker on redisStore (namespace 'fleet-bench'), after its
 *        first read; answers {kind:'created', id}; then reports its openings as {kind:'open', id, reason, at}
 *   {op:'burst', id, calls}  `calls` successful synchronous calls, as fast as possible (in chunks, so that timers
 *        run); answers {kind:'burst', id, calls, ms}
 *   {op:'paced', id, rate, ms, failEvery}  calls at `rate` per second for `ms` (every `failEvery`-th one fails);
 *        answers {kind:'paced', id, calls, failures, ms, maxBehind} (maxBehind: the most calls it was late by)
 *   {op:'crossing', id, startAt, successUntil, failFrom, successRate, failureRate, deadline}  from `startAt`,
 *        successes at `successRate` per second until `successUntil`, then from `failFrom` failures at
 *        `failureRate` until the breaker opens (or `deadline`); answers {kind:'crossing', id, outcomes:
 *        [at, failed (0|1)][], openAt}
 *   {op:'dispose', id}  answers {kind:'disposed', id}
 *   {op:'exit'}
 */
import { Redis } from 'ioredis';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { defer, firstValueFrom, of, throwError } from 'rxjs';
import type { CircuitBreaker, CircuitBreakerConfig } from '../src/index.js';

type Library = typeof import('../src/index.js');
type RedisEntry = typeof import('../src/redis/index.js');

interface Options {
  readonly port: number;
  readonly lib: string;
}

type Command =
  | {
      op: 'create';
      id: string;
      name: string;
      config: CircuitBreakerConfig;
      flushInterval?: number;
    }
  | { op: 'burst'; id: string; calls: number }
  | { op: 'paced'; id: string; rate: number; ms: number; failEvery: number }
  | {
      op: 'crossing';
      id: string;
      startAt: number;
      successUntil: number;
      failFrom: number;
      successRate: number;
      failureRate: number;
      deadline: number;
    }
  | { op: 'dispose'; id: string }
  | { op: 'exit' };

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const library = (await import(pathToFileURL(path.join(options.lib, 'index.js')).href)) as Library;
const { redisStore } = (await import(
  pathToFileURL(path.join(options.lib, 'redis', 'index.js')).href
)) as RedisEntry;

const send = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);
const clock = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const sink = { next() {}, error() {}, complete() {} };
const boom = new Error('bench failure');
const warmUp = new Error('warm-up');

const redis = new Redis({ port: options.port, host: '127.0.0.1' });
const breakers = new Map<string, CircuitBreaker>();

function breaker(id: string): CircuitBreaker {
  const found = breakers.get(id);
  if (!found) throw new Error(`no breaker ${id}`);
  return found;
}

async function create(command: Extract<Command, { op: 'create' }>): Promise<void> {
  const { id, name, config, flushInterval } = command;
  const store = redisStore(redis, {
    namespace: 'fleet-bench',
    ...(flushInterval === undefined ? {} : { flushInterval }),
  });
  const created = library.circuitBreaker({
    ...config,
    name,
    ignore: [(error) => error === warmUp],
    store,
  });
  created.transition$.subscribe(({ to, reason }) => {
    if (to === 'open') send({ kind: 'open', id, reason, at: clock() });
  });
  breakers.set(id, created);
  // The first call waits for the store's first read; its error is ignored, so it counts nowhere.
  await firstValueFrom(created.execute(() => throwError(() => warmUp))).catch(() => undefined);
  send({ kind: 'created', id });
}

/** One call, recorded synchronously (the protected work is synchronous; a failure with failMax set is sent on). */
function call(target: CircuitBreaker, failed: boolean): void {
  (failed ? throwError(() => boom) : of(1)).pipe(target).subscribe(sink);
}

async function burst(id: string, calls: number): Promise<void> {
  const target = breaker(id);
  const success = defer(() => of(1)).pipe(target);
  const started = performance.now();
  for (let done = 0; done < calls;) {
    const chunk = Math.min(10_000, calls - done);
    for (let i = 0; i < chunk; i++) success.subscribe(sink);
    done += chunk;
    await new Promise((resolve) => setImmediate(resolve));
  }
  send({ kind: 'burst', id, calls, ms: performance.now() - started });
}

/** Calls at `rate` per second: every few ms, the calls due by now. */
async function paced(command: Extract<Command, { op: 'paced' }>): Promise<void> {
  const { id, rate, ms, failEvery } = command;
  const target = breaker(id);
  const started = performance.now();
  let calls = 0;
  let failures = 0;
  let maxBehind = 0;
  for (;;) {
    const elapsed = performance.now() - started;
    if (elapsed >= ms) break;
    const due = Math.floor((elapsed * rate) / 1000);
    maxBehind = Math.max(maxBehind, due - calls);
    while (calls < due) {
      calls++;
      const failed = calls % failEvery === 0;
      if (failed) failures++;
      call(target, failed);
    }
    await sleep(2);
  }
  send({ kind: 'paced', id, calls, failures, ms: performance.now() - started, maxBehind });
}

/**
 * Successes from `startAt` to `successUntil`, nothing until `failFrom`, then failures until the breaker opens (or
 * `deadline`), each at its rate; every outcome logged with its time.
 */
async function crossing(command: Extract<Command, { op: 'crossing' }>): Promise<void> {
  const { id, startAt, successUntil, failFrom, successRate, failureRate, deadline } = command;
  const target = breaker(id);
  const outcomes: [number, 0 | 1][] = [];
  let openAt: number | undefined;
  const opened = target.transition$.subscribe(({ to }) => {
    if (to === 'open') openAt ??= clock();
  });
  const phase = async (from: number, until: number, rate: number, failing: boolean) => {
    await sleep(from - clock());
    let calls = 0;
    while (openAt === undefined && clock() < until) {
      const due = Math.floor(((clock() - from) * rate) / 1000);
      while (calls < due && target.state === 'closed') {
        calls++;
        call(target, failing);
        outcomes.push([Math.round(clock() * 1000) / 1000, failing ? 1 : 0]);
      }
      await sleep(1);
    }
  };
  await phase(startAt, successUntil, successRate, false);
  await phase(failFrom, deadline, failureRate, true);
  opened.unsubscribe();
  send({ kind: 'crossing', id, outcomes, openAt: openAt ?? null });
}

async function handle(command: Command): Promise<void> {
  switch (command.op) {
    case 'create':
      return create(command);
    case 'burst':
      return burst(command.id, command.calls);
    case 'paced':
      return paced(command);
    case 'crossing':
      return crossing(command);
    case 'dispose':
      breaker(command.id).dispose();
      breakers.delete(command.id);
      send({ kind: 'disposed', id: command.id });
      return;
    case 'exit':
      breakers.forEach((each) => each.dispose());
      redis.disconnect();
      process.exit(0);
  }
}

createInterface({ input: process.stdin }).on('line', (line) => {
  handle(JSON.parse(line) as Command).catch((error: unknown) => {
    send({ kind: 'error', message: String(error) });
  });
});
await redis.ping();
send({ kind: 'ready' });
