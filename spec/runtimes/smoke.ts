// The smoke test every runtime runs (Node, Bun, Deno, Chromium): it imports nothing from the package itself but
// receives it, so each runtime can load the built package its own way, and returns what it saw as plain data for
// the spec to compare with `expectedSmoke`. Real-time steps assert only what holds at any speed.
import { defer, filter, firstValueFrom, of, throwError, timeout } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type * as Package from '../../src/index.js';

export type Library = Pick<typeof Package, 'circuitBreaker' | 'isCircuitBreakerError'>;

/** The trip, refusal and recovery on real timers, then the same timing on virtual time. */
export async function smoke(library: Library): Promise<SmokeReport> {
  return { ...(await onRealTimers(library)), virtualTime: onVirtualTime(library) };
}

export type SmokeReport = Awaited<ReturnType<typeof onRealTimers>> & {
  readonly virtualTime: ReturnType<typeof onVirtualTime>;
};

const failMax = 3;
const resetTimeout = 300;

async function onRealTimers({ circuitBreaker, isCircuitBreakerError }: Library) {
  const breaker = circuitBreaker({
    name: 'smoke',
    failMax,
    resetTimeout,
    tracer: false,
    meter: false,
  });
  const states: string[] = [];
  const events: string[] = [];
  breaker.state$.subscribe((state) => states.push(state));
  breaker.events$.subscribe((event) => events.push(event.type));
  const outcome = (call: Promise<unknown>) =>
    call.then(
      () => 'success',
      (error: unknown) => (isCircuitBreakerError(error) ? 'CircuitBreakerError' : 'error'),
    );
  // The trip and the refusal are subscribed in one synchronous run, so a slow machine cannot let the reset
  // timeout pass between them.
  const statesAfterFailures: string[] = [];
  const beforeTrip = Date.now();
  for (let i = 0; i < failMax; i++) {
    throwError(() => new Error('down'))
      .pipe(breaker)
      .subscribe({ error: () => statesAfterFailures.push(breaker.state) });
  }
  let subscribed = 0;
  const counted = defer(() => {
    subscribed++;
    return of('up');
  });
  const stackTraceLimit = Error.stackTraceLimit;
  const refused = firstValueFrom(counted.pipe(breaker));
  const stackTraceLimitKept = Error.stackTraceLimit === stackTraceLimit;
  const refusal = await outcome(refused);
  // A refusal is built without a stack trace (the runtime's limit is set to a non-number around it): it has none.
  const refusalStackType = await refused.catch((error: unknown) => typeof (error as Error).stack);
  const subscribedWhileOpen = subscribed;

  await firstValueFrom(
    breaker.state$.pipe(
      filter((state) => state === 'half-open'),
      timeout(30_000),
    ),
  );
  // Timers may fire a millisecond early against Date.now(): the bound allows that, never more.
  const halfOpenAfterResetTimeout = Date.now() - beforeTrip >= resetTimeout - 2;
  const trial = await outcome(firstValueFrom(counted.pipe(breaker)));
  const afterTrial = { state: breaker.state, subscribed };
  breaker.dispose();
  return {
    statesAfterFailures,
    refusal,
    refusalStackType,
    stackTraceLimitKept,
    subscribedWhileOpen,
    halfOpenAfterResetTimeout,
    trial,
    afterTrial,
    states,
    events,
  };
}

/** The same story on a TestScheduler: half-open exactly `resetTimeout` frames after the trip. */
function onVirtualTime({ circuitBreaker }: Library) {
  const mismatches: unknown[] = [];
  const scheduler = new TestScheduler((actual, expected) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) mismatches.push({ actual, expected });
  });
  scheduler.run(({ cold, expectObservable }) => {
    const breaker = circuitBreaker({ name: 'virtual', failMax: 2, resetTimeout: 5, scheduler });
    const letters = { c: 'closed', o: 'open', h: 'half-open' };
    cold('-#')
      .pipe(breaker)
      .subscribe({ error: () => {} });
    cold('--#')
      .pipe(breaker)
      .subscribe({ error: () => {} });
    const trial = cold('-a|').pipe(breaker);
    expectObservable(breaker.state$).toBe('c-o----h-c', letters);
    expectObservable(trial, '-------^').toBe('--------a|');
  });
  return { mismatches };
}

export const expectedSmoke: SmokeReport = {
  statesAfterFailures: ['closed', 'closed', 'open'],
  refusal: 'CircuitBreakerError',
  refusalStackType: 'undefined',
  stackTraceLimitKept: true,
  subscribedWhileOpen: 0,
  halfOpenAfterResetTimeout: true,
  trial: 'success',
  afterTrial: { state: 'closed', subscribed: 1 },
  states: ['closed', 'open', 'half-open', 'closed'],
  events: [
    ...['call', 'failure', 'call', 'failure', 'call', 'failure', 'transition'],
    ...['rejected', 'transition', 'call', 'success', 'transition'],
  ],
  virtualTime: { mismatches: [] },
};
