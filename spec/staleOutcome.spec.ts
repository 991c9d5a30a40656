import { map } from 'rxjs';
import type { Context } from 'rxjs-marbles';
import { describe, expect, it } from 'vitest';
import { CircuitBreakerError, circuitBreaker } from '../src/index.js';
import { marbles } from './marbles.js';

const boom = new Error('boom');
const slowBoom = new Error('slow boom');
const error = (message: string) => new CircuitBreakerError(message, 'db', 'open');
const tripped = error('Failures threshold reached, circuit breaker opened');
const trialFailed = error('Trial call failed, circuit breaker opened');
const states = { c: 'closed', o: 'open', h: 'half-open' } as const;

function probe<T>(m: Context, marble: string, read: () => T) {
  return m.hot(marble).pipe(map(read));
}

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
