import type { BreakerSnapshot } from './BreakerSnapshot.js';
import { snapshotOf } from './BreakerSnapshot.js';
import type { BreakerSettings, BreakerState } from './BreakerState.js';
import { initialState } from './BreakerState.js';
import type { CircuitState } from './CircuitState.js';
import { invalidInput } from './invalidInput.js';
import { longestDuration, longestDurationText } from './longestDuration.js';
import { createWindow, windowFigures } from './OutcomeWindow.js';
import type { OutcomeWindow } from './OutcomeWindow.js';
import type { InitialState, Restored } from './restoreSnapshot.js';
import { restoreSnapshot } from './restoreSnapshot.js';
import * as machine from './stateMachine.js';
import type { Permit } from './stateMachine.js';
import type { StateStore, StateStoreFactory, StoreContext } from './StateStore.js';

/**
 * Options of {@link memoryStore}.
 *
 * @public
 */
export interface MemoryStoreOptions {
  /**
   * Milliseconds a half-open trial call keeps its slot if it never ends (a hung call): after that the slot is free
   * for another trial, as with the Redis store. Greater than 0, at most 100 years. Default 30000.
   */
  readonly trialPermitTtl?: number;
}

/** Default {@link MemoryStoreOptions.trialPermitTtl}, the Redis store's default too. */
export const defaultTrialPermitTtl = 30_000;

/**
 * The default store: the state lives in this process only, and every answer is synchronous.
 *
 * @param initial - What to start from: a breaker's `snapshot()` (e.g. saved across a restart), or a state as
 *   version 0.1 took it. Default: closed, no failures. It is checked when the breaker is created: bad input throws
 *   an error naming the field. A restored open circuit whose `retryAt` has passed is half-open at once; until then
 *   a numeric `resetTimeout` is read live, as pybreaker does (the opening lasts that long from `openedAt`).
 * @param options - See {@link MemoryStoreOptions}.
 *
 * @example
 * ```ts
 * import { asyncScheduler } from 'rxjs';
 * import { circuitBreaker, memoryStore } from 'rxjs-circuit-breaker';
 *
 * // Start open, as a process restarted during an outage might (times are the breaker scheduler's).
 * const openedAt = asyncScheduler.now();
 * const breaker = circuitBreaker({
 *   name: 'search',
 *   store: memoryStore({
 *     name: 'search',
 *     state: 'open',
 *     failCounter: 5,
 *     successCounter: 0,
 *     openedAt,
 *     retryAt: openedAt + 60_000,
 *     attempt: 1,
 *   }),
 * });
 * ```
 * @public
 */
export function memoryStore(
  initial?: InitialState,
  options: MemoryStoreOptions = {},
): StateStoreFactory {
  const trialPermitTtl = checkTrialPermitTtl(options);
  return (context) => {
    const restored: Restored = initial
      ? restoreSnapshot(initial, context.name, context.scheduler.now(), context.settings)
      : { state: initialState };
    return new MemoryStore(context, restored, trialPermitTtl);
  };
}

function checkTrialPermitTtl(options: MemoryStoreOptions): number {
  if (typeof options !== 'object' || options === null) {
    invalidInput('memoryStore', 'options', 'an object', options, TypeError);
  }
  const { trialPermitTtl = defaultTrialPermitTtl, ...unknown } = options;
  for (const [key, value] of Object.entries(unknown)) {
    invalidInput('memoryStore', key, 'absent (unknown option)', value, TypeError);
  }
  if (
    typeof trialPermitTtl !== 'number' ||
    !(trialPermitTtl > 0 && trialPermitTtl <= longestDuration)
  ) {
    invalidInput(
      'memoryStore',
      'trialPermitTtl',
      `a number of milliseconds > 0 and ≤ ${longestDurationText}`,
      trialPermitTtl,
    );
  }
  return trialPermitTtl;
}

class MemoryStore implements StateStore {
  state: BreakerState;
  private readonly name: string;
  private readonly settings: BreakerSettings;
  private readonly window: OutcomeWindow | undefined;

  constructor(
    // Not kept: the store needs its name and settings only (and the context's closures are memory per breaker).
    context: StoreContext,
    restored: Restored,
    private readonly trialPermitTtl: number,
  ) {
    this.name = context.name;
    this.settings = context.settings;
    this.state = restored.state;
    this.window = createWindow(this.settings);
    const counting = this.state.name === 'closed' || this.state.name === 'disabled';
    if (restored.window && counting) this.window?.refill(context.scheduler.now(), restored.window);
  }

  settle(now: number) {
    return this.keep(machine.settle(this.state, now, this.settings));
  }

  acquire(now: number) {
    return this.keep(machine.acquire(this.state, now, this.settings, this.trialPermitTtl));
  }

  release(permit: Permit) {
    this.state = machine.release(this.state, permit);
  }

  recordSuccess(permit: Permit, now: number, duration: number) {
    const { state, settings, window } = this;
    return this.keep(machine.recordSuccess(state, permit, settings, now, duration, window));
  }

  recordFailure(permit: Permit, now: number, duration: number, error: unknown) {
    const { state, settings, window } = this;
    return this.keep(machine.recordFailure(state, permit, now, settings, duration, error, window));
  }

  force(to: CircuitState, now: number) {
    return this.keep(machine.force(this.state, to, now, this.settings));
  }

  snapshot(now: number): BreakerSnapshot {
    const { name, state, settings, window } = this;
    return snapshotOf(name, state, now, settings, window && windowFigures(window, now));
  }

  dispose() {
    // Nothing runs in the background.
  }

  private keep<S extends machine.Step>(step: S): S {
    this.state = step.state;
    // The window holds the outcomes of the current state only.
    if (step.transition) this.window?.reset();
    return step;
  }
}
