import {
  checkOptions,
  countCheck,
  failOption,
  schedulerCheck,
  timerDelayCheck,
} from '../config/checkOptions.js';
import type { Check } from '../config/checkOptions.js';
import type { CircuitBreakersOptions } from './CircuitBreakerGroup.js';

const owner = 'circuitBreakers';

const checks: Readonly<Record<keyof CircuitBreakersOptions<unknown>, Check>> = {
  config: (option, value) => {
    if (typeof value !== 'function') {
      failOption(owner, option, 'a function from a key to a circuit breaker config', value);
    }
  },
  idleTimeout: timerDelayCheck(owner, 'above 0'),
  maxSize: countCheck(owner),
  scheduler: schedulerCheck(owner),
};

/**
 * Checks the options of `circuitBreakers` (an unknown key is an error; the config function's results are
 * checked per key, on use).
 */
export function validateGroupOptions<K>(options: CircuitBreakersOptions<K>): void {
  checkOptions(owner, '"options"', options, checks);
  checks.config('config', options.config); // required: its check refuses undefined too
}
