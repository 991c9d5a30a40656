import { map, pipe, retry } from 'rxjs';
import { describe, it } from 'vitest';
import { circuitBreaker } from '../src/index.js';
import { marbles } from './marbles.js';
import { stillOpen, tripped } from './support/breakerErrors.js';
import { states } from './support/states.js';

const boom = new Error('boom');

// prettier-ignore
describe('composition with other operators', () => {
  it('lets retry(10) subscribe a failing source exactly failMax times; the other 8 retries are refused', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 3, resetTimeout: 100, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);

    m.expect(failing.pipe(breaker, retry(10))).toBeObservable(' ---#', undefined, stillOpen);
    m.expect(failing).toHaveSubscriptions([' ^!', ' -^!', ' --^!']);
    m.expect(breaker.rejected$.pipe(map((event) => event.state))).toBeObservable(' ---(oooooooo)', { o: 'open' });
  }));

  it('counts every pipeline a breaker is piped into into the same state', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 2, resetTimeout: 100, scheduler: m.scheduler });
    const customers = m.cold(' -#', undefined, boom);
    const orders = m.cold('    --#', undefined, boom);
    const invoices = m.cold('  -i|');

    m.expect(customers.pipe(breaker), ' ^   ').toBeObservable(' -#  ', undefined, boom);
    m.expect(orders.pipe(breaker), '    ^   ').toBeObservable(' --# ', undefined, tripped);
    m.expect(invoices.pipe(breaker), '  ---^').toBeObservable(' ---#', undefined, stillOpen);
    m.expect(invoices).toHaveSubscriptions([]);
    m.expect(breaker.failure$.pipe(map((event) => event.failCounter))).toBeObservable(' -ab', { a: 1, b: 2 });
    m.expect(breaker.state$).toBeObservable(' c-o 99ms h', states);
  }));

  it('works inside a reusable partial pipeline, applied to several sources', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 2, resetTimeout: 100, scheduler: m.scheduler });
    const fetchName = pipe(breaker<string>, map((id) => `name of ${id}`));
    const first = m.cold('  -a|', { a: '1' });
    const second = m.cold(' -#', undefined, boom);
    const third = m.cold('  -#', undefined, boom);

    m.expect(first.pipe(fetchName), ' ^     ').toBeObservable(' -a|   ', { a: 'name of 1' });
    m.expect(second.pipe(fetchName), '---^  ').toBeObservable(' ----# ', undefined, boom);
    m.expect(third.pipe(fetchName), ' ----^ ').toBeObservable(' -----#', undefined, tripped);
  }));
});

// prettier-ignore
describe('the default scheduler', () => {
  it('is asyncScheduler, which a marbles run virtualises: half-open comes exactly resetTimeout frames later', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 50 });
    const failing = m.cold('   -#', undefined, boom);
    const working = m.cold('   -a|');

    m.expect(failing.pipe(breaker), ' ^ ').toBeObservable(' -#', undefined, tripped);
    m.expect(working.pipe(breaker), ' 50ms ^').toBeObservable(' 50ms #', undefined, stillOpen);
    m.expect(working.pipe(breaker), ' 51ms ^').toBeObservable(' 52ms a|');
    m.expect(breaker.state$).toBeObservable(' co 49ms h-c', states);
    m.expect(breaker.transition$.pipe(map((t) => t.reason))).toBeObservable(' -a 49ms b-c', {
      a: 'failure_threshold', b: 'reset_timeout', c: 'trial_success',
    });
  }));
});
