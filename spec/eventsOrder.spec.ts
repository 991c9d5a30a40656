import { take } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker } from '../src/index.js';
import type { CircuitBreaker, CircuitBreakerEvent } from '../src/index.js';
import { marbles } from './marbles.js';
import { at } from './support/at.js';
import { stillOpen, trialFailed, tripped } from './support/breakerErrors.js';

class NotFound extends Error {
  override readonly name = 'NotFound';
}

const boom = new Error('boom');
const notFound = new NotFound('no such customer');

/** Writes each event as `time type [details]`, in the order `events$` emits them. */
function record(breaker: CircuitBreaker): string[] {
  const log: string[] = [];
  breaker.events$.subscribe((event) => log.push(summarize(event)));
  return log;
}

function summarize(event: CircuitBreakerEvent): string {
  switch (event.type) {
    case 'call':
      return `${event.time} call${event.trial ? ' trial' : ''}`;
    case 'transition':
      return `${event.time} transition ${event.from}>${event.to} ${event.reason}`;
    case 'failure':
      return `${event.time} failure ${event.failCounter}`;
    case 'success':
      return `${event.time} success${event.error === undefined ? '' : ' excluded'}`;
    case 'ignored':
      return `${event.time} ignored ${event.outcome}`;
    default:
      return `${event.time} ${event.type}`;
  }
}

// prettier-ignore
describe('the order of events$', () => {
  it('in the closed state: call, then its outcome; on a trip the failure comes before the transition', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 2, resetTimeout: 20, scheduler: m.scheduler });
    const working = m.cold('   -a|');
    const failing = m.cold('   -#', undefined, boom);

    m.expect(breaker.events$).toBeObservable(' a-b-cd----e(ft)r 15ms h', {
      a: { type: 'call', time: 0, trial: false },
      b: { type: 'success', time: 2, duration: 2 },
      c: { type: 'call', time: 4, trial: false },
      d: { type: 'failure', time: 5, error: boom, failCounter: 1, duration: 1 },
      e: { type: 'call', time: 10, trial: false },
      f: { type: 'failure', time: 11, error: boom, failCounter: 2, duration: 1 },
      t: { type: 'transition', time: 11, from: 'closed', to: 'open', reason: 'failure_threshold', retryAt: 31, cause: boom, failCounter: 2, successCounter: 0 },
      r: { type: 'rejected', time: 15, state: 'open' },
      h: { type: 'transition', time: 31, from: 'open', to: 'half-open', reason: 'reset_timeout', cause: undefined, failCounter: 2, successCounter: 0 },
    } as Record<string, CircuitBreakerEvent>);
    m.expect(working.pipe(breaker), ' ^               ').toBeObservable(' -a|             ', { a: 'a' });
    m.expect(failing.pipe(breaker), ' ----^           ').toBeObservable(' -----#          ', undefined, boom);
    m.expect(failing.pipe(breaker), ' ----------^     ').toBeObservable(' -----------#    ', undefined, tripped);
    m.expect(failing.pipe(breaker), ' ---------------^').toBeObservable(' ---------------#', undefined, stillOpen);
  }));

  it('in half-open: the timer transition, then a trial call; a closing success comes before its transition', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 5, scheduler: m.scheduler });
    const log = record(breaker);
    const failing = m.cold('   -#', undefined, boom);
    const working = m.cold('   -a|');

    m.expect(failing.pipe(breaker), ' ^         ').toBeObservable(' -#         ', undefined, tripped);
    m.expect(working.pipe(breaker), ' --------^ ').toBeObservable(' ---------a|', { a: 'a' });
    m.flush();
    expect(log).toEqual([
      '0 call',
      '1 failure 1',
      '1 transition closed>open failure_threshold',
      '6 transition open>half-open reset_timeout',
      '8 call trial',
      '10 success',
      '10 transition half-open>closed trial_success',
    ]);
  }));

  it('in half-open: a trial failure reports call, failure, transition', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 5, scheduler: m.scheduler });
    const log = record(breaker);
    const failing = m.cold('   -#', undefined, boom);

    m.expect(failing.pipe(breaker), ' ^      ').toBeObservable(' -#     ', undefined, tripped);
    m.expect(failing.pipe(breaker), ' -------^').toBeObservable(' --------#', undefined, trialFailed);
    m.flush();
    expect(log).toEqual([
      '0 call',
      '1 failure 1',
      '1 transition closed>open failure_threshold',
      '6 transition open>half-open reset_timeout',
      '7 call trial',
      '8 failure 2',
      '8 transition half-open>open trial_failure',
      '13 transition open>half-open reset_timeout',
    ]);
  }));

  it('a call made at the deadline, before the timer ran: the transition, then the trial call', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 5, scheduler: m.scheduler });
    const log = record(breaker);
    const failing = m.cold('   -#', undefined, boom);
    const working = m.cold('   -a|');

    m.expect(failing.pipe(breaker), ' ^      ').toBeObservable(' -#      ', undefined, tripped);
    m.expect(working.pipe(breaker), ' ------^').toBeObservable(' -------a|', { a: 'a' });
    m.flush();
    expect(log).toEqual([
      '0 call',
      '1 failure 1',
      '1 transition closed>open failure_threshold',
      '6 transition open>half-open reset_timeout',
      '6 call trial',
      '8 success',
      '8 transition half-open>closed trial_success',
    ]);
  }));

  it('an excluded error, a cancelled call, a take(1) success and a manual transition', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', exclude: [NotFound], scheduler: m.scheduler });
    const log = record(breaker);
    const missing = m.cold('   -#', undefined, notFound);
    const slow = m.cold('      ----a|');
    const chatty = m.cold('    -ab|');

    at(m, '                    ---------x', () => breaker.close());
    m.expect(missing.pipe(breaker), ' ^        ').toBeObservable(' -#       ', undefined, notFound);
    m.expect(slow.pipe(breaker), '    --^-!    ').toBeObservable(' ---------');
    m.expect(chatty.pipe(breaker, take(1)), '-----^').toBeObservable(' ------(a|)', { a: 'a' });
    m.flush();
    expect(log).toEqual([
      '0 call',
      '1 success excluded',
      '2 call',
      '4 cancelled',
      '5 call',
      '6 success',
      '9 transition closed>closed manual',
    ]);
  }));
});
