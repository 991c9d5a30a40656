/**
 * `npm run demo`: a flaky HTTP service and a client calling it through a circuit breaker, shown live.
 *
 * The service runs in this process on a free loopback port; the client calls it with `fromFetch` at a
 * steady rate, through the breaker. The service is healthy, then fails for a while, then recovers; the
 * timeline shows each call, the breaker's state and how many requests the breaker spared the service.
 * `npm run demo -- --help` lists the options.
 */
import { lastValueFrom, mergeMap, take, tap, timer } from 'rxjs';
// In an application: import { circuitBreaker } from 'rxjs-circuit-breaker'. The demo imports the source so
// that it runs straight after `npm install`, before anything is built.
import { circuitBreaker } from '../../src/index.js';
import type { CircuitState, Transition } from '../../src/index.js';
import { callThroughBreaker } from './callThroughBreaker.js';
import type { Judging } from './callThroughBreaker.js';
import { runCli } from './cliOptions.js';
import { startDashboard } from './dashboard.js';
import type { Dashboard } from './dashboard.js';
import type { DemoOptions } from './demoOptions.js';
import { demoUsage, parseDemoOptions } from './demoOptions.js';
import { startFlakyService } from './flakyService.js';
import type { FlakyService } from './flakyService.js';
import type { Outcome, Palette } from './palette.js';
import { latencyText } from './latencyText.js';
import { legend, palette, wantsColour } from './palette.js';
import { Timeline } from './timeline.js';

/** A transition, when it happened (milliseconds since the demo started), and the timeline row it belongs to. */
interface TimedTransition extends Transition {
  readonly at: number;
  readonly row: number;
}

type Tally = Record<Outcome, number>;

await runCli('npm run demo', async () => {
  const options = parseDemoOptions(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(demoUsage);
    return;
  }
  await runDemo(options);
});

async function runDemo(options: DemoOptions): Promise<void> {
  const paint = palette(wantsColour(process.stdout));
  const outage = {
    start: options.outageStart * 1000,
    end: (options.outageStart + options.outageLength) * 1000,
  };
  let startedAt = performance.now();
  const elapsed = () => performance.now() - startedAt;
  // A partial outage fails `outageShare` of the requests, evenly spread (every other one at 0.5).
  let outageRequests = 0;
  const failsNow = () => {
    outageRequests += 1;
    const share = options.outageShare;
    return Math.floor(outageRequests * share) > Math.floor((outageRequests - 1) * share);
  };
  const service = await startFlakyService(
    () => elapsed() >= outage.start && elapsed() < outage.end && failsNow(),
    options.latency,
  );
  // The breaker joins the default registry, whose dashboard `--dashboard` serves.
  const dashboard = options.dashboard ? await startDashboard() : undefined;
  const tripRule =
    options.failureRate === undefined
      ? { failMax: options.failMax }
      : { failureRate: options.failureRate, window: { calls: 20 }, minimumCalls: 10 };
  const breaker = circuitBreaker({
    name: 'flaky-service',
    ...tripRule,
    resetTimeout: options.resetTimeout,
  });

  const tally: Tally = { success: 0, failure: 0, rejected: 0 };
  const transitions: TimedTransition[] = [];
  // A transition belongs to the row of the call that caused it; one no call caused (the reset timeout), to the
  // second it happens in.
  const judging: Judging = {};
  let second = 0;
  const timeline = new Timeline({
    out: process.stdout,
    live: process.stdout.isTTY === true,
    paint,
    lanes: [{ label: 'calls', slots: options.rate }],
    serviceDown: (span) => span.from < outage.end && span.to >= outage.start,
    describeBreaker: (row) => describeStates(paint, statesOfRow(transitions, row), options),
  });
  const watch = breaker.transition$.subscribe((transition) => {
    transitions.push({ ...transition, at: elapsed(), row: judging.second ?? second });
    timeline.refresh();
  });

  process.stdout.write(introduction(paint, service, options, dashboard));
  process.stdout.write(`${timeline.header()}\n`);
  startedAt = performance.now();
  await lastValueFrom(
    timer(0, 1000 / options.rate).pipe(
      take(options.duration * options.rate),
      mergeMap((index) => {
        const slot = index % options.rate;
        const row = Math.floor(index / options.rate);
        second = row;
        timeline.begin(row);
        timeline.record(row, 0, slot, 'pending', [elapsed()]);
        return callThroughBreaker(breaker, service.url, row, judging).pipe(
          tap((outcome) => {
            tally[outcome] += 1;
            timeline.record(row, 0, slot, outcome, []);
          }),
        );
      }),
    ),
    { defaultValue: undefined },
  );
  timeline.begin(options.duration);
  timeline.finish();
  watch.unsubscribe();
  breaker.dispose();
  dashboard?.close();
  await service.close();
  process.stdout.write(summary(paint, { options, tally, transitions, service }));
}

function introduction(
  paint: Palette,
  service: FlakyService,
  options: DemoOptions,
  dashboard: Dashboard | undefined,
): string {
  const outageEnd = options.outageStart + options.outageLength;
  return [
    paint.bold('rxjs-circuit-breaker demo: a flaky HTTP service behind a circuit breaker'),
    `service  ${service.url} answers 503 to ${options.outageShare === 1 ? 'every call' : `${options.outageShare * 100}% of the calls`} from ${options.outageStart}s to ${outageEnd}s${latencyText(options)}`,
    `client   ${options.rate} calls/s with fromFetch, through circuitBreaker({ ${tripRuleText(options)}, resetTimeout: ${options.resetTimeout} })`,
    ...(dashboard
      ? [`dashboard ${dashboard.url} (open it now: the page lives as long as the demo)`]
      : []),
    `legend   ${legend(paint)}`,
    '',
    '',
  ].join('\n');
}

/** The states a row went through: the state it began in, then each of its transitions'. */
function statesOfRow(
  transitions: readonly TimedTransition[],
  row: number,
): { states: CircuitState[]; last?: TimedTransition } {
  const own = transitions.filter((t) => t.row === row);
  const before = transitions.filter((t) => t.row < row).at(-1);
  const first = own[0]?.from ?? before?.to ?? 'closed';
  return { states: [first, ...own.map((t) => t.to)], last: own.at(-1) };
}

function tripRuleText(options: DemoOptions): string {
  return options.failureRate === undefined
    ? `failMax: ${options.failMax}`
    : `failureRate: ${options.failureRate}, window: { calls: 20 }, minimumCalls: 10`;
}

/** The breaker column: the states of this row (`closed → open`), and why the last change happened. */
function describeStates(
  paint: Palette,
  { states, last }: { states: readonly CircuitState[]; last?: TimedTransition },
  options: DemoOptions,
): string {
  const shown =
    states.length <= 5 ? states : [states[0] ?? 'closed', '…', states.at(-1) ?? 'closed'];
  const chain = shown
    .map((state) => (state === '…' ? state : paint.state(state as CircuitState)))
    .join(' → ');
  if (states.length === 1 || !last) return chain;
  return `${chain}  ${paint.dim(`(${reasonText(last, options)})`)}`;
}

function reasonText(transition: Transition, options: DemoOptions): string {
  switch (transition.reason) {
    case 'failure_threshold':
      return `${options.failMax} failures in a row`;
    case 'failure_rate':
      return `${options.failureRate ?? 1} of the last calls failed`;
    case 'trial_failure':
      return 'the trial call failed';
    case 'trial_success':
      return 'the trial call succeeded';
    case 'reset_timeout':
      return `${options.resetTimeout} ms later: one trial call`;
    default:
      return transition.reason;
  }
}

interface DemoResult {
  readonly options: DemoOptions;
  readonly tally: Tally;
  readonly transitions: readonly TimedTransition[];
  readonly service: FlakyService;
}

function summary(paint: Palette, { options, tally, transitions, service }: DemoResult): string {
  const calls = tally.success + tally.failure + tally.rejected;
  const outageStart = options.outageStart * 1000;
  const outageEnd = outageStart + options.outageLength * 1000;
  const callsDuringOutage = countTicksBetween(options, outageStart, outageEnd);
  const trips = transitions.filter(
    (t) => t.reason === 'failure_threshold' || t.reason === 'failure_rate',
  ).length;
  const failedTrials = transitions.filter((t) => t.reason === 'trial_failure').length;
  const closedAgain = transitions.find((t) => t.to === 'closed' && t.at >= outageEnd);
  const lines = [
    '',
    paint.bold('Summary'),
    `  ${calls} calls in ${options.duration} s: ${paint.green(`${tally.success} succeeded`)}, ${paint.red(`${tally.failure} failed`)}, ${paint.yellow(`${tally.rejected} refused by the breaker`)}.`,
    `  During the outage the client made ${callsDuringOutage} calls; ${service.requestsWhileDown} of them reached the failing service.`,
    `  The breaker spared the service ${paint.bold(String(tally.rejected))} requests in all.`,
  ];
  if (trips === 0) {
    const rule =
      options.failureRate === undefined
        ? `fewer than ${options.failMax} failures came in a row`
        : `the failure rate stayed below ${options.failureRate}`;
    lines.push(`  The circuit never opened: ${rule}.`);
  } else {
    const trials = transitions.filter((t) => t.reason === 'reset_timeout').length;
    const tripped = trips === 1 ? 'once' : `${trips} times`;
    const trialText =
      trials === 0
        ? 'no trial call was due yet'
        : `${trials} trial call${trials === 1 ? '' : 's'} followed, one per ${options.resetTimeout} ms, and ${failedTrials === 0 ? 'none' : failedTrials} failed`;
    lines.push(`  The circuit tripped ${tripped}; ${trialText}.`);
    lines.push(
      closedAgain
        ? `  It closed again ${formatSeconds(closedAgain.at - outageEnd)} after the service recovered, at the first trial call after it.`
        : '  It had not closed again when the demo ended.',
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Calls the client starts in [from, to) milliseconds: one every 1000/rate ms from 0. */
function countTicksBetween(options: DemoOptions, from: number, to: number): number {
  const period = 1000 / options.rate;
  const total = options.duration * options.rate;
  const first = Math.min(total, Math.ceil(from / period));
  const last = Math.min(total, Math.ceil(to / period));
  return Math.max(0, last - first);
}

function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
