import { map } from 'rxjs';
import { describe, it } from 'vitest';
import { circuitBreaker } from '../src/index.js';
import { marbles } from './marbles.js';
import { tripped } from './support/breakerErrors.js';
import { probe } from './support/probe.js';
import { states } from './support/states.js';

class NotFound extends Error {
  override readonly name: string = 'NotFound';
}
class Gone extends NotFound {
  override readonly name = 'Gone';
}

const boom = new Error('boom');
const notFound = new NotFound('no such customer');
const gone = new Gone('customer deleted');
const clientError = new Error('400 bad request');

// prettier-ignore
describe('excluded errors', () => {
  it('an excluded class is passed to the subscriber, counts as a success carrying the error, and never trips', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, exclude: [NotFound], scheduler: m.scheduler });
    const missing = m.cold('   -#', undefined, notFound);

    m.expect(missing.pipe(breaker), ' ^  ').toBeObservable(' -#  ', undefined, notFound);
    m.expect(missing.pipe(breaker), ' -^ ').toBeObservable(' --# ', undefined, notFound);
    m.expect(breaker.success$).toBeObservable(' -ab', {
      a: { type: 'success', time: 1, error: notFound, duration: 1 },
      b: { type: 'success', time: 2, error: notFound, duration: 1 },
    });
    m.expect(breaker.failure$).toBeObservable(' ---');
    m.expect(breaker.state$).toBeObservable(' c', states);
  }));

  it('an excluded class matches its subclasses; other errors are still failures', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 100, exclude: [NotFound], scheduler: m.scheduler });
    const deleted = m.cold('   -#', undefined, gone);
    const failing = m.cold('   -#', undefined, boom);

    m.expect(deleted.pipe(breaker), ' ^   ').toBeObservable(' -#   ', undefined, gone);
    m.expect(failing.pipe(breaker), ' --^ ').toBeObservable(' ---# ', undefined, tripped);
    m.expect(breaker.state$).toBeObservable(' c--o 99ms h', states);
  }));

  it('a predicate excludes the errors it returns true for', marbles((m) => {
    const isClientError = (error: unknown) => error instanceof Error && error.message.startsWith('4');
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 100, exclude: [isClientError], scheduler: m.scheduler });
    const rejectedRequest = m.cold('   -#', undefined, clientError);
    const failing = m.cold('           -#', undefined, boom);

    m.expect(rejectedRequest.pipe(breaker), ' ^   ').toBeObservable(' -#   ', undefined, clientError);
    m.expect(failing.pipe(breaker), '         --^ ').toBeObservable(' ---# ', undefined, tripped);
    m.expect(breaker.state$).toBeObservable(' c--o 99ms h', states);
  }));

  it('a predicate that throws excludes nothing: the error counts as a failure', marbles((m) => {
    const broken = () => { throw new Error('predicate bug'); };
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 100, exclude: [broken], scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);

    m.expect(failing.pipe(breaker)).toBeObservable(' -#', undefined, tripped);
    m.expect(breaker.state$).toBeObservable(' co 99ms h', states);
  }));

  it('an excluded error resets the consecutive failure counter', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 2, resetTimeout: 100, exclude: [NotFound], scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const missing = m.cold('   -#', undefined, notFound);
    const reads =            ' --x-x-x-x';

    m.expect(failing.pipe(breaker), ' ^         ').toBeObservable(' -#        ', undefined, boom);
    m.expect(missing.pipe(breaker), ' --^       ').toBeObservable(' ---#      ', undefined, notFound);
    m.expect(failing.pipe(breaker), ' ----^     ').toBeObservable(' -----#    ', undefined, boom);
    m.expect(failing.pipe(breaker), ' ------^   ').toBeObservable(' -------#  ', undefined, tripped);
    m.expect(probe(m, reads, () => breaker.failCounter)).toBeObservable(' --a-z-a-b', { z: 0, a: 1, b: 2 });
  }));

  it('in half-open, an excluded error is a trial success that can close the circuit', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 3, exclude: [NotFound], scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const missing = m.cold('   -#', undefined, notFound);

    m.expect(failing.pipe(breaker), ' ^     ').toBeObservable(' -#    ', undefined, tripped);
    m.expect(missing.pipe(breaker), ' ----^ ').toBeObservable(' -----#', undefined, notFound);
    m.expect(breaker.state$).toBeObservable(' co--hc', states);
    m.expect(breaker.transition$.pipe(map((t) => t.reason))).toBeObservable(' -a--bc', {
      a: 'failure_threshold', b: 'reset_timeout', c: 'trial_success',
    });
  }));

  it('in half-open with successThreshold 2, an excluded error counts one trial success', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 3, successThreshold: 2, exclude: [NotFound], scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const missing = m.cold('   -#', undefined, notFound);
    const reads =            ' ------x--x';

    m.expect(failing.pipe(breaker), ' ^        ').toBeObservable(' -#       ', undefined, tripped);
    m.expect(missing.pipe(breaker), ' ----^    ').toBeObservable(' -----#   ', undefined, notFound);
    m.expect(missing.pipe(breaker), ' -------^ ').toBeObservable(' --------#', undefined, notFound);
    m.expect(probe(m, reads, () => breaker.successCounter)).toBeObservable(' ------a--z', { z: 0, a: 1 });
    m.expect(breaker.state$).toBeObservable(' co--h---c', states);
  }));
});
