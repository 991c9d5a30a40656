import { Subscription, map } from 'rxjs';
import type { SchedulerLike } from 'rxjs';
import type { Context } from 'rxjs-marbles';
import { describe, it } from 'vitest';
import { circuitBreaker } from '../src/index.js';
import { marbles } from './marbles.js';
import { stillOpen, trialFailed, trialsBusy, tripped } from './support/breakerErrors.js';
import { probe } from './support/probe.js';
import { states } from './support/states.js';

const boom = new Error('boom');

/** A scheduler that tells the test scheduler's time but never runs what is scheduled on it. */
function clockWithoutTimers(m: Context): SchedulerLike {
  return { now: () => m.scheduler.now(), schedule: () => Subscription.EMPTY };
}

// prettier-ignore
describe('half-open after resetTimeout', () => {
  it('emits half-open on state$ exactly resetTimeout frames after the trip, and state reads it then', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 5, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const reads =            ' x----xx';

    m.expect(failing.pipe(breaker)).toBeObservable(' -#', undefined, tripped);
    m.expect(breaker.state$).toBeObservable(       ' co----h', states);
    m.expect(probe(m, reads, () => breaker.state)).toBeObservable(' c----oh', states);
    m.expect(breaker.transition$).toBeObservable(  ' -a----b', {
      a: { from: 'closed', to: 'open', reason: 'failure_threshold', retryAt: 6 },
      b: { from: 'open', to: 'half-open', reason: 'reset_timeout' },
    });
  }));

  it('admits a call made exactly at the deadline as a trial, and refuses one a frame earlier', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 5, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const working = m.cold('   -a|');

    m.expect(failing.pipe(breaker), ' ^       ').toBeObservable(' -#      ', undefined, tripped);
    m.expect(working.pipe(breaker), ' -----^  ').toBeObservable(' -----#  ', undefined, stillOpen);
    m.expect(working.pipe(breaker), ' ------^ ').toBeObservable(' -------a|');
    m.expect(working).toHaveSubscriptions(' ------^-!');
    m.expect(breaker.state$).toBeObservable(' co----h-c', states);
  }));

  it('checks the elapsed time itself when a call arrives, without waiting for the timer', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 5, scheduler: clockWithoutTimers(m) });
    const failing = m.cold('   -#', undefined, boom);
    const working = m.cold('   -a|');

    m.expect(failing.pipe(breaker), ' ^        ').toBeObservable(' -#       ', undefined, tripped);
    m.expect(working.pipe(breaker), ' -------^ ').toBeObservable(' --------a|');
    m.expect(breaker.transition$).toBeObservable(' -a-----b-c', {
      a: { from: 'closed', to: 'open', reason: 'failure_threshold', retryAt: 6 },
      b: { from: 'open', to: 'half-open', reason: 'reset_timeout' },
      c: { from: 'half-open', to: 'closed', reason: 'trial_success' },
    });
  }));
});

// prettier-ignore
describe('trial calls', () => {
  it('closes the circuit on a trial success and resets both counters', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 2, resetTimeout: 5, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const working = m.cold('   -a|');
    const reads =            ' ---x----x-x';

    m.expect(failing.pipe(breaker), ' ^          ').toBeObservable(' -#         ', undefined, boom);
    m.expect(failing.pipe(breaker), ' -^         ').toBeObservable(' --#        ', undefined, tripped);
    m.expect(working.pipe(breaker), ' -------^   ').toBeObservable(' --------a| ');
    m.expect(breaker.state$).toBeObservable(                       ' c-o----h-c ', states);
    m.expect(probe(m, reads, () => breaker.failCounter)).toBeObservable(   ' ---f----f-z', { f: 2, z: 0 });
    m.expect(probe(m, reads, () => breaker.successCounter)).toBeObservable(' ---z----z-z', { z: 0 });
    m.expect(breaker.transition$.pipe(map((t) => t.reason))).toBeObservable(' --a----b-c', {
      a: 'failure_threshold', b: 'reset_timeout', c: 'trial_success',
    });
  }));

  it('re-opens at once on a trial failure, whatever failMax is, and failCounter keeps counting', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 3, resetTimeout: 5, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const reads =            ' ----x-----x';

    m.expect(failing.pipe(breaker), ' ^               ').toBeObservable(' -#              ', undefined, boom);
    m.expect(failing.pipe(breaker), ' -^              ').toBeObservable(' --#             ', undefined, boom);
    m.expect(failing.pipe(breaker), ' --^             ').toBeObservable(' ---#            ', undefined, tripped);
    m.expect(failing.pipe(breaker), ' --------^       ').toBeObservable(' ---------#      ', undefined, trialFailed);
    m.expect(failing.pipe(breaker), ' ----------^     ').toBeObservable(' ----------#     ', undefined, stillOpen);
    m.expect(failing).toHaveSubscriptions([' ^!', ' -^!', ' --^!', ' --------^!']);
    m.expect(breaker.state$).toBeObservable(' c--o----ho----h', states);
    m.expect(breaker.failure$.pipe(map((event) => event.failCounter))).toBeObservable(' -abc-----d', { a: 1, b: 2, c: 3, d: 4 });
    m.expect(probe(m, reads, () => breaker.failCounter)).toBeObservable(' ----c-----d', { c: 3, d: 4 });
    m.expect(breaker.transition$.pipe(map((t) => t.reason))).toBeObservable(' ---a----bc----b', {
      a: 'failure_threshold', b: 'reset_timeout', c: 'trial_failure',
    });
  }));

  it('passes the original error on a failed trial when throwNewErrorOnTrip is false', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 3, throwNewErrorOnTrip: false, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);

    m.expect(failing.pipe(breaker), ' ^     ').toBeObservable(' -#    ', undefined, boom);
    m.expect(failing.pipe(breaker), ' ----^ ').toBeObservable(' -----#', undefined, boom);
    m.expect(breaker.state$).toBeObservable(' co--ho--h', states);
  }));
});

// prettier-ignore
describe('successThreshold', () => {
  it('needs successThreshold consecutive trial successes to close', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 3, successThreshold: 3, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const working = m.cold('   -|');
    const reads =            ' --x---x--x--x';

    m.expect(failing.pipe(breaker), ' ^            ').toBeObservable(' -#           ', undefined, tripped);
    m.expect(working.pipe(breaker), ' ----^        ').toBeObservable(' -----|       ');
    m.expect(working.pipe(breaker), ' -------^     ').toBeObservable(' --------|    ');
    m.expect(working.pipe(breaker), ' ----------^  ').toBeObservable(' -----------| ');
    m.expect(breaker.state$).toBeObservable(                           ' co--h------c ', states);
    m.expect(probe(m, reads, () => breaker.successCounter)).toBeObservable(' --z---a--b--z', { z: 0, a: 1, b: 2 });
    m.expect(probe(m, reads, () => breaker.failCounter)).toBeObservable(   ' --a---z--z--z', { z: 0, a: 1 });
  }));

  it('re-opens on a trial failure after some successes, and the count starts again', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 3, successThreshold: 2, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const working = m.cold('   -|');
    const reads =            ' ------x---x---x---x';

    m.expect(failing.pipe(breaker), ' ^                  ').toBeObservable(' -#                 ', undefined, tripped);
    m.expect(working.pipe(breaker), ' ----^              ').toBeObservable(' -----|             ');
    m.expect(failing.pipe(breaker), ' -------^           ').toBeObservable(' --------#          ', undefined, trialFailed);
    m.expect(working.pipe(breaker), ' -----------^       ').toBeObservable(' ------------|      ');
    m.expect(working.pipe(breaker), ' ---------------^   ').toBeObservable(' ----------------|  ');
    m.expect(breaker.state$).toBeObservable(' co--h---o--h----c', states);
    m.expect(probe(m, reads, () => breaker.successCounter)).toBeObservable(' ------a---z---a---z', { z: 0, a: 1 });
  }));
});

// prettier-ignore
describe('halfOpenMaxCalls', () => {
  it('admits up to halfOpenMaxCalls concurrent trials and refuses the others until a slot is free', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 3, successThreshold: 3, halfOpenMaxCalls: 2, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const slow = m.cold('      --|');
    const call = slow.pipe(breaker);

    m.expect(failing.pipe(breaker), ' ^          ').toBeObservable(' -#         ', undefined, tripped);
    m.expect(call, '                  ----^      ').toBeObservable(' ------|    ');
    m.expect(call, '                  ----^      ').toBeObservable(' ------|    ');
    m.expect(call, '                  ----^      ').toBeObservable(' ----#      ', undefined, trialsBusy);
    m.expect(call, '                  -----^     ').toBeObservable(' -----#     ', undefined, trialsBusy);
    m.expect(call, '                  -------^   ').toBeObservable(' ---------| ');
    m.expect(slow).toHaveSubscriptions([' ----^-!', ' ----^-!', ' -------^-!']);
    m.expect(breaker.rejected$).toBeObservable(' ----ab', {
      a: { type: 'rejected', time: 4, state: 'half-open' },
      b: { type: 'rejected', time: 5, state: 'half-open' },
    });
    m.expect(breaker.state$).toBeObservable(' co--h----c', states);
  }));

  it('admits a single trial at a time by default', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 3, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const slow = m.cold('      --|');

    m.expect(failing.pipe(breaker), ' ^      ').toBeObservable(' -#     ', undefined, tripped);
    m.expect(slow.pipe(breaker), '    ----^  ').toBeObservable(' ------|', );
    m.expect(slow.pipe(breaker), '    -----^ ').toBeObservable(' -----# ', undefined, trialsBusy);
    m.expect(slow).toHaveSubscriptions(' ----^-!');
  }));
});
