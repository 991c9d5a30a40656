import { VirtualTimeScheduler, asyncScheduler } from 'rxjs';
import type { SchedulerAction, Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, memoryStore } from '../src/index.js';
import type { CircuitState } from '../src/index.js';
import type { StateStoreFactory } from '../src/store/index.js';

/** The longest delay a Node timer keeps; a longer one fires after 1 ms. */
const longestTimer = 2 ** 31 - 1;

/** Virtual time that notes every delay it is asked for. */
class RecordingScheduler extends VirtualTimeScheduler {
  readonly delays: number[] = [];

  constructor() {
    super(undefined, Infinity);
  }

  override schedule<T>(
    work: (this: SchedulerAction<T>, state?: T) => void,
    delay = 0,
    state?: T,
  ): Subscription {
    this.delays.push(delay);
    return super.schedule(work, delay, state);
  }
}

/** The in-memory store, judging the reset timeout by a clock `lag` ms behind the breaker's (as Redis's may be). */
function laggingStore(lag: number): StateStoreFactory {
  const factory = memoryStore();
  return (context) => {
    const store = factory(context);
    return {
      get state() {
        return store.state;
      },
      settle: (now) => store.settle(now - lag),
      acquire: (now) => store.acquire(now - lag),
      release: (permit) => store.release(permit),
      recordSuccess: (permit) => store.recordSuccess(permit),
      recordFailure: (permit, now) => store.recordFailure(permit, now),
      force: (to, now) => store.force(to, now),
      dispose: () => store.dispose(),
    };
  };
}

function watchStates(
  breaker: { state$: { subscribe(next: (state: CircuitState) => void): unknown } },
  now: () => number,
) {
  const seen: [number, CircuitState][] = [];
  breaker.state$.subscribe((state) => seen.push([now(), state]));
  return seen;
}

describe('the half-open timer', () => {
  it('waits out a resetTimeout longer than a Node timer in steps, and turns half-open at the deadline', async () => {
    const scheduler = new RecordingScheduler();
    const resetTimeout = 2 ** 31 + 5_000;
    const breaker = circuitBreaker({ resetTimeout, scheduler, tracer: false, meter: false });
    const states = watchStates(breaker, () => scheduler.now());

    await breaker.open();
    scheduler.flush();

    expect(states).toEqual([
      [0, 'closed'],
      [0, 'open'],
      [resetTimeout, 'half-open'],
    ]);
    expect(Math.max(...scheduler.delays)).toBeLessThanOrEqual(longestTimer);
    breaker.dispose();
  });

  it('is armed again when the store answers "not yet" at the deadline', async () => {
    const scheduler = new RecordingScheduler();
    const lag = 5;
    const breaker = circuitBreaker({
      resetTimeout: 100,
      scheduler,
      store: laggingStore(lag),
      tracer: false,
      meter: false,
    });
    const states = watchStates(breaker, () => scheduler.now());

    await breaker.open();
    scheduler.flush();

    expect(states).toEqual([
      [0, 'closed'],
      [0, 'open'],
      [100 + lag, 'half-open'],
    ]);
    breaker.dispose();
  });

  it('with real timers and a resetTimeout beyond 2^31 - 1 ms: no TimeoutOverflowWarning, no early half-open', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const breaker = circuitBreaker({
        resetTimeout: 2 ** 31 + 60_000,
        scheduler: asyncScheduler,
        tracer: false,
        meter: false,
      });
      const seen: CircuitState[] = [];
      breaker.state$.subscribe((state) => seen.push(state));

      await breaker.open();
      // A clamped timer would fire after 1 ms; warnings are emitted on a later tick.
      await new Promise((resolve) => setTimeout(resolve, 50));

      expect(warnings.map((warning) => warning.name)).not.toContain('TimeoutOverflowWarning');
      expect(seen).toEqual(['closed', 'open']);
      expect(breaker.state).toBe('open');
      breaker.dispose();
    } finally {
      process.off('warning', onWarning);
    }
  });
});
