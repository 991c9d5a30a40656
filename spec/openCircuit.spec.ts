import { map } from 'rxjs';
import { describe, it } from 'vitest';
import { circuitBreaker } from '../src/index.js';
import { marbles } from './marbles.js';
import { stillOpen, tripped } from './support/breakerErrors.js';
import { probe } from './support/probe.js';

const boom = new Error('boom');

// prettier-ignore
describe('an open circuit', () => {
  it('refuses a call at once without subscribing its source, and rejected$ emits', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 10, scheduler: m.scheduler });
    const failing = m.cold('    -#', undefined, boom);
    const working = m.cold('    -a|');
    const call = working.pipe(breaker);

    m.expect(failing.pipe(breaker), ' ^').toBeObservable(' -#', undefined, tripped);
    m.expect(call, '                  ---^     ').toBeObservable(' ---#     ', undefined, stillOpen);
    m.expect(call, '                  -------^ ').toBeObservable(' -------# ', undefined, stillOpen);
    m.expect(working).toHaveSubscriptions([]);
    m.expect(breaker.rejected$).toBeObservable('           ---a---b ', {
      a: { type: 'rejected', time: 3, state: 'open' },
      b: { type: 'rejected', time: 7, state: 'open' },
    });
  }));

  it('moves no counter and reports no failure or success for a refused call', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 2, resetTimeout: 20, scheduler: m.scheduler });
    const failing = m.cold('    -#', undefined, boom);
    const counters =          ' x--x-x-x-x ';

    m.expect(failing.pipe(breaker), ' ^          ').toBeObservable(' -#         ', undefined, boom);
    m.expect(failing.pipe(breaker), ' -^         ').toBeObservable(' --#        ', undefined, tripped);
    m.expect(failing.pipe(breaker), ' ----^      ').toBeObservable(' ----#      ', undefined, stillOpen);
    m.expect(failing.pipe(breaker), ' ------^    ').toBeObservable(' ------#    ', undefined, stillOpen);
    m.expect(failing).toHaveSubscriptions([' ^!', ' -^!']);
    m.expect(probe(m, counters, () => breaker.failCounter)).toBeObservable(' a--b-b-b-b ', { a: 0, b: 2 });
    m.expect(probe(m, counters, () => breaker.successCounter)).toBeObservable(' z--z-z-z-z ', { z: 0 });
    m.expect(breaker.failure$.pipe(map((event) => event.failCounter))).toBeObservable(' -ab', { a: 1, b: 2 });
    m.expect(breaker.success$).toBeObservable('-');
  }));
});
