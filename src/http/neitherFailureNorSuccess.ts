import type { CircuitBreakerConfig } from '../config/CircuitBreakerConfig.js';

/**
 * The config that makes the errors `isNeither` holds for count as neither failure nor success.
 *
 * @remarks
 * Until the neutral `ignore` outcome lands (issue 10), the closest behaviour is `exclude`: such an error still
 * reaches the subscriber and never opens the circuit, but counts as a success (it resets `failCounter`, and
 * closes a half-open circuit). This is the one place to switch to `{ ignore: [isNeither] }`.
 */
export function neitherFailureNorSuccess(
  isNeither: (error: unknown) => boolean,
): Pick<CircuitBreakerConfig, 'exclude'> {
  return { exclude: [isNeither] };
}
