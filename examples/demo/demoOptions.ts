import { UsageError, numberFlag, parseFlags } from './cliOptions.js';

/** The settings of `npm run demo`. */
export interface DemoOptions {
  /** Calls per second. */
  readonly rate: number;
  /** Seconds the demo runs. */
  readonly duration: number;
  /** Second at which the service starts failing. */
  readonly outageStart: number;
  /** Seconds the service keeps failing. */
  readonly outageLength: number;
  /** Consecutive failures that open the circuit. */
  readonly failMax: number;
  /** Milliseconds the circuit stays open before a trial call. */
  readonly resetTimeout: number;
}

export const demoDefaults: DemoOptions = {
  rate: 10,
  duration: 20,
  outageStart: 5,
  outageLength: 8,
  failMax: 3,
  resetTimeout: 2000,
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
  -h, --help            show this help

Colour is used when stdout is a terminal and NO_COLOR is not set; piped output is plain text.
Example: npm run demo -- --rate 20 --outage-start 3 --outage-length 5 --reset-timeout 1000
`;

const flags = ['rate', 'duration', 'outage-start', 'outage-length', 'fail-max', 'reset-timeout'];

/** Reads the demo's command line; a bad option is a {@link UsageError} that names it. */
export function parseDemoOptions(argv: readonly string[]): DemoOptions | 'help' {
  const given = parseFlags(argv, flags);
  if (given === 'help') return 'help';
  const options: DemoOptions = {
    rate: numberFlag(given, 'rate', demoDefaults.rate, { min: 1, max: 50, integer: true }),
    duration: numberFlag(given, 'duration', demoDefaults.duration, {
      min: 1,
      max: 600,
      integer: true,
    }),
    outageStart: numberFlag(given, 'outage-start', demoDefaults.outageStart, { min: 0, max: 600 }),
    outageLength: numberFlag(given, 'outage-length', demoDefaults.outageLength, {
      min: 0,
      max: 600,
    }),
    failMax: numberFlag(given, 'fail-max', demoDefaults.failMax, {
      min: 1,
      max: 1000,
      integer: true,
    }),
    resetTimeout: numberFlag(given, 'reset-timeout', demoDefaults.resetTimeout, {
      min: 0,
      max: 600_000,
      integer: true,
    }),
  };
  if (options.outageStart >= options.duration) {
    throw new UsageError(
      `--outage-start (${options.outageStart}) must be before the end of the demo (--duration ${options.duration})`,
    );
  }
  return options;
}
