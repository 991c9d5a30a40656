import { numberFlag, parseFlags } from './cliOptions.js';
import { parseScenarioOptions, scenarioFlags } from './scenarioOptions.js';
import type { ScenarioOptions } from './scenarioOptions.js';

/** The settings of `npm run demo`. */
export interface DemoOptions extends ScenarioOptions {
  /** Calls per second. */
  readonly rate: number;
  /** Share of the requests that fail during the outage (1: all of them). */
  readonly outageShare: number;
  /** When set, the circuit trips on this failure rate over the last 20 calls instead of on `failMax`. */
  readonly failureRate?: number;
  /** Whether to serve the breakers' dashboard on a loopback port. */
  readonly dashboard: boolean;
}

export const demoDefaults: DemoOptions = {
  rate: 10,
  outageShare: 1,
  duration: 20,
  outageStart: 5,
  outageLength: 8,
  failMax: 3,
  resetTimeout: 2000,
  latency: 0,
  dashboard: false,
};

export const demoUsage = `Usage: npm run demo [-- options]

A flaky HTTP service and a client calling it through rxjs-circuit-breaker, shown live as a
timeline: healthy, then an outage, then recovery.

Options:
  --rate N              calls per second, 1 to 50 (default ${demoDefaults.rate})
  --duration S          seconds the demo runs (default ${demoDefaults.duration})
  --outage-start S      second at which the service starts answering 503 (default ${demoDefaults.outageStart})
  --outage-length S     seconds the outage lasts (default ${demoDefaults.outageLength})
  --outage-share F      share of the calls that fail during the outage, 0.01 to 1 (default ${demoDefaults.outageShare})
  --fail-max N          consecutive failures that open the circuit (default ${demoDefaults.failMax})
  --failure-rate F      trip on this failure rate over the last 20 calls (from 10 calls on), 0.01 to 1,
                        instead of on --fail-max: try it with a partial outage
  --reset-timeout MS    milliseconds the circuit stays open before a trial call (default ${demoDefaults.resetTimeout})
  --latency MS          milliseconds the service takes to answer each request (default ${demoDefaults.latency})
  --dashboard           serve the breakers' dashboard on a loopback port and print its URL
  -h, --help            show this help

Colour is used when stdout is a terminal and NO_COLOR is not set; piped output is plain text.
Example: npm run demo -- --rate 20 --outage-start 3 --outage-length 5 --reset-timeout 1000
A rate trip: npm run demo -- --outage-share 0.6 --failure-rate 0.5
`;

/** Reads the demo's command line; a bad option is a {@link UsageError} that names it. */
export function parseDemoOptions(argv: readonly string[]): DemoOptions | 'help' {
  const given = parseFlags(
    argv,
    ['rate', 'outage-share', 'failure-rate', ...scenarioFlags],
    ['dashboard'],
  );
  if (given === 'help') return 'help';
  const share = { min: 0.01, max: 1 };
  return {
    rate: numberFlag(given, 'rate', demoDefaults.rate, { min: 1, max: 50, integer: true }),
    dashboard: given.dashboard === 'true',
    outageShare: numberFlag(given, 'outage-share', demoDefaults.outageShare, share),
    ...(given['failure-rate'] !== undefined && {
      failureRate: numberFlag(given, 'failure-rate', 1, share),
    }),
    ...parseScenarioOptions(given, demoDefaults),
  };
}
