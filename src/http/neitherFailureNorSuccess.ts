import type { CircuitBreakerConfig } from '../config/CircuitBreakerConfig.js';

/**
 * The config that makes the errors `isNeither` holds for count as neither failure nor success (the `ignore`
 * outcome): such an error reaches the subscriber, moves no counter and frees a half-open trial slot.
 */
export function neitherFailureNorSuccess(
  isNeither: (error: unknown) => boolean,
): Pick<CircuitBreakerConfig, 'ignore'> {
  return { ignore: [isNeither] };
}
