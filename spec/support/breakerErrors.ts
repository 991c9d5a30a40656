// The errors the specs' breakers (all named 'db') raise, as marble assertions expect them. rxjs-marbles
// compares an error notification by the error's name and message only.
import { CircuitBreakerError } from '../../src/index.js';

const error = (message: string, state: 'open' | 'half-open' = 'open') =>
  new CircuitBreakerError(message, 'db', state);

/** The failure that reached failMax, as the caller receives it. */
export const tripped = error('Failures threshold reached, circuit breaker opened');
/** A call refused while the circuit is open. */
export const stillOpen = error('Timeout not elapsed yet, circuit breaker still open');
/** A failed trial call, which opens the circuit again. */
export const trialFailed = error('Trial call failed, circuit breaker opened');
/** A call refused in half-open while the trial calls are in progress. */
export const trialsBusy = error('Trial calls in progress, circuit breaker half-open', 'half-open');
