import type { CircuitBreaker } from '../breaker/circuitBreaker.js';
import type { AdminControl } from './AdminHandlerOptions.js';

/** What each control does to a breaker. A new control is one entry here and one in the type. */
export const controls: Readonly<Record<AdminControl, (breaker: CircuitBreaker) => Promise<void>>> =
  {
    open: (breaker) => breaker.open(),
    close: (breaker) => breaker.close(),
    'half-open': (breaker) => breaker.halfOpen(),
    isolate: (breaker) => breaker.isolate(),
    disable: (breaker) => breaker.disable(),
  };

export function isControl(name: string): name is AdminControl {
  return Object.hasOwn(controls, name);
}
