/**
 * `npm run demo:fleet`: several worker processes share one circuit breaker through Redis.
 *
 * The demo starts its own redis-server on a free loopback port, a flaky HTTP service, and one worker process
 * per `--rates` entry. Each worker calls the service through a breaker whose state lives in Redis
 * (`rxjs-circuit-breaker/redis`). The busy first worker meets the outage first; when its failures open the
 * circuit, the other workers learn it through Redis and stop calling the service too. Everything it started is
 * stopped at the end, or on Ctrl-C. `npm run demo:fleet -- --help` lists the options.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Transition } from '../../src/index.js';
import { DemoFailure, runCli } from './cliOptions.js';
import type { FleetOptions } from './fleetOptions.js';
import { fleetUsage, parseFleetOptions } from './fleetOptions.js';
import type { StartMessage, WorkerConfig, WorkerMessage } from './fleetProtocol.js';
import { epochNow } from './fleetProtocol.js';
import { startFlakyService } from './flakyService.js';
import type { FlakyService } from './flakyService.js';
import type { Outcome, Palette } from './palette.js';
import { legend, palette, wantsColour } from './palette.js';
import { startRedisServer } from '../../spec/support/redisServer.js';
import type { RedisServer } from '../../spec/support/redisServer.js';
import { latencyText } from './latencyText.js';
import { requireRedisServer } from './requireRedisServer.js';
import { Timeline } from './timeline.js';

/** A transition as one worker saw it. */
interface SeenTransition extends Transition {
  readonly worker: number;
  readonly at: number;
  /** The second of the call whose outcome caused it, if a call did. */
  readonly second?: number;
}

/** A call's outcome as one worker reported it. */
interface CallReport {
  readonly worker: number;
  readonly second: number;
  readonly slot: number;
  readonly outcome: Outcome;
  readonly at: number;
}

interface Worker {
  readonly label: string;
  readonly process: ChildProcess;
  /** Resolves when the worker has read the shared state and waits for the start signal. */
  readonly ready: Promise<void>;
  /** Resolves when the worker process has exited. */
  readonly exited: Promise<number | null>;
}

const workerScript = fileURLToPath(new URL('./fleetWorker.ts', import.meta.url));

await runCli('npm run demo:fleet', async () => {
  const options = parseFleetOptions(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(fleetUsage);
    return;
  }
  requireRedisServer();
  await runFleet(options);
});

async function runFleet(options: FleetOptions): Promise<void> {
  const paint = palette(wantsColour(process.stdout));
  let startAt = Number.POSITIVE_INFINITY;
  const outage = {
    start: options.outageStart * 1000,
    end: (options.outageStart + options.outageLength) * 1000,
  };
  const elapsed = () => epochNow() - startAt;
  const service = await startFlakyService(
    () => elapsed() >= outage.start && elapsed() < outage.end,
    options.latency,
  );
  const redis = await startRedisServer();
  const calls: CallReport[] = [];
  const transitions: SeenTransition[] = [];
  const storeErrors: string[] = [];
  const timeline = new Timeline({
    out: process.stdout,
    live: process.stdout.isTTY === true,
    paint,
    lanes: options.rates.map((rate, index) => ({ label: `w${index + 1}`, slots: rate })),
    serviceDown: (span) => span.from < outage.end && span.to >= outage.start,
    describeBreaker: (row) => describeRow(paint, transitions, startAt, row, options),
  });
  const onMessage = (worker: number, message: WorkerMessage) => {
    if (message.kind === 'call') {
      calls.push({ worker, ...message });
      timeline.record(message.second, worker, message.slot, message.outcome, [
        message.startedAt - startAt,
      ]);
    } else if (message.kind === 'transition') {
      transitions.push({
        worker,
        at: message.at,
        from: message.from,
        to: message.to,
        reason: message.reason,
        second: message.second,
      });
      timeline.refresh();
    } else if (message.kind === 'store-error') {
      storeErrors.push(`w${worker + 1}: ${message.message}`);
    }
  };
  const workers = options.rates.map((rate, index) =>
    startWorker(workerConfig(options, index, rate, redis.url, service.url), (message) =>
      onMessage(index, message),
    ),
  );
  const stopAll = once(() => shutdown(workers, redis, service));
  // Interrupted: stop the workers, Redis and the service, then exit as the signal would have (128 + number).
  const exitCodes = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 } as const;
  const signals = Object.keys(exitCodes) as (keyof typeof exitCodes)[];
  const interrupt = (signal: keyof typeof exitCodes) =>
    void stopAll().finally(() => process.exit(exitCodes[signal]));
  for (const signal of signals) process.once(signal, interrupt);
  try {
    await Promise.all(
      workers.map((worker) => withTimeout(worker.ready, 30_000, `${worker.label} did not start`)),
    );
    process.stdout.write(introduction(paint, options, redis, service));
    process.stdout.write(`${timeline.header()}\n`);
    startAt = epochNow() + 200;
    const start: StartMessage = { kind: 'start', startAt };
    for (const worker of workers) worker.process.send(start);
    for (let second = 0; second < options.duration; second++) {
      await sleepUntil(startAt + second * 1000);
      timeline.begin(second);
    }
    await sleepUntil(startAt + options.duration * 1000);
    timeline.begin(options.duration);
    // A worker exits once every call it made has reported: then every row is complete.
    await Promise.all(
      workers.map((worker) => withTimeout(worker.exited, 10_000, `${worker.label} did not finish`)),
    );
    timeline.finish();
  } finally {
    for (const signal of signals) process.off(signal, interrupt);
    await stopAll();
  }
  process.stdout.write(
    summary(paint, { options, calls, transitions, storeErrors, service, startAt }),
  );
}

function workerConfig(
  options: FleetOptions,
  index: number,
  rate: number,
  redisUrl: string,
  serviceUrl: string,
): WorkerConfig {
  const period = 1000 / rate;
  // The first worker calls at the top of each second; the others later in their period, so that at the start
  // of the outage the busy first worker is the one that meets it.
  const phaseMs = index === 0 ? 0 : Math.min(0.95, 0.4 + 0.2 * index) * period;
  return {
    label: `w${index + 1}`,
    redisUrl,
    serviceUrl,
    rate,
    phaseMs,
    duration: options.duration,
    failMax: options.failMax,
    resetTimeout: options.resetTimeout,
  };
}

function startWorker(config: WorkerConfig, onMessage: (message: WorkerMessage) => void): Worker {
  const child = fork(workerScript, [JSON.stringify(config)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.on('message', (message: WorkerMessage) => {
      if (message.kind === 'ready') resolve();
      onMessage(message);
    });
    child.once('exit', (code) =>
      reject(new DemoFailure(`worker ${config.label} exited early (code ${code})`)),
    );
  });
  ready.catch(() => undefined); // reported where it is awaited
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { label: config.label, process: child, ready, exited };
}

async function shutdown(
  workers: readonly Worker[],
  redis: RedisServer,
  service: FlakyService,
): Promise<void> {
  for (const worker of workers) {
    if (worker.process.exitCode === null && worker.process.signalCode === null)
      worker.process.kill('SIGTERM');
  }
  await Promise.all(workers.map((worker) => worker.exited));
  await redis.stop();
  await service.close();
}

function introduction(
  paint: Palette,
  options: FleetOptions,
  redis: RedisServer,
  service: FlakyService,
): string {
  const outageEnd = options.outageStart + options.outageLength;
  const workers = options.rates.map((rate, index) => `w${index + 1} ${rate}/s`).join(', ');
  return [
    paint.bold(
      'rxjs-circuit-breaker fleet demo: worker processes sharing one circuit breaker through Redis',
    ),
    `redis    ${redis.url} (started for this demo; stopped at the end)`,
    `service  ${service.url} answers 503 from ${options.outageStart}s to ${outageEnd}s${latencyText(options)}`,
    `workers  ${workers}: separate processes, one breaker 'flaky-service' in Redis, failMax ${options.failMax}, resetTimeout ${options.resetTimeout}`,
    `legend   ${legend(paint)}`,
    '',
    '',
  ].join('\n');
}

/**
 * The breaker column of one row: the states the circuit went through ("open → half-open → open"), which worker
 * made the last change itself and why, and which workers followed it through Redis (reason 'remote').
 */
function describeRow(
  paint: Palette,
  transitions: readonly SeenTransition[],
  startAt: number,
  row: number,
  options: FleetOptions,
): string {
  // A transition belongs to the row of the call that caused it, or else to the second it happened in.
  const secondOf = (t: SeenTransition) => t.second ?? Math.floor((t.at - startAt) / 1000);
  const own = transitions.filter((t) => t.reason !== 'remote' && secondOf(t) === row);
  const last = own.at(-1);
  if (!last) {
    const before = transitions.filter((t) => t.reason !== 'remote' && secondOf(t) < row).at(-1);
    return paint.state(before?.to ?? 'closed');
  }
  const chain = [own[0]?.from ?? last.from, ...own.map((t) => t.to)].map((state) =>
    paint.state(state),
  );
  const followers = followersOf(last, transitions);
  const who = followers.map((t) => `w${t.worker + 1}`);
  const followed =
    who.length === 0 ? '' : `; ${who.join(' ')} followed ${lagText(last, followers)}`;
  const note = `w${last.worker + 1}: ${reasonText(last, options)}${followed}`;
  return `${chain.join(' → ')}  ${paint.dim(`(${note})`)}`;
}

/**
 * The transitions other workers made to mirror `own` (reason 'remote'), first per worker. A worker can hear of
 * it through pub/sub a moment before the worker that made it has processed its own reply, hence the margin.
 */
function followersOf(
  own: SeenTransition,
  transitions: readonly SeenTransition[],
): SeenTransition[] {
  const mirrors = transitions.filter(
    (t) =>
      t.reason === 'remote' &&
      t.worker !== own.worker &&
      t.to === own.to &&
      t.at > own.at - 100 &&
      t.at < own.at + 1000,
  );
  const firstPerWorker = new Map<number, SeenTransition>();
  for (const mirror of mirrors)
    if (!firstPerWorker.has(mirror.worker)) firstPerWorker.set(mirror.worker, mirror);
  return [...firstPerWorker.values()].sort((a, b) => a.worker - b.worker);
}

/** How long the slowest follower took, e.g. "within 2 ms". */
function lagText(own: SeenTransition, followers: readonly SeenTransition[]): string {
  const lag = Math.max(0, ...followers.map((t) => t.at - own.at));
  return lag < 1 ? 'within 1 ms' : `within ${Math.ceil(lag)} ms`;
}

function reasonText(transition: Transition, options: FleetOptions): string {
  switch (transition.reason) {
    case 'failure_threshold':
      return `${options.failMax} failures in a row`;
    case 'trial_failure':
      return 'trial failed';
    case 'trial_success':
      return 'trial succeeded';
    case 'reset_timeout':
      return `${options.resetTimeout} ms later`;
    default:
      return transition.reason;
  }
}

interface FleetResult {
  readonly options: FleetOptions;
  readonly calls: readonly CallReport[];
  readonly transitions: readonly SeenTransition[];
  readonly storeErrors: readonly string[];
  readonly service: FlakyService;
  readonly startAt: number;
}

function summary(paint: Palette, result: FleetResult): string {
  const { options, calls, transitions, storeErrors, service, startAt } = result;
  const lines = ['', paint.bold('Summary')];
  options.rates.forEach((_rate, worker) => {
    const mine = calls.filter((call) => call.worker === worker);
    const count = (outcome: Outcome) => mine.filter((call) => call.outcome === outcome).length;
    lines.push(
      `  w${worker + 1}: ${mine.length} calls: ${paint.green(`${count('success')} succeeded`)}, ${paint.red(`${count('failure')} failed`)}, ${paint.yellow(`${count('rejected')} refused by the breaker`)}`,
    );
  });
  const trip = transitions.find((t) => t.reason === 'failure_threshold');
  if (trip) {
    const tripper = `w${trip.worker + 1}`;
    const others = options.rates
      .map((_rate, worker) => worker)
      .filter((worker) => worker !== trip.worker);
    const failedBefore = others.filter((worker) =>
      calls.some(
        (call) => call.worker === worker && call.outcome === 'failure' && call.at <= trip.at,
      ),
    );
    const followers = followersOf(trip, transitions);
    lines.push(
      `  The circuit opened ${((trip.at - startAt) / 1000).toFixed(1)} s in, when ${tripper} reached ${options.failMax} failures in a row` +
        (failedBefore.length === 0 ? `; the other workers had not failed once.` : '.'),
    );
    if (followers.length > 0) {
      lines.push(
        `  ${followers.map((t) => `w${t.worker + 1}`).join(' and ')} learned it through Redis ${lagText(trip, followers)} and refused their calls without calling the service.`,
      );
    }
  } else {
    lines.push(`  The circuit never opened: fewer than ${options.failMax} failures came in a row.`);
  }
  const refused = calls.filter((call) => call.outcome === 'rejected').length;
  lines.push(
    `  The breaker spared the failing service ${paint.bold(String(refused))} requests; it received ${service.requestsWhileDown} during the outage.`,
  );
  if (storeErrors.length > 0)
    lines.push(`  Store errors reported: ${storeErrors.length} (first: ${storeErrors[0]})`);
  return `${lines.join('\n')}\n`;
}

function sleepUntil(epochMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, epochMs - epochNow())));
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DemoFailure(`${message} within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function once(run: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= run());
}
