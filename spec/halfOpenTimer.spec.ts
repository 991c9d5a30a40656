import { VirtualTimeScheduler, asyncScheduler } from 'rxjs';
import type { SchedulerAction, Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, memoryStore } from '../src/index.js';
import type { CircuitBreakerConfig, CircuitState } from '../src/index.js';
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
      recordSuccess: (permit, now, duration) => store.recordSuccess(permit, now, duration),
      recordFailure: (permit, now, duration, error) =>
        store.recordFailure(permit, now, duration, error),
      force: (to, now) => store.force(to, now),
      snapshot: (now) => store.snapshot(now),
      dispose: () => store.dispose(),
    };
  };
}

/** Opens a breaker on virtual time and runs the clock out: the states it went through (with when), the delays. */
async function afterOpening(config: CircuitBreakerConfig) {
  const scheduler = new RecordingScheduler();
  const breaker = circuitBreaker({ ...config, scheduler, tracer: false, meter: false });
  const states: [number, CircuitState][] = [];
  breaker.state$.subscribe((state) => states.push([scheduler.now(), state]));
  await breaker.open();
  scheduler.flush();
  breaker.dispose();
  return { states, delays: scheduler.delays };
}

describe('the half-open timer', () => {
  it('waits out a resetTimeout longer than a Node timer in steps, and turns half-open at the deadline', async () => {
    const resetTimeout = 2 ** 31 + 5_000;
    const { states, delays } = await afterOpening({ resetTimeout });

    expect(states).toEqual([
      [0, 'closed'],
      [0, 'open'],
      [resetTimeout, 'half-open'],
    ]);
    expect(Math.max(...delays)).toBeLessThanOrEqual(longestTimer);
  });

  it('is armed again when the store answers "not yet" at the deadline', async () => {
    const lag = 5;
    const { states } = await afterOpening({ resetTimeout: 100, store: laggingStore(lag) });

    expect(states).toEqual([
      [0, 'closed'],
      [0, 'open'],
      [100 + lag, 'half-open'],
    ]);
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
