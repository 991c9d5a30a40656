import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker } from '../src/index.js';
import { marbles } from './marbles.js';
import { trialFailed, tripped } from './support/breakerErrors.js';
import { probe } from './support/probe.js';
import { states } from './support/states.js';

const boom = new Error('boom');
const slowBoom = new Error('slow boom');

// prettier-ignore
describe('an outcome that arrives after the circuit changed state', () => {
  it('a slow call admitted before a trip that fails after it is not counted: an ignored event', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 10, scheduler: m.scheduler });
    const failing = m.cold('   ----#', undefined, boom);
    const slow = m.cold('      ---------#', undefined, slowBoom);
    const reads =            ' -----x----x';

    m.expect(breaker.events$.pipe(map((event) => (event.type === 'ignored' ? event : event.type)))).toBeObservable(' (cc)(ft)-i----t', {
      c: 'call', f: 'failure', t: 'transition',
      i: { type: 'ignored', time: 9, outcome: 'failure', error: slowBoom, duration: 9 },
    });
    m.expect(slow.pipe(breaker)).toBeObservable(   ' ---------#', undefined, slowBoom);
    m.expect(failing.pipe(breaker)).toBeObservable(' ----#     ', undefined, tripped);
    m.expect(breaker.failure$.pipe(map((event) => event.failCounter))).toBeObservable(' ----a', { a: 1 });
    m.expect(probe(m, reads, () => breaker.failCounter)).toBeObservable(' -----a----a', { a: 1 });
    m.expect(breaker.state$).toBeObservable(' c---o---------h', states);
  }));

  it('a slow call admitted before a trip that succeeds after it does not close the circuit', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 10, scheduler: m.scheduler });
    const failing = m.cold('   ----#', undefined, boom);
    const slow = m.cold('      -------a|');

    m.expect(breaker.events$.pipe(map((event) => (event.type === 'ignored' ? event : event.type)))).toBeObservable(' (cc)(ft)i-----t', {
      c: 'call', f: 'failure', t: 'transition',
      i: { type: 'ignored', time: 8, outcome: 'success', duration: 8 },
    });
    m.expect(slow.pipe(breaker)).toBeObservable(   ' -------a|', { a: 'a' });
    m.expect(failing.pipe(breaker)).toBeObservable(' ----#    ', undefined, tripped);
    m.expect(breaker.success$).toBeObservable(' ---------');
    m.expect(breaker.state$).toBeObservable(' c---o---------h', states);
  }));

  it('a slow trial that succeeds after another trial re-opened the circuit does not close it', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 4, halfOpenMaxCalls: 2, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const slow = m.cold('      -----a|');
    const log: string[] = [];
    breaker.events$.subscribe((event) => log.push(`${event.time} ${event.type === 'ignored' ? `ignored ${event.outcome}` : event.type}`));

    m.expect(failing.pipe(breaker), ' ^       ').toBeObservable(' -#          ', undefined, tripped);
    m.expect(slow.pipe(breaker), '    -----^  ').toBeObservable(' ----------a|', { a: 'a' });
    m.expect(failing.pipe(breaker), ' -----^  ').toBeObservable(' ------#     ', undefined, trialFailed);
    m.expect(breaker.state$).toBeObservable(' co---ho---h', states);
    m.flush();
    expect(log).toEqual([
      '0 call', '1 failure', '1 transition',
      '5 transition', '5 call', '5 call', '6 failure', '6 transition',
      '10 transition', '11 ignored success',
    ]);
  }));
});
