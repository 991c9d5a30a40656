import { VirtualTimeScheduler, map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { CircuitBreakerError, circuitBreaker } from '../src/index.js';
import { marbles } from './marbles.js';
import { at } from './support/at.js';
import { tripped } from './support/breakerErrors.js';
import { states } from './support/states.js';

const boom = new Error('boom');
const disposed = new CircuitBreakerError('disposed', 'db', 'closed');

// prettier-ignore
describe('dispose()', () => {
  it('completes every stream', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 50, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);

    at(m, '                    ------x', () => breaker.dispose());
    m.expect(breaker.events$.pipe(map((event) => event.type))).toBeObservable(' c(ft)-|', { c: 'call', f: 'failure', t: 'transition' });
    m.expect(failing.pipe(breaker)).toBeObservable(' -#', undefined, tripped);
    m.expect(breaker.state$).toBeObservable(     ' co----|', states);
    m.expect(breaker.transition$).toBeObservable(' -a----|', { a: { from: 'closed', to: 'open', reason: 'failure_threshold', retryAt: 51 } });
    m.expect(breaker.failure$).toBeObservable(   ' -a----|', { a: { type: 'failure', time: 1, error: boom, failCounter: 1, duration: 1 } });
    m.expect(breaker.success$).toBeObservable(   ' ------|');
    m.expect(breaker.rejected$).toBeObservable(  ' ------|');
    m.expect(breaker.state$, '                     -------^').toBeObservable(' -------(o|)', states);
  }));

  it('refuses every later call without subscribing its source', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', scheduler: m.scheduler });
    const working = m.cold('   -a|');

    at(m, '                    --x', () => breaker.dispose());
    m.expect(working.pipe(breaker), ' ^  ').toBeObservable(' -a|', { a: 'a' });
    m.expect(working.pipe(breaker), ' ---^').toBeObservable(' ---#', undefined, disposed);
    m.expect(working).toHaveSubscriptions(' ^-!');
  }));

  it('still delivers the outcome of a call that was running', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', scheduler: m.scheduler });
    const slow = m.cold('      ---#', undefined, boom);

    at(m, '                    -x', () => breaker.dispose());
    m.expect(slow.pipe(breaker)).toBeObservable(' ---#', undefined, boom);
  }));

  it('records no outcome of a call that was running: it cannot trip the circuit after dispose()', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, scheduler: m.scheduler, failWhen: (v) => v === 'bad' });
    const slow = m.cold('      ---#', undefined, boom);
    const badValue = m.cold('  --b|', { b: 'bad' });
    const working = m.cold('   -a|');

    at(m, '                    -x', () => breaker.dispose());
    m.expect(slow.pipe(breaker)).toBeObservable(     ' ---#', undefined, boom);
    m.expect(badValue.pipe(breaker)).toBeObservable( ' --b|', { b: 'bad' });
    m.expect(working.pipe(breaker), '    -----^').toBeObservable(' -----#', undefined, disposed);
    at(m, '                    ------x', () => expect(breaker.snapshot()).toMatchObject({ state: 'closed', failCounter: 0 }));
  }));
});

describe('dispose() called twice', () => {
  it('does nothing the second time', () => {
    const breaker = circuitBreaker();
    let completions = 0;
    breaker.events$.subscribe({ complete: () => completions++ });
    breaker.dispose();
    expect(() => breaker.dispose()).not.toThrow();
    expect(completions).toBe(1);
  });
});

describe('manual transitions after dispose()', () => {
  it.each(['open', 'close', 'halfOpen', 'isolate', 'disable'] as const)(
    '%s() rejects with a disposed refusal and moves nothing, now or later',
    async (method) => {
      const scheduler = new VirtualTimeScheduler();
      const breaker = circuitBreaker({ name: 'db', resetTimeout: 100, scheduler });
      const states: string[] = [];
      breaker.state$.subscribe((state) => states.push(state));
      breaker.dispose();

      await expect(breaker[method]()).rejects.toEqual(
        new CircuitBreakerError('disposed', 'db', 'closed'),
      );
      scheduler.flush();
      expect(breaker.state).toBe('closed');
      expect(states).toEqual(['closed']);
    },
  );
});
