import type { Opening } from './BreakerState.js';
import { invalidInput } from './invalidInput.js';

/**
 * Options of {@link exponentialBackoff}.
 *
 * @public
 */
export interface ExponentialBackoffOptions {
  /** The open time of the first opening, in milliseconds: finite, \> 0. */
  readonly initial: number;
  /** The longest open time, in milliseconds: finite, ≥ `initial`. */
  readonly max: number;
  /** How much each further opening multiplies the open time: finite, ≥ 1. Default 2. */
  readonly factor?: number;
  /**
   * The share of the open time drawn at random, in [0, 1]: the open time is `delay × (1 − jitter × random())`,
   * so processes that tripped together do not all retry at once. Default 0 (no randomness); 1 is full jitter.
   */
  readonly jitter?: number;
  /** Where the randomness comes from: a function returning a number in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

/**
 * A `resetTimeout` that grows with each consecutive opening: `initial × factor^(attempt − 1)`, at most `max`,
 * less a random share when `jitter` is set. It starts over at `initial` once the circuit closes.
 *
 * @example
 * ```ts
 * import { circuitBreaker, exponentialBackoff } from 'rxjs-circuit-breaker';
 *
 * // Open for 1 s, then 2 s, 4 s, ... up to a minute while trial calls keep failing.
 * const breaker = circuitBreaker({
 *   name: 'pricing-api',
 *   resetTimeout: exponentialBackoff({ initial: 1_000, max: 60_000 }),
 * });
 * ```
 * @public
 */
export function exponentialBackoff(
  options: ExponentialBackoffOptions,
): (opening: Opening) => number {
  const { initial, max, factor = 2, jitter = 0, random = Math.random } = checked(options);
  return ({ attempt }) => {
    const delay = Math.min(max, initial * factor ** Math.max(0, attempt - 1));
    return jitter === 0 ? delay : delay * (1 - jitter * random());
  };
}

function checked(options: ExponentialBackoffOptions): ExponentialBackoffOptions {
  const bad = (field: string, expected: string, value: unknown) =>
    invalidInput('exponentialBackoff', field, expected, value);
  if (typeof options !== 'object' || options === null) bad('options', 'an object', options);
  const { initial, max, factor = 2, jitter = 0, random = Math.random, ...unknown } = options;
  for (const [key, value] of Object.entries(unknown)) bad(key, 'absent (unknown option)', value);
  if (!isFinitePositive(initial)) bad('initial', 'a finite number of milliseconds > 0', initial);
  if (!isFinitePositive(max)) bad('max', 'a finite number of milliseconds > 0', max);
  if (max < initial) bad('max', `at least initial (${initial})`, max);
  if (typeof factor !== 'number' || !Number.isFinite(factor) || factor < 1) {
    bad('factor', 'a finite number ≥ 1', factor);
  }
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= 1)) {
    bad('jitter', 'a number in [0, 1]', jitter);
  }
  if (typeof random !== 'function')
    bad('random', 'a function returning a number in [0, 1)', random);
  return options;
}

function isFinitePositive(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0;
}
