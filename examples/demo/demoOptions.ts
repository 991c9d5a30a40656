import { numberFlag, parseFlags } from './cliOptions.js';
import { parseScenarioOptions, scenarioFlags } from './scenarioOptions.js';
import type { ScenarioOptions } from './scenarioOptions.js';

/** The settings of `npm run demo`. */
export interface DemoOptions extends ScenarioOptions {
  /** Calls per second. */
  readonly rate: number;
  /** Whether to serve the breakers' dashboard on a loopback port. */
  readonly dashboard: boolean;
}

export const demoDefaults: DemoOptions = {
  rate: 10,
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
  --fail-max N          consecutive failures that open the circuit (default ${demoDefaults.failMax})
  --reset-timeout MS    milliseconds the circuit stays open before a trial call (default ${demoDefaults.resetTimeout})
  --latency MS          milliseconds the service takes to answer each request (default ${demoDefaults.latency})
  --dashboard           serve the breakers' dashboard on a loopback port and print its URL
  -h, --help            show this help

Colour is used when stdout is a terminal and NO_COLOR is not set; piped output is plain text.
Example: npm run demo -- --rate 20 --outage-start 3 --outage-length 5 --reset-timeout 1000
`;

/** Reads the demo's command line; a bad option is a {@link UsageError} that names it. */
export function parseDemoOptions(argv: readonly string[]): DemoOptions | 'help' {
  const given = parseFlags(argv, ['rate', ...scenarioFlags], ['dashboard']);
  if (given === 'help') return 'help';
  return {
    rate: numberFlag(given, 'rate', demoDefaults.rate, { min: 1, max: 50, integer: true }),
    dashboard: given.dashboard === 'true',
    ...parseScenarioOptions(given, demoDefaults),
  };
}
