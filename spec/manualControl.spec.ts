import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker } from '../src/index.js';
import { marbles } from './marbles.js';
import { at } from './support/at.js';
import { stillOpen, tripped } from './support/breakerErrors.js';
import { probe } from './support/probe.js';
import { states } from './support/states.js';

const boom = new Error('boom');

// prettier-ignore
describe('manual control', () => {
  it('open() opens a closed circuit now, so half-open comes resetTimeout later; failCounter is kept', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 3, resetTimeout: 5, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const working = m.cold('   -a|');
    const reads =            ' --x-x';

    at(m, '                    ---x', () => breaker.open());
    m.expect(failing.pipe(breaker), ' ^         ').toBeObservable(' -#         ', undefined, boom);
    m.expect(working.pipe(breaker), ' ----^     ').toBeObservable(' ----#      ', undefined, stillOpen);
    m.expect(working.pipe(breaker), ' --------^ ').toBeObservable(' ---------a|');
    m.expect(working).toHaveSubscriptions(' --------^-!');
    m.expect(breaker.transition$).toBeObservable(' ---a----b-c', {
      a: { from: 'closed', to: 'open', reason: 'manual', retryAt: 8 },
      b: { from: 'open', to: 'half-open', reason: 'reset_timeout' },
      c: { from: 'half-open', to: 'closed', reason: 'trial_success' },
    });
    m.expect(probe(m, reads, () => breaker.failCounter)).toBeObservable(' --a-a', { a: 1 });
  }));

  it('open() on an open circuit moves the opening time to now', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 5, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const working = m.cold('   -a|');

    at(m, '                    ----x', () => breaker.open());
    m.expect(failing.pipe(breaker), ' ^        ').toBeObservable(' -#       ', undefined, tripped);
    m.expect(working.pipe(breaker), ' -------^ ').toBeObservable(' -------#  ', undefined, stillOpen);
    m.expect(working.pipe(breaker), ' ---------^').toBeObservable(' ----------a|');
    m.expect(breaker.state$).toBeObservable(' co-------h-c', states);
    m.expect(breaker.transition$).toBeObservable(' -a--b----c-d', {
      a: { from: 'closed', to: 'open', reason: 'failure_threshold', retryAt: 6 },
      b: { from: 'open', to: 'open', reason: 'manual', retryAt: 9 },
      c: { from: 'open', to: 'half-open', reason: 'reset_timeout' },
      d: { from: 'half-open', to: 'closed', reason: 'trial_success' },
    });
  }));

  it('close() closes an open circuit and resets the failure counter; calls flow again', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 2, resetTimeout: 100, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const working = m.cold('   -a|');
    const reads =            ' ---x-x';

    at(m, '                    ----x', () => breaker.close());
    m.expect(failing.pipe(breaker), ' ^       ').toBeObservable(' -#      ', undefined, boom);
    m.expect(failing.pipe(breaker), ' -^      ').toBeObservable(' --#     ', undefined, tripped);
    m.expect(working.pipe(breaker), ' -----^  ').toBeObservable(' ------a|');
    m.expect(probe(m, reads, () => breaker.failCounter)).toBeObservable(' ---a-z', { a: 2, z: 0 });
    m.expect(breaker.state$).toBeObservable(' c-o-c', states);
    m.expect(breaker.transition$.pipe(map((t) => `${t.from}>${t.to}:${t.reason}`))).toBeObservable(' --a-b', {
      a: 'closed>open:failure_threshold', b: 'open>closed:manual',
    });
  }));

  it('close() in half-open resets the trial success counter', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 3, successThreshold: 2, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const working = m.cold('   -|');
    const reads =            ' ------x-x';

    at(m, '                    -------x', () => breaker.close());
    m.expect(failing.pipe(breaker), ' ^    ').toBeObservable(' -#   ', undefined, tripped);
    m.expect(working.pipe(breaker), ' ----^').toBeObservable(' -----|');
    m.expect(probe(m, reads, () => breaker.successCounter)).toBeObservable(' ------a-z', { a: 1, z: 0 });
    m.expect(probe(m, reads, () => breaker.state)).toBeObservable(' ------h-c', states);
  }));

  it('close() on a closed circuit still reports a closed -> closed transition and resets failCounter', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 2, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const reads =            ' --x-x';

    at(m, '                    ---x', () => breaker.close());
    m.expect(failing.pipe(breaker)).toBeObservable(' -#', undefined, boom);
    m.expect(probe(m, reads, () => breaker.failCounter)).toBeObservable(' --a-z', { a: 1, z: 0 });
    m.expect(breaker.transition$).toBeObservable(' ---a', { a: { from: 'closed', to: 'closed', reason: 'manual' } });
    m.expect(breaker.state$).toBeObservable(' c', states);
  }));

  it('halfOpen() admits a trial at once, before the reset timeout', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 100, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const working = m.cold('   -a|');

    at(m, '                    ---x', () => breaker.halfOpen());
    m.expect(failing.pipe(breaker), ' ^    ').toBeObservable(' -#    ', undefined, tripped);
    m.expect(working.pipe(breaker), ' --^  ').toBeObservable(' --#   ', undefined, stillOpen);
    m.expect(working.pipe(breaker), ' ----^').toBeObservable(' -----a|');
    m.expect(breaker.state$).toBeObservable(' co-h--c', states);
    m.expect(breaker.transition$.pipe(map((t) => `${t.from}>${t.to}:${t.reason}`))).toBeObservable(' -a-b--c', {
      a: 'closed>open:failure_threshold', b: 'open>half-open:manual', c: 'half-open>closed:trial_success',
    });
  }));
});

describe('manual control methods', () => {
  it('return promises that resolve once the store has applied the transition', async () => {
    const breaker = circuitBreaker({ resetTimeout: 60_000 });
    await expect(breaker.open()).resolves.toBeUndefined();
    expect(breaker.state).toBe('open');
    await expect(breaker.halfOpen()).resolves.toBeUndefined();
    expect(breaker.state).toBe('half-open');
    await expect(breaker.close()).resolves.toBeUndefined();
    expect(breaker.state).toBe('closed');
    breaker.dispose();
  });
});
