import { describeValue } from '../core/invalidInput.js';
import { longestDuration, longestDurationText } from '../core/longestDuration.js';

/** Checks one option's value; throws an error naming the option when the value is wrong. */
export type Check = (option: string, value: unknown) => void;

/**
 * Checks every option of an options object against `checks`: an unknown key is an error that suggests the closest
 * known name, and each known option set to something other than `undefined` is checked.
 *
 * @param owner - The function the options are for (`circuitBreaker`, `redisStore`): every message starts with it.
 * @param what - What the object is called in messages (`config`, `"options"`).
 */
export function checkOptions<K extends string>(
  owner: string,
  what: string,
  options: unknown,
  checks: Readonly<Record<K, Check>>,
): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${owner}: ${what} must be an object, received ${describeValue(options)}`);
  }
  for (const [option, value] of Object.entries(options)) {
    // Own keys only: `toString`, `constructor` or a `__proto__` from JSON.parse are unknown options, not the
    // members of Object.prototype that `checks[option]` would find.
    if (!Object.hasOwn(checks, option)) {
      throw new TypeError(`${owner}: unknown option "${option}"${suggestion(option, checks)}`);
    }
    if (value !== undefined) checks[option as K](option, value);
  }
}

/** Throws the error for an option whose value is wrong. */
export function failOption(
  owner: string,
  option: string,
  expected: string,
  value: unknown,
  kind: typeof TypeError = TypeError,
): never {
  throw new kind(`${owner}: "${option}" must be ${expected}, received ${describeValue(value)}`);
}

/** The longest delay a JavaScript timer waits: beyond it, Node and browsers fire it after 1 ms instead. */
export const longestTimerDelay = 2 ** 31 - 1;

/**
 * A check for an option that sets a timer's delay: a number of milliseconds, above 0 (or at least 0), and at most
 * {@link longestTimerDelay} (about 24.8 days).
 */
export function timerDelayCheck(owner: string, minimum: Minimum): Check {
  const bound = `${longestTimerDelay} (about 24.8 days, the longest a timer waits)`;
  return millisecondsCheck(owner, minimum, longestTimerDelay, bound);
}

/**
 * A check for a duration: a number of milliseconds, above 0 (or at least 0), and at most {@link longestDuration}
 * (100 years). `alternative` names what else the option accepts (checked by the caller).
 */
export function durationCheck(owner: string, minimum: Minimum, alternative?: string): Check {
  return millisecondsCheck(owner, minimum, longestDuration, longestDurationText, alternative);
}

type Minimum = 'above 0' | 'at least 0';

function millisecondsCheck(
  owner: string,
  minimum: Minimum,
  maximum: number,
  /** The maximum as messages state it. */
  bound: string,
  alternative?: string,
): Check {
  const lowest = minimum === 'above 0' ? '> 0' : '≥ 0';
  const expected = `a number of milliseconds ${lowest} and ≤ ${bound}${alternative ? `, ${alternative}` : ''}`;
  return (option, value) => {
    if (typeof value !== 'number') failOption(owner, option, expected, value);
    const tooLow = minimum === 'above 0' ? value <= 0 : value < 0;
    if (Number.isNaN(value) || tooLow || value > maximum) {
      failOption(owner, option, expected, value, RangeError);
    }
  };
}

/** A check for a count: an integer ≥ 1, and at most `maximum` when one is given. */
export function countCheck(owner: string, maximum = Number.POSITIVE_INFINITY): Check {
  const expected = maximum === Infinity ? 'an integer ≥ 1' : `an integer ≥ 1 and ≤ ${maximum}`;
  return (option, value) => {
    if (typeof value !== 'number') failOption(owner, option, expected, value);
    if (!Number.isInteger(value) || value < 1 || value > maximum) {
      failOption(owner, option, expected, value, RangeError);
    }
  };
}

/** A check for an RxJS scheduler: an object with `schedule` and `now`. */
export function schedulerCheck(owner: string): Check {
  return (option, value) => {
    if (!hasMethods(value, ['schedule', 'now'])) {
      failOption(owner, option, 'an RxJS SchedulerLike', value);
    }
  };
}

/** Whether `value` is an object with each of `methods` (a structural check). */
export function hasMethods(value: unknown, methods: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return methods.every(
    (method) => typeof (value as Record<string, unknown>)[method] === 'function',
  );
}

/** Names the known option closest to a typo (at most two edits away, ignoring case). */
function suggestion(option: string, checks: object): string {
  const typo = option.toLowerCase();
  const known = Object.keys(checks).find((key) => editDistance(key.toLowerCase(), typo) <= 2);
  return known ? ` (did you mean "${known}"?)` : '';
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
