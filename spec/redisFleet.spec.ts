import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { close, commandCalls, waitFor } from './support/redisClients.js';
import { startRedisServer } from './support/redisServer.js';
import type { RedisServer } from './support/redisServer.js';
import { startWorker } from './support/redisWorkers.js';
import type { Worker, WorkerMessage } from './support/redisWorkers.js';
import type { WorkerConfig } from './fixtures/redisWorker.js';

/*
 * The issue-10 rules held by a fleet: four worker processes share one breaker through their own redis-server.
 * Every wait polls with a generous deadline, so the assertions hold on a loaded machine.
 */

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

let server: RedisServer;
let redis: Redis;
const workers: Worker[] = [];

beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis({ port: server.port, host: '127.0.0.1' });
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.kill()));
});

afterAll(async () => {
  close(redis);
  await server.stop();
});

type FleetConfig = Omit<WorkerConfig, 'port' | 'name'>;

async function spawnWorkers(count: number, config: FleetConfig): Promise<Worker[]> {
  const started = await Promise.all(
    Array.from({ length: count }, () =>
      startWorker({ port: server.port, name: 'payments', ...config }),
    ),
  );
  workers.push(...started);
  return started;
}

/** Sends a command and waits for the worker's answer of `kind`. */
async function ask(worker: Worker, command: object, kind: string): Promise<WorkerMessage> {
  const answer = worker.next((message) => message.kind === kind);
  worker.send(command);
  return answer;
}

async function failures(worker: Worker, calls: number): Promise<string[]> {
  return (await ask(worker, { op: 'fail', calls }, 'failed')).errors as string[];
}

const transitionTo = (to: string) => (message: WorkerMessage) =>
  message.kind === 'transition' && message.to === to;
const opens = (worker: Worker) => worker.messages.filter(transitionTo('open'));
const stateKey = (namespace: string) => `${namespace}:{payments}:state`;
const windowKey = (namespace: string) => `${namespace}:{payments}:window`;

/** Runs one call per outcome character ('F' fail, 'S' succeed, 'L' succeed after `slowMs`) in one worker. */
async function run(worker: Worker, outcomes: string, slowMs = 0): Promise<string[]> {
  return (await ask(worker, { op: 'run', outcomes, slowMs }, 'ran')).results as string[];
}

/** The shared window's figures as Redis holds them (a count window's ring, or a time window's buckets). */
async function sharedWindow(namespace: string) {
  const fields = await redis.hgetall(windowKey(namespace));
  const figures = { calls: 0, failures: 0, slowCalls: 0 };
  if (fields.r !== undefined) {
    for (const code of fields.r) {
      figures.calls += 1;
      if (code === '1' || code === '3') figures.failures += 1;
      if (code === '2' || code === '3') figures.slowCalls += 1;
    }
    return figures;
  }
  for (const [field, value] of Object.entries(fields)) {
    if (field === 'k') continue;
    const [, calls, failures, slowCalls] = value.split(':').map(Number);
    figures.calls += calls;
    figures.failures += failures;
    figures.slowCalls += slowCalls;
  }
  return figures;
}

describe('a fleet of four processes on one redisStore', () => {
  it('is held isolated by one process, seen at once by a process that joins later, and released by another', async () => {
    const namespace = 'fleet-isolate';
    const fleet = await spawnWorkers(4, { namespace, failMax: 3 });
    const others = fleet.slice(1);
    const heard = Promise.all(others.map((worker) => worker.next(transitionTo('isolated'))));

    await ask(fleet[0], { op: 'force', to: 'isolated' }, 'forced');
    const remote = await heard;

    expect(remote.map((message) => message.reason)).toEqual(['remote', 'remote', 'remote']);
    for (const worker of fleet) expect(await failures(worker, 5)).toEqual(Array(5).fill('refused'));
    expect(await redis.hget(stateKey(namespace), 's')).toBe('isolated');

    const [late] = await spawnWorkers(1, { namespace, failMax: 3 });
    expect(await failures(late, 3)).toEqual(['refused', 'refused', 'refused']);
    const { snapshot } = await ask(late, { op: 'snapshot' }, 'snapshot');
    expect(snapshot).toMatchObject({ name: 'payments', state: 'isolated' });

    const released = Promise.all(
      [fleet[0], late].map((worker) => worker.next(transitionTo('closed'))),
    );
    await ask(fleet[2], { op: 'force', to: 'closed' }, 'forced');
    await released;
    expect(await failures(fleet[0], 1)).toEqual(['failed']);
    expect(await failures(late, 1)).toEqual(['failed']);
  });

  it('trips on a failure rate only the fleet reaches: one worker reports failure_rate, the three others remote', async () => {
    const namespace = 'fleet-failure-rate';
    // minimumCalls is the window's size, 20: each worker makes 5 calls (3 failures), so no worker can judge a
    // rate on its own outcomes, whatever its flushes; the fleet's 20 calls hold 12 failures, a rate of 0.6.
    const fleet = await spawnWorkers(4, {
      namespace,
      failureRate: 0.5,
      window: { calls: 20 },
      flushInterval: 250,
    });
    // The workers' warm-up calls counted nowhere: the window is empty.
    expect(await redis.exists(windowKey(namespace))).toBe(0);
    const opened = Promise.all(fleet.map((worker) => worker.next(transitionTo('open'))));

    const results = await Promise.all(fleet.map((worker) => run(worker, 'FSFSF')));
    const transitions = await opened;

    // Every call ran (the circuit could not open before the 20th): none was refused, and at most one (the call
    // whose flush made the 20th call of the window, if its own batch could trip) opened the circuit.
    expect(results.flat().filter((result) => result === 'refused')).toEqual([]);
    expect(results.flat().filter((result) => result === 'tripped').length).toBeLessThanOrEqual(1);
    const own = transitions.filter((message) => message.reason === 'failure_rate');
    expect(own).toHaveLength(1);
    expect(own[0]).toMatchObject({ from: 'closed', to: 'open', failureRate: 0.6 });
    expect(transitions.filter((message) => message.reason === 'remote')).toHaveLength(3);
    // The other transitions were heard, not made: no worker reported a second opening.
    expect(fleet.flatMap(opens)).toHaveLength(4);
    expect(await redis.hmget(stateKey(namespace), 's', 'g')).toEqual(['open', '1']);
    // The trip emptied the shared window; every worker now refuses.
    expect(await redis.exists(windowKey(namespace))).toBe(0);
    for (const worker of fleet) expect(await failures(worker, 1)).toEqual(['refused']);
    expect(fleet.flatMap((w) => w.messages.filter((m) => m.kind === 'store-error'))).toEqual([]);
  });

  it('trips on the slow-call rate of successful calls spread over the fleet, at the flush that crosses it', async () => {
    const namespace = 'fleet-slow-call-rate';
    const slowMs = 600;
    const fleet = await spawnWorkers(4, {
      namespace,
      slowCallRate: 0.5,
      slowCallDuration: 300,
      minimumCalls: 20,
      window: { duration: 600_000 },
      flushInterval: 250,
    });
    const opened = Promise.all(fleet.map((worker) => worker.next(transitionTo('open'))));

    // Three workers make 5 successful calls each, 3 of them slow: 15 calls, below minimumCalls. Once their
    // batches are in the shared window, the circuit is still closed.
    const first = await Promise.all(
      fleet.slice(0, 3).map((worker) => run(worker, 'LSLSL', slowMs)),
    );
    expect(first.flat()).toEqual(Array(15).fill('ok'));
    await waitFor(
      async () => (await sharedWindow(namespace)).calls === 15,
      60_000,
      'the first 15 calls in the shared window',
    );
    expect(await sharedWindow(namespace)).toEqual({ calls: 15, failures: 0, slowCalls: 9 });
    expect(await redis.hget(stateKey(namespace), 's')).toBe('closed');
    expect(fleet.flatMap(opens)).toEqual([]);

    // The fourth worker's 5 calls (3 slow) make 20 calls, 12 slow: its flush trips the fleet.
    expect(await run(fleet[3], 'LSLSL', slowMs)).toEqual(Array(5).fill('ok'));
    const transitions = await opened;
    expect(transitions[3]).toMatchObject({
      from: 'closed',
      to: 'open',
      reason: 'slow_call_rate',
      slowCallRate: 0.6,
      failureRate: 0,
    });
    expect(transitions.slice(0, 3).map((message) => message.reason)).toEqual([
      'remote',
      'remote',
      'remote',
    ]);
    expect(await redis.hget(stateKey(namespace), 's')).toBe('open');
    for (const worker of fleet) expect(await run(worker, 'S')).toEqual(['refused']);
  });

  it('is disabled by one process: every call in every process runs (successes with no round trip), failures are counted, and nothing trips', async () => {
    const namespace = 'fleet-disable';
    const fleet = await spawnWorkers(4, { namespace, failMax: 3 });
    const heard = Promise.all(
      fleet.slice(1).map((worker) => worker.next(transitionTo('disabled'))),
    );

    await ask(fleet[0], { op: 'force', to: 'disabled' }, 'forced');
    await heard;
    await redis.config('RESETSTAT');
    await Promise.all(
      fleet.map((worker) => ask(worker, { op: 'succeed', calls: 50 }, 'succeeded')),
    );
    // Successful calls in a disabled circuit cost no Redis command (beside this spec's own, and an `info` that
    // ioredis would send if a connection dropped on a loaded machine).
    const sent = Object.keys(await commandCalls(redis));
    expect(sent.filter((command) => !['config|resetstat', 'info'].includes(command))).toEqual([]);
    const errors = await Promise.all(fleet.map((worker) => failures(worker, 5)));

    // 20 failures against failMax 3: all ran (failed with their own error), none tripped or was refused.
    expect(errors.flat()).toEqual(Array(20).fill('failed'));
    expect(fleet.flatMap(opens)).toEqual([]);
    expect(await redis.hmget(stateKey(namespace), 's', 'f')).toEqual(['disabled', '20']);
  });

  it('backs off together: one shared attempt counter, one open time chosen by the opener, one retryAt', async () => {
    const namespace = 'fleet-backoff';
    const initial = 2000;
    const fleet = await spawnWorkers(4, {
      namespace,
      failMax: 1,
      backoff: { initial, max: 60_000 },
    });
    const firstOpen = Promise.all(fleet.map((worker) => worker.next(transitionTo('open'))));

    expect(await failures(fleet[0], 1)).toEqual(['tripped']);
    const first = await firstOpen;
    expect(await redis.hmget(stateKey(namespace), 'a', 'p')).toEqual(['1', String(initial)]);
    const firstOpenedAt = Number(await redis.hget(stateKey(namespace), 'o'));
    expect(first.map((message) => message.reason)).toEqual([
      'failure_threshold',
      'remote',
      'remote',
      'remote',
    ]);

    // Once the open time has passed, another process's call is the trial; it fails, and the circuit re-opens for
    // twice as long: the second attempt of the fleet, not of that process.
    const secondOpen = Promise.all(fleet.map((worker) => worker.next(transitionTo('open'))));
    await waitFor(
      async () => {
        await failures(fleet[1], 1);
        return (await redis.hget(stateKey(namespace), 'a')) === '2';
      },
      60_000,
      'the trial failure',
    );
    const second = await secondOpen;
    expect(await redis.hmget(stateKey(namespace), 's', 'a', 'p')).toEqual([
      'open',
      '2',
      String(2 * initial),
    ]);
    // Every process computes the same retry time from the shared state (one machine, one clock; the bound only
    // allows for each process's estimate of Redis's clock).
    const retryAts = second.map((message) => message.retryAt as number);
    expect(Math.max(...retryAts) - Math.min(...retryAts)).toBeLessThan(1000);
    // On Redis's clock (each process's own estimate of it may move between the two openings): the trial came once
    // the first open time had passed, so the retry time moved by at least 2 × initial.
    const secondOpenedAt = Number(await redis.hget(stateKey(namespace), 'o'));
    const retryTimes = [firstOpenedAt + initial, secondOpenedAt + 2 * initial];
    expect(retryTimes[1] - retryTimes[0]).toBeGreaterThanOrEqual(2 * initial);
  });

  it('re-opens for all when a half-open circuit outlives maxHalfOpenWait (a trial call hangs)', async () => {
    const namespace = 'fleet-half-open-wait';
    const fleet = await spawnWorkers(4, { namespace, maxHalfOpenWait: 5000 });
    const halfOpen = Promise.all(
      fleet.slice(1).map((worker) => worker.next(transitionTo('half-open'))),
    );
    // Listening before the force: a loaded machine may take the whole wait before the trial call is made.
    const reopened = Promise.all(fleet.map((worker) => worker.next(transitionTo('open'))));
    await ask(fleet[0], { op: 'force', to: 'half-open' }, 'forced');
    await halfOpen;
    expect((await ask(fleet[1], { op: 'hang' }, 'hang')).admitted).toBe(true);

    await waitFor(
      async () => {
        await failures(fleet[2], 1);
        return (await redis.hget(stateKey(namespace), 's')) === 'open';
      },
      60_000,
      'the re-opening',
    );
    const reasons = (await reopened).map((message) => message.reason);
    expect(reasons.filter((reason) => reason === 'half_open_timeout')).toHaveLength(1);
    expect(reasons.filter((reason) => reason === 'remote')).toHaveLength(3);
  });
});
