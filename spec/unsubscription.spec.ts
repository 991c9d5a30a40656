import { Subject, concat, firstValueFrom, map, of, take, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, memoryStore } from '../src/index.js';
import type { CircuitBreakerEvent } from '../src/index.js';
import type { StateStoreFactory } from '../src/store/index.js';
import { marbles } from './marbles.js';
import { trialsBusy, tripped } from './support/breakerErrors.js';
import { probe } from './support/probe.js';
import { states } from './support/states.js';

const boom = new Error('boom');

// prettier-ignore
describe('unsubscription', () => {
  it('counts a call unsubscribed after it delivered a value as a success (take(1))', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 2, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const chatty = m.cold('    -a-b-#', undefined, boom);
    const reads =            ' --x-x-x';

    m.expect(failing.pipe(breaker), ' ^      ').toBeObservable(' -#     ', undefined, boom);
    m.expect(chatty.pipe(breaker, take(1)), ' --^ ').toBeObservable(' ---(a|)');
    m.expect(failing.pipe(breaker), ' ----^  ').toBeObservable(' -----# ', undefined, boom);
    m.expect(chatty).toHaveSubscriptions(' --^!');
    m.expect(breaker.success$).toBeObservable(' ---a', { a: { type: 'success', time: 3, duration: 1 } });
    m.expect(breaker.failure$.pipe(map((event) => event.failCounter))).toBeObservable(' -a---a', { a: 1 });
    m.expect(probe(m, reads, () => breaker.failCounter)).toBeObservable(' --a-z-a', { z: 0, a: 1 });
  }));

  it('does not count a call unsubscribed before it delivered anything', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 2, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const slow = m.cold('      -----a|');
    const reads =            ' --x---x';

    m.expect(breaker.events$).toBeObservable(' abc--d', {
      a: { type: 'call', time: 0, trial: false },
      b: { type: 'failure', time: 1, error: boom, failCounter: 1, duration: 1 },
      c: { type: 'call', time: 2, trial: false },
      d: { type: 'cancelled', time: 5, duration: 3 },
    } as Record<string, CircuitBreakerEvent>);
    m.expect(failing.pipe(breaker), ' ^     ').toBeObservable(' -#    ', undefined, boom);
    m.expect(slow.pipe(breaker), '    --^--!').toBeObservable(' ------');
    m.expect(slow).toHaveSubscriptions(' --^--!');
    m.expect(probe(m, reads, () => breaker.failCounter)).toBeObservable(' --a---a', { a: 1 });
  }));

  it('gives a half-open trial slot back when the trial is unsubscribed before any value', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 3, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const slow = m.cold('      -----a|');
    const working = m.cold('   -a|');

    m.expect(failing.pipe(breaker), ' ^          ').toBeObservable(' -#         ', undefined, tripped);
    m.expect(slow.pipe(breaker), '    ----^-!    ').toBeObservable(' -----------');
    m.expect(working.pipe(breaker), ' -----^     ').toBeObservable(' -----#     ', undefined, trialsBusy);
    m.expect(working.pipe(breaker), ' -------^   ').toBeObservable(' --------a| ');
    m.expect(working).toHaveSubscriptions(' -------^-!');
    m.expect(breaker.state$).toBeObservable(' co--h----c', states);
  }));

  it('counts a half-open trial unsubscribed after a value as a trial success', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 3, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const chatty = m.cold('    -a-b|');

    m.expect(failing.pipe(breaker), ' ^      ').toBeObservable(' -#     ', undefined, tripped);
    m.expect(chatty.pipe(breaker, take(1)), ' ----^').toBeObservable(' -----(a|)');
    m.expect(breaker.state$).toBeObservable(' co--hc', states);
  }));

  it('counts a success when the subscriber leaves after a value even if a synchronous source errors next', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, scheduler: m.scheduler });
    const valueThenError = concat(of('a'), throwError(() => boom));

    m.expect(breaker.success$).toBeObservable(' a', { a: { type: 'success', time: 0, duration: 0 } });
    m.expect(breaker.failure$).toBeObservable(' -');
    m.expect(breaker.state$).toBeObservable(' c', states);
    m.expect(valueThenError.pipe(breaker, take(1))).toBeObservable('(a|)');
  }));
});

describe('firstValueFrom', () => {
  it('counts the call as a success once the first value arrives', async () => {
    const breaker = circuitBreaker({ failMax: 2 });
    const successes: unknown[] = [];
    breaker.success$.subscribe((event) => successes.push(event.type));
    const response = new Subject<string>();

    throwError(() => boom)
      .pipe(breaker)
      .subscribe({ error: () => undefined });
    expect(breaker.failCounter).toBe(1);

    const first = firstValueFrom(response.pipe(breaker));
    response.next('ok');
    await expect(first).resolves.toBe('ok');
    expect(successes).toEqual(['success']);
    expect(breaker.failCounter).toBe(0);
    expect(response.observed).toBe(false);
    breaker.dispose();
  });
});

/** The in-memory rules, answered through promises the way a networked store (Redis) answers. */
const asynchronousMemoryStore: StateStoreFactory = (context) => {
  const store = memoryStore()(context);
  return {
    get state() {
      return store.state;
    },
    settle: (now) => Promise.resolve(store.settle(now)),
    acquire: (now) => Promise.resolve(store.acquire(now)),
    release: (permit) => store.release(permit),
    recordSuccess: (permit, now, duration) =>
      Promise.resolve(store.recordSuccess(permit, now, duration)),
    recordFailure: (permit, now, duration, error) =>
      Promise.resolve(store.recordFailure(permit, now, duration, error)),
    force: (to, now) => Promise.resolve(store.force(to, now)),
    snapshot: (now) => store.snapshot(now),
    dispose: () => store.dispose(),
  };
};

describe('unsubscription with an asynchronous store', () => {
  it('stops a source that goes on after the subscriber left during its first, synchronous value', async () => {
    const breaker = circuitBreaker({ store: asynchronousMemoryStore });
    const successes: unknown[] = [];
    breaker.success$.subscribe((event) => successes.push(event.type));
    const rest = new Subject<number>();

    await expect(firstValueFrom(concat(of(1), rest).pipe(breaker))).resolves.toBe(1);
    expect(rest.observed).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(successes).toEqual(['success']);
    breaker.dispose();
  });
});
