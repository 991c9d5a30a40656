import { Subject, VirtualTimeScheduler, map, of, throwError } from 'rxjs';
import { inspect, types } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import {
  CircuitBreakerError,
  circuitBreaker,
  isCircuitBreakerError,
  isRefusal,
} from '../src/index.js';
import { marbles } from './marbles.js';
import { stillOpen, tripped } from './support/breakerErrors.js';
import { probe } from './support/probe.js';
import { states } from './support/states.js';

const boom = new Error('boom');

// prettier-ignore
describe('tripping at failMax', () => {
  it('passes the original error on until the failMax-th failure, which trips with CircuitBreakerError', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 3, resetTimeout: 100, scheduler: m.scheduler });
    const failing = m.cold('     -#', undefined, boom);
    const call = failing.pipe(breaker);
    const first =              ' ^      ';
    const second =             ' --^    ';
    const third =              ' ----^  ';
    const failures =           ' -a-b-c ';
    const counters =           ' x-x-x-x';

    m.expect(call, first).toBeObservable( ' -#      ', undefined, boom);
    m.expect(call, second).toBeObservable(' ---#    ', undefined, boom);
    m.expect(call, third).toBeObservable( ' -----#  ', undefined, tripped);
    m.expect(failing).toHaveSubscriptions([' ^!', ' --^!', ' ----^!']);
    m.expect(breaker.failure$.pipe(map((event) => event.failCounter))).toBeObservable(failures, { a: 1, b: 2, c: 3 });
    m.expect(probe(m, counters, () => breaker.failCounter)).toBeObservable(' a-b-c-d', { a: 0, b: 1, c: 2, d: 3 });
    m.expect(breaker.state$).toBeObservable(' c----o 99ms h', states);
  }));

  it('errors with the original error on the tripping call when throwNewErrorOnTrip is false', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 2, resetTimeout: 100, throwNewErrorOnTrip: false, scheduler: m.scheduler });
    const failing = m.cold('     -#', undefined, boom);
    const call = failing.pipe(breaker);

    m.expect(call, ' ^    ').toBeObservable(' -#   ', undefined, boom);
    m.expect(call, ' --^  ').toBeObservable(' ---# ', undefined, boom);
    m.expect(call, ' ----^').toBeObservable(' ----#', undefined, stillOpen);
    m.expect(breaker.state$).toBeObservable(' c--o 99ms h', states);
  }));

  it('counts consecutive failures only: a success in between starts the count again', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 2, resetTimeout: 100, scheduler: m.scheduler });
    const failing = m.cold('     -#', undefined, boom);
    const working = m.cold('     -a|');
    const counters =           ' x-x--x-x-x';

    m.expect(failing.pipe(breaker), ' ^         ').toBeObservable(' -#         ', undefined, boom);
    m.expect(working.pipe(breaker), ' --^       ').toBeObservable(' ---a|      ');
    m.expect(failing.pipe(breaker), ' -----^    ').toBeObservable(' ------#    ', undefined, boom);
    m.expect(failing.pipe(breaker), ' -------^  ').toBeObservable(' --------#  ', undefined, tripped);
    m.expect(probe(m, counters, () => breaker.failCounter)).toBeObservable(' a-b--a-b-c', { a: 0, b: 1, c: 2 });
  }));
});

describe('CircuitBreakerError', () => {
  it('carries its name, the breaker name and, on the tripping call only, the original error as cause', () => {
    const breaker = circuitBreaker({ name: 'payments', failMax: 1 });
    const errors: unknown[] = [];
    const call = throwError(() => boom).pipe(breaker);
    call.subscribe({ error: (error: unknown) => errors.push(error) });
    call.subscribe({ error: (error: unknown) => errors.push(error) });
    breaker.dispose();

    const [trip, rejection] = errors;
    expect(trip).toBeInstanceOf(CircuitBreakerError);
    expect(isCircuitBreakerError(trip)).toBe(true);
    expect(trip).toMatchObject({
      name: 'CircuitBreakerError',
      message: 'Failures threshold reached, circuit breaker opened',
      breakerName: 'payments',
      state: 'open',
      cause: boom,
    });
    expect(isCircuitBreakerError(rejection)).toBe(true);
    expect(rejection).toMatchObject({
      name: 'CircuitBreakerError',
      message: 'Timeout not elapsed yet, circuit breaker still open',
      breakerName: 'payments',
    });
    expect((rejection as Error).cause).toBeUndefined();
    expect(String(trip)).toBe(
      'CircuitBreakerError: Failures threshold reached, circuit breaker opened',
    );
  });

  it('keeps its message and fields through JSON.stringify, as a JSON logger writes it', () => {
    const errors = tripThenRefuse();

    expect(errors.map((error) => JSON.parse(JSON.stringify(error)) as unknown)).toEqual([
      {
        message: 'Failures threshold reached, circuit breaker opened',
        kind: 'tripped',
        breakerName: 'payments',
        state: 'open',
      },
      {
        message: 'Timeout not elapsed yet, circuit breaker still open',
        kind: 'open',
        breakerName: 'payments',
        state: 'open',
        retryAt: 500,
      },
    ]);
  });

  it('says what happened in kind: tripped, then open (with retryAt) for the calls it refuses', () => {
    const errors = tripThenRefuse();

    expect(errors).toMatchObject([
      { kind: 'tripped', cause: boom },
      { kind: 'open', retryAt: 500 },
    ]);
    expect((errors[0] as CircuitBreakerError).retryAt).toBeUndefined();
    expect(errors.map(isRefusal)).toEqual([false, true]);
  });

  it('says trial-failed for a failed trial and trials-busy for a call refused while trials run', () => {
    const scheduler = new VirtualTimeScheduler();
    const breaker = circuitBreaker({ name: 'payments', failMax: 1, resetTimeout: 500, scheduler });
    const errors: unknown[] = [];
    const record = { error: (error: unknown) => errors.push(error) };
    void breaker.halfOpen();

    const trial = new Subject<never>();
    trial.pipe(breaker).subscribe(record);
    of(1).pipe(breaker).subscribe(record);
    trial.error(boom);
    breaker.dispose();
    of(1).pipe(breaker).subscribe(record);

    expect(errors).toMatchObject([
      { kind: 'trials-busy', state: 'half-open' },
      { kind: 'trial-failed', cause: boom },
      { kind: 'disposed' },
    ]);
    expect(errors.map(isRefusal)).toEqual([true, false, true]);
  });

  it('is recognised by isCircuitBreakerError only when it really is one', () => {
    const lookalike = Object.assign(new Error('Timeout not elapsed yet'), {
      name: 'CircuitBreakerError',
    });
    expect(isCircuitBreakerError(lookalike)).toBe(false);
    expect(isCircuitBreakerError(boom)).toBe(false);
    expect(isCircuitBreakerError({ name: 'CircuitBreakerError', message: 'x' })).toBe(false);
    expect(isCircuitBreakerError(undefined)).toBe(false);
    expect(isCircuitBreakerError(new CircuitBreakerError('open', 'db', 'open'))).toBe(true);
  });

  it('gives each refused call its own real Error, built without a stack trace, and leaves stackTraceLimit as it was', () => {
    const breaker = circuitBreaker({ name: 'payments', failMax: 1, resetTimeout: 500 });
    void breaker.open();
    const before = Error.stackTraceLimit;
    Error.stackTraceLimit = 7;
    const refusals: unknown[] = [];
    try {
      for (let i = 0; i < 2; i++)
        of(1)
          .pipe(breaker)
          .subscribe({ error: (e: unknown) => refusals.push(e) });
      expect(Error.stackTraceLimit).toBe(7);
    } finally {
      Error.stackTraceLimit = before;
      breaker.dispose();
    }

    const [first, second] = refusals as CircuitBreakerError[];
    expect(first).not.toBe(second);
    for (const refusal of [first, second]) {
      expect(refusal).toBeInstanceOf(Error);
      expect(types.isNativeError(refusal)).toBe(true);
      expect(refusal).toMatchObject({
        kind: 'open',
        breakerName: 'payments',
        name: 'CircuitBreakerError',
      });
      expect(refusal?.stack).toBeUndefined();
      // What loggers print of it still says what happened, and where the error came from.
      expect(inspect(refusal)).toContain('CircuitBreakerError: Timeout not elapsed yet');
      expect(inspect(refusal)).toContain("breakerName: 'payments'");
      expect(String(refusal)).toBe(
        'CircuitBreakerError: Timeout not elapsed yet, circuit breaker still open',
      );
    }
    // The trip error keeps a real stack: it shows where the failing call was made.
    const trip = new CircuitBreakerError('tripped', 'payments', 'open', { cause: boom });
    expect(trip.stack).toMatch(/\n\s+at /);
    expect(trip.cause).toBe(boom);
    expect(Object.hasOwn(new CircuitBreakerError('open', 'db', 'open'), 'cause')).toBe(false);
  });

  it('still refuses with its own CircuitBreakerError where Error.stackTraceLimit is read-only (frozen intrinsics, SES)', () => {
    const original = Object.getOwnPropertyDescriptor(Error, 'stackTraceLimit');
    Object.defineProperty(Error, 'stackTraceLimit', {
      value: 5,
      writable: false,
      configurable: true,
    });
    const breaker = circuitBreaker({ name: 'frozen', resetTimeout: 500 });
    void breaker.open();
    let refusal: unknown;
    try {
      of(1)
        .pipe(breaker)
        .subscribe({ error: (e: unknown) => (refusal = e) });
      expect(Error.stackTraceLimit).toBe(5);
    } finally {
      if (original) Object.defineProperty(Error, 'stackTraceLimit', original);
      breaker.dispose();
    }
    expect(refusal).toBeInstanceOf(CircuitBreakerError);
    expect(refusal).toMatchObject({ kind: 'open', breakerName: 'frozen' });
    // Built as any other error: the runtime's limit applies, so it has a stack.
    expect(typeof (refusal as Error).stack).toBe('string');
  });

  it('is recognised across a second copy of the module, where instanceof fails', async () => {
    vi.resetModules();
    const copy = await import('../src/breaker/CircuitBreakerError.js');
    expect(copy.CircuitBreakerError).not.toBe(CircuitBreakerError);

    const foreign = new copy.CircuitBreakerError('open', 'db', 'open');
    expect(foreign).not.toBeInstanceOf(CircuitBreakerError);
    expect(isCircuitBreakerError(foreign)).toBe(true);
    expect(copy.isCircuitBreakerError(new CircuitBreakerError('open', 'db', 'open'))).toBe(true);
  });
});

/**
 * The errors of two failing calls through a breaker with `failMax: 1` and `resetTimeout: 500` (virtual time): the
 * first trips the circuit, the second is refused.
 */
function tripThenRefuse(): unknown[] {
  const scheduler = new VirtualTimeScheduler();
  const breaker = circuitBreaker({ name: 'payments', failMax: 1, resetTimeout: 500, scheduler });
  const errors: unknown[] = [];
  const call = throwError(() => boom).pipe(breaker);
  call.subscribe({ error: (error: unknown) => errors.push(error) });
  call.subscribe({ error: (error: unknown) => errors.push(error) });
  breaker.dispose();
  return errors;
}
