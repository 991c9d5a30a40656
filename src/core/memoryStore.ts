import type { CircuitState } from './CircuitState.js';
import type { BreakerSettings, BreakerState } from './BreakerState.js';
import { initialState } from './BreakerState.js';
import * as machine from './stateMachine.js';
import type { Permit } from './stateMachine.js';
import type { StateStore, StateStoreFactory } from './StateStore.js';

/**
 * The default store: the state lives in this process only, and every answer is synchronous.
 *
 * @param initial - The state to start from (default: closed, no failures).
 *
 * @example
 * ```ts
 * import { asyncScheduler } from 'rxjs';
 * import { circuitBreaker, memoryStore } from 'rxjs-circuit-breaker';
 *
 * // Start open, as a process restarted during an outage might (the reset timeout counts from openedAt,
 * // in the breaker scheduler's time).
 * const openedAt = asyncScheduler.now();
 * const breaker = circuitBreaker({
 *   name: 'search',
 *   store: memoryStore({ name: 'open', generation: 0, failCounter: 5, openedAt }),
 * });
 * ```
 * @public
 */
export function memoryStore(initial: BreakerState = initialState): StateStoreFactory {
  return (context) => new MemoryStore(context.settings, initial);
}

class MemoryStore implements StateStore {
  constructor(
    private readonly settings: BreakerSettings,
    public state: BreakerState,
  ) {}

  settle(now: number) {
    return this.keep(machine.settle(this.state, now, this.settings));
  }

  acquire(now: number) {
    return this.keep(machine.acquire(this.state, now, this.settings));
  }

  release(permit: Permit) {
    this.state = machine.release(this.state, permit);
  }

  recordSuccess(permit: Permit) {
    return this.keep(machine.recordSuccess(this.state, permit, this.settings));
  }

  recordFailure(permit: Permit, now: number) {
    return this.keep(machine.recordFailure(this.state, permit, now, this.settings));
  }

  force(to: CircuitState, now: number) {
    return this.keep(machine.force(this.state, to, now));
  }

  dispose() {
    // Nothing runs in the background.
  }

  private keep<S extends machine.Step>(step: S): S {
    this.state = step.state;
    return step;
  }
}
