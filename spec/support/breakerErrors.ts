// The errors the specs' breakers (all named 'db') raise, as marble assertions expect them. rxjs-marbles
// compares an error notification by the error's name and message only.
import { CircuitBreakerError } from '../../src/index.js';

/** The failure that reached failMax, as the caller receives it. */
export const tripped = new CircuitBreakerError('tripped', 'db', 'open');
/** A call refused while the circuit is open. */
export const stillOpen = new CircuitBreakerError('open', 'db', 'open');
/** A failed trial call, which opens the circuit again. */
export const trialFailed = new CircuitBreakerError('trial-failed', 'db', 'open');
/** A call refused in half-open while the trial calls are in progress. */
export const trialsBusy = new CircuitBreakerError('trials-busy', 'db', 'half-open');
/** A call refused while the circuit is held open by isolate(). */
export const isolatedRefusal = new CircuitBreakerError('isolated', 'db', 'isolated');
