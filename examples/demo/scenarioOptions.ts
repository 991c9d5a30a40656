import { UsageError, numberFlag } from './cliOptions.js';

/** The settings both demos share: how long they run, when the outage comes, and the breaker's settings. */
export interface ScenarioOptions {
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
  /** Milliseconds the service takes to answer. */
  readonly latency: number;
}

/** The command-line flags of {@link ScenarioOptions}. */
export const scenarioFlags: readonly string[] = [
  'duration',
  'outage-start',
  'outage-length',
  'fail-max',
  'reset-timeout',
  'latency',
];

/**
 * Reads the shared flags, each one absent taking its value from `defaults`; a bad option is a
 * {@link UsageError} that names it.
 *
 * @param given - The flags as parsed by `parseFlags`.
 * @param defaults - The demo's own defaults.
 */
export function parseScenarioOptions(
  given: Readonly<Record<string, string | undefined>>,
  defaults: ScenarioOptions,
): ScenarioOptions {
  const options: ScenarioOptions = {
    duration: numberFlag(given, 'duration', defaults.duration, {
      min: 1,
      max: 600,
      integer: true,
    }),
    outageStart: numberFlag(given, 'outage-start', defaults.outageStart, { min: 0, max: 600 }),
    outageLength: numberFlag(given, 'outage-length', defaults.outageLength, {
      min: 0,
      max: 600,
    }),
    failMax: numberFlag(given, 'fail-max', defaults.failMax, {
      min: 1,
      max: 1000,
      integer: true,
    }),
    resetTimeout: numberFlag(given, 'reset-timeout', defaults.resetTimeout, {
      min: 0,
      max: 600_000,
      integer: true,
    }),
    latency: numberFlag(given, 'latency', defaults.latency, { min: 0, max: 60_000, integer: true }),
  };
  if (options.outageStart >= options.duration) {
    throw new UsageError(
      `--outage-start (${options.outageStart}) must be before the end of the demo (--duration ${options.duration})`,
    );
  }
  return options;
}
