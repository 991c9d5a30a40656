import { failOption } from '../config/checkOptions.js';
import type { HttpBreakerOptions } from './HttpBreakerOptions.js';

/** Config options an interceptor sets itself, and why (in the error for a user who sets one). */
const setByInterceptor: Readonly<Record<string, string>> = {
  name: 'each breaker is named by its key',
  ignore: 'the statuses that are no failure are its ignore rule',
};

/**
 * Splits an interceptor's options into its `key` function and the settings of its breakers, checking what the
 * breaker config does not: the options object itself, `key`, and the config options the interceptor sets.
 *
 * @param owner - The interceptor, as error messages name it.
 */
export function interceptorOptions<Key extends (request: never) => string>(
  owner: string,
  options: unknown,
  defaultKey: Key,
): { key: Key; settings: HttpBreakerOptions } {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    failOption(owner, 'options', 'an object', options);
  }
  const { key = defaultKey, ...settings } = options as Record<string, unknown>;
  if (typeof key !== 'function') {
    failOption(owner, 'key', "a function of the request that returns its breaker's key", key);
  }
  for (const [option, reason] of Object.entries(setByInterceptor)) {
    if (option in settings) failOption(owner, option, `absent (${reason})`, settings[option]);
  }
  return { key: key as Key, settings };
}
