import { describe, expect, it } from 'vitest';
import { circuitBreaker } from '../src/index.js';
import { marbles } from './marbles.js';
import { at } from './support/at.js';
import { stillOpen, trialsBusy, tripped } from './support/breakerErrors.js';
import { probe } from './support/probe.js';
import { states } from './support/states.js';

const boom = new Error('boom');

// prettier-ignore
describe('settings changed on a live breaker', () => {
  it('failMax: the next failure is judged against the new value', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 5, resetTimeout: 100, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const reads =            ' x---x';

    at(m, '                    ---x', () => (breaker.failMax = 3));
    m.expect(probe(m, reads, () => breaker.failMax)).toBeObservable(' a---b', { a: 5, b: 3 });
    m.expect(failing.pipe(breaker), ' ^     ').toBeObservable(' -#    ', undefined, boom);
    m.expect(failing.pipe(breaker), ' -^    ').toBeObservable(' --#   ', undefined, boom);
    m.expect(failing.pipe(breaker), ' ----^ ').toBeObservable(' -----#', undefined, tripped);
    m.expect(breaker.state$).toBeObservable(' c----o 99ms h', states);
  }));

  it('failMax: Infinity turns the consecutive rule off, and a rate rule still trips', marbles((m) => {
    const rateRule = { failureRate: 1, minimumCalls: 3, window: { calls: 3 } };
    const breaker = circuitBreaker({ name: 'db', failMax: 1, ...rateRule, resetTimeout: 100, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);

    breaker.failMax = Infinity;
    m.expect(failing.pipe(breaker), ' ^     ').toBeObservable(' -#    ', undefined, boom);
    m.expect(failing.pipe(breaker), ' -^    ').toBeObservable(' --#   ', undefined, boom);
    m.expect(failing.pipe(breaker), ' --^   ').toBeObservable(' ---#  ', undefined, tripped);
    m.expect(breaker.state$).toBeObservable(' c--o 99ms h', states);
  }));

  it('failMax: a rate-rule breaker without one reads Infinity, and takes it back after a consecutive rule', () => {
    const breaker = circuitBreaker({ name: 'db', failureRate: 0.5 });
    expect(breaker.failMax).toBe(Infinity);
    breaker.failMax = 3;
    expect(breaker.failMax).toBe(3);
    breaker.failMax = Infinity;
    expect(breaker.failMax).toBe(Infinity);
    expect(() => (breaker.failMax = -Infinity)).toThrow(
      new RangeError('circuitBreaker: "failMax" must be an integer ≥ 1, received -Infinity'),
    );
  });

  it('resetTimeout: lowering it while open brings half-open forward, counted from the opening time', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 10, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);

    at(m, '                    ---x', () => (breaker.resetTimeout = 4));
    m.expect(failing.pipe(breaker)).toBeObservable(' -#', undefined, tripped);
    m.expect(breaker.state$).toBeObservable(' co---h', states);
  }));

  it('resetTimeout: raising it while open puts half-open off', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 3, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const working = m.cold('   -a|');

    at(m, '                    --x', () => (breaker.resetTimeout = 8));
    m.expect(failing.pipe(breaker), ' ^         ').toBeObservable(' -#         ', undefined, tripped);
    m.expect(working.pipe(breaker), ' -----^    ').toBeObservable(' -----#     ', undefined, stillOpen);
    m.expect(working.pipe(breaker), ' ---------^').toBeObservable(' ----------a|');
    m.expect(breaker.state$).toBeObservable(' co-------h-c', states);
  }));

  it('resetTimeout: lowering it below the time already elapsed makes the circuit half-open at once', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 50, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);

    at(m, '                    -----x', () => (breaker.resetTimeout = 2));
    m.expect(failing.pipe(breaker)).toBeObservable(' -#', undefined, tripped);
    m.expect(breaker.state$).toBeObservable(' co---h', states);
  }));

  it('successThreshold: trials are judged against the new value', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 3, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const working = m.cold('   -|');

    at(m, '                    --x', () => (breaker.successThreshold = 2));
    m.expect(failing.pipe(breaker), ' ^       ').toBeObservable(' -#      ', undefined, tripped);
    m.expect(working.pipe(breaker), ' ----^   ').toBeObservable(' -----|  ');
    m.expect(working.pipe(breaker), ' ------^ ').toBeObservable(' -------|');
    m.expect(breaker.state$).toBeObservable(' co--h--c', states);
    m.expect(probe(m, ' x--x', () => breaker.successThreshold)).toBeObservable(' a--b', { a: 1, b: 2 });
  }));

  it('halfOpenMaxCalls: trial calls are admitted up to the new value', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 3, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const slow = m.cold('      ----|');

    at(m, '                    --x', () => (breaker.halfOpenMaxCalls = 2));
    m.expect(failing.pipe(breaker), ' ^        ').toBeObservable(' -#       ', undefined, tripped);
    m.expect(slow.pipe(breaker), '    ----^    ').toBeObservable(' --------|');
    m.expect(slow.pipe(breaker), '    ----^    ').toBeObservable(' --------|');
    m.expect(slow.pipe(breaker), '    ----^    ').toBeObservable(' ----#    ', undefined, trialsBusy);
  }));
});
