import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { circuitBreaker } from '../src/index.js';
import type { CircuitBreaker } from '../src/index.js';
import { redisStore } from '../src/redis/index.js';
import { close, succeed, waitFor } from './support/redisClients.js';
import { startRedisServer } from './support/redisServer.js';
import type { RedisServer } from './support/redisServer.js';
import { startWorker } from './support/redisWorkers.js';
import type { Worker, WorkerMessage } from './support/redisWorkers.js';

// Starting worker processes takes most of each test, and much longer on a busy machine.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

let server: RedisServer;
let redis: Redis;
const workers: Worker[] = [];
const breakers: CircuitBreaker[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis({ port: server.port, host: '127.0.0.1' });
});

afterEach(async () => {
  breakers.splice(0).forEach((breaker) => breaker.dispose());
  await Promise.all(workers.splice(0).map((worker) => worker.kill()));
});

afterAll(async () => {
  close(redis);
  await server.stop();
});

async function spawnWorkers(
  count: number,
  config: Omit<Parameters<typeof startWorker>[0], 'port'>,
) {
  const started = await Promise.all(
    Array.from({ length: count }, () => startWorker({ port: server.port, ...config })),
  );
  workers.push(...started);
  return started;
}

function breakerHere(
  namespace: string,
  options: { halfOpenMaxCalls?: number; trialPermitTtl?: number } = {},
) {
  const { halfOpenMaxCalls, trialPermitTtl } = options;
  const breaker = circuitBreaker({
    name: 'payments',
    halfOpenMaxCalls,
    store: redisStore(redis, { namespace, trialPermitTtl }),
  });
  breakers.push(breaker);
  return breaker;
}

const transitions = (worker: Worker) => worker.messages.filter((m) => m.kind === 'transition');
const isOpen = (message: WorkerMessage) => message.kind === 'transition' && message.to === 'open';

describe('redisStore across processes', () => {
  it('opens the circuit exactly once when 8 processes fail at once (5 calls each, failMax 3)', async () => {
    const namespace = 'concurrent-trip';
    const fleet = await spawnWorkers(8, { name: 'payments', namespace, failMax: 3 });
    const allOpen = Promise.all(fleet.map((worker) => worker.next(isOpen)));
    const allFailed = Promise.all(fleet.map((worker) => worker.next((m) => m.kind === 'failed')));

    fleet.forEach((worker) => worker.send({ op: 'fail', calls: 5 }));
    await Promise.all([allOpen, allFailed]);

    const seen = fleet.flatMap(transitions);
    expect(seen.filter((t) => t.reason === 'failure_threshold')).toHaveLength(1);
    expect(seen.filter((t) => t.reason === 'remote')).toHaveLength(7);
    expect(seen).toHaveLength(8);
    const shared = await redis.hgetall(`${namespace}:{payments}:state`);
    expect(shared).toMatchObject({ s: 'open', g: '1', f: '3' });
    // Exactly one call opened the circuit. The others failed with their own error (counted before the trip, or
    // admitted before it and not counted after it), or were refused by a process that had heard of the trip.
    const errors = (await allFailed).flatMap((m) => m.errors as string[]);
    expect(errors.filter((e) => e === 'tripped')).toHaveLength(1);
    expect(errors.filter((e) => e === 'failed').length).toBeGreaterThanOrEqual(2);
    expect(errors).toHaveLength(40);
    expect(fleet.flatMap((w) => w.messages.filter((m) => m.kind === 'store-error'))).toEqual([]);
  });

  it('admits halfOpenMaxCalls trial calls across processes, and frees the slot of a process killed mid-trial', async () => {
    const namespace = 'cross-process-permit';
    // Long enough for the checks before the dead process's permit expires (a kill included) on a loaded machine.
    const trialPermitTtl = 3000;
    const fleet = await spawnWorkers(3, {
      name: 'payments',
      namespace,
      halfOpenMaxCalls: 2,
      trialPermitTtl,
    });
    const here = breakerHere(namespace, { halfOpenMaxCalls: 2, trialPermitTtl });
    await succeed(here);
    const halfOpenEverywhere = Promise.all(
      fleet.map((w) => w.next((m) => m.kind === 'transition')),
    );
    await here.halfOpen();
    await halfOpenEverywhere;

    const answers: WorkerMessage[] = [];
    // Redis admits the first trial after this: its permit expires trialPermitTtl after it at the earliest.
    const firstAsked = Date.now();
    for (const worker of fleet) {
      const answer = worker.next((m) => m.kind === 'hang');
      worker.send({ op: 'hang' });
      answers.push(await answer);
    }
    expect(answers.map((a) => a.admitted)).toEqual([true, true, false]);
    await expect(succeed(here)).rejects.toThrow('Trial calls in progress');

    await fleet[0].kill();
    await expect(succeed(here)).rejects.toThrow('Trial calls in progress');
    await waitFor(
      () =>
        succeed(here).then(
          () => true,
          () => false,
        ),
      trialPermitTtl + 3000,
      'the expired slot',
    );

    // The slot came free when the dead process's permit expired, not before.
    expect(Date.now() - firstAsked).toBeGreaterThanOrEqual(trialPermitTtl);
  });

  it('propagates a trip to other processes by pub/sub (the latency is logged, not asserted)', async () => {
    const namespace = 'propagation';
    const fleet = await spawnWorkers(3, { name: 'payments', namespace });
    const here = breakerHere(namespace);
    await succeed(here);
    const opened = Promise.all(fleet.map((worker) => worker.next(isOpen)));

    const trippedAt = Date.now();
    await here.open();
    const latencies = (await opened).map((message) => (message.at as number) - trippedAt);

    // Every worker heard it; how fast depends on the machine's load (`npm run bench` measures it).
    expect(latencies).toHaveLength(3);
    console.info(`remote trip latency across processes (ms): ${latencies.join(', ')}`);
  });
});

/** Runs the quitting process of spec/fixtures/redisQuitExits.ts to its end: how it ended, and what it printed. */
async function runQuittingProcess(...args: string[]) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'spec/fixtures/redisQuitExits.ts', String(server.port), ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 120_000,
      killSignal: 'SIGKILL',
    },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  return { code, signal, printed: stdout.trim().split('\n') };
}

describe('a process using redisStore', () => {
  it('exits once it quits its client, even without disposing the breaker', async () => {
    expect(await runQuittingProcess()).toEqual({
      code: 0,
      signal: null,
      printed: ['called', 'open'],
    });
  });

  it('runs a call made after it quit its client before the first read, and exits', async () => {
    // Before, the call waited for the first read until `commandTimeout`, on a timer that keeps no process alive:
    // the process exited with code 13, the call unsettled.
    expect(await runQuittingProcess('quit-first')).toEqual({
      code: 0,
      signal: null,
      printed: ['called'],
    });
  });
});
