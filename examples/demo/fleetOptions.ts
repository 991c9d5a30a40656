import { UsageError, numberFlag, parseFlags } from './cliOptions.js';
import { parseScenarioOptions, scenarioFlags } from './scenarioOptions.js';
import type { ScenarioOptions } from './scenarioOptions.js';

/** The settings of `npm run demo:fleet`. */
export interface FleetOptions extends ScenarioOptions {
  /** Calls per second of each worker; there is one worker per entry. */
  readonly rates: readonly number[];
}

export const fleetDefaults: FleetOptions = {
  rates: [10, 2, 2],
  duration: 16,
  outageStart: 4,
  outageLength: 6,
  failMax: 3,
  resetTimeout: 2000,
  latency: 0,
};

export const fleetUsage = `Usage: npm run demo:fleet [-- options]

Starts its own redis-server on a free loopback port, a flaky HTTP service, and worker processes that call
it through one circuit breaker shared in Redis (rxjs-circuit-breaker/redis). The busy first worker meets
the outage first; its failures open the circuit for every worker. Needs redis-server on the PATH.

Options:
  --rates LIST          calls per second of each worker, comma-separated, 2 to 5 workers, each 1 to 20
                        (default ${fleetDefaults.rates.join(',')})
  --duration S          seconds the demo runs (default ${fleetDefaults.duration})
  --outage-start S      second at which the service starts answering 503 (default ${fleetDefaults.outageStart})
  --outage-length S     seconds the outage lasts (default ${fleetDefaults.outageLength})
  --fail-max N          consecutive failures, across all workers, that open the circuit (default ${fleetDefaults.failMax})
  --reset-timeout MS    milliseconds the circuit stays open before a trial call (default ${fleetDefaults.resetTimeout})
  --latency MS          milliseconds the service takes to answer each request (default ${fleetDefaults.latency})
  -h, --help            show this help

Colour is used when stdout is a terminal and NO_COLOR is not set; piped output is plain text.
`;

/** Reads the fleet demo's command line; a bad option is a {@link UsageError} that names it. */
export function parseFleetOptions(argv: readonly string[]): FleetOptions | 'help' {
  const given = parseFlags(argv, ['rates', ...scenarioFlags]);
  if (given === 'help') return 'help';
  return {
    rates: given.rates === undefined ? fleetDefaults.rates : parseRates(given.rates),
    ...parseScenarioOptions(given, fleetDefaults),
  };
}

function parseRates(raw: string): number[] {
  const parts = raw.split(',');
  if (parts.length < 2 || parts.length > 5) {
    throw new UsageError(
      `--rates must list 2 to 5 workers' calls per second, like 10,2,2; got "${raw}"`,
    );
  }
  return parts.map((part) =>
    numberFlag({ rates: part }, 'rates', 0, { min: 1, max: 20, integer: true }),
  );
}
