import type { CircuitBreakersOptions } from './CircuitBreakerGroup.js';

/** Checks the options of `circuitBreakers` (the config function's results are checked per key, on use). */
export function validateGroupOptions<K>(options: CircuitBreakersOptions<K>): void {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('circuitBreakers: options must be an object with a "config" function');
  }
  const { config, idleTimeout, maxSize, scheduler } = options;
  if (typeof config !== 'function') {
    fail(TypeError, 'config', 'a function from a key to a circuit breaker config', config);
  }
  if (idleTimeout !== undefined) {
    if (typeof idleTimeout !== 'number')
      fail(TypeError, 'idleTimeout', 'a number of ms', idleTimeout);
    if (!Number.isFinite(idleTimeout) || idleTimeout <= 0) {
      fail(RangeError, 'idleTimeout', 'a finite number of milliseconds > 0', idleTimeout);
    }
  }
  if (maxSize !== undefined) {
    if (typeof maxSize !== 'number') fail(TypeError, 'maxSize', 'an integer ≥ 1', maxSize);
    if (!Number.isInteger(maxSize) || maxSize < 1) {
      fail(RangeError, 'maxSize', 'an integer ≥ 1', maxSize);
    }
  }
  if (scheduler !== undefined && typeof scheduler.schedule !== 'function') {
    fail(TypeError, 'scheduler', 'an RxJS SchedulerLike', scheduler);
  }
}

function fail(kind: typeof TypeError, option: string, expected: string, value: unknown): never {
  const received =
    typeof value === 'function' ? 'a function' : (JSON.stringify(value) ?? String(value));
  throw new kind(`circuitBreakers: "${option}" must be ${expected}, received ${received}`);
}
