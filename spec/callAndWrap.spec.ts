import { firstValueFrom, lastValueFrom, of, retry, throwError } from 'rxjs';
import type { Observable } from 'rxjs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { CircuitBreakerError, circuitBreaker, isCircuitBreakerError } from '../src/index.js';
import { marbles } from './marbles.js';

const boom = new Error('boom');

/** Subscribes and settles on the first value or the error, whichever comes. */
async function outcome<T>(call: Observable<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await firstValueFrom(call) };
  } catch (error) {
    return { error };
  }
}

describe('execute(fn, ...args)', () => {
  it('runs a promise-returning fn with the arguments, once per subscription, only when subscribed', async () => {
    const breaker = circuitBreaker();
    const seen: number[][] = [];
    const add = (a: number, b: number) => {
      seen.push([a, b]);
      return Promise.resolve(a + b);
    };

    const sum = breaker.execute(add, 2, 3);
    expect(seen).toEqual([]);
    await expect(firstValueFrom(sum)).resolves.toBe(5);
    await expect(firstValueFrom(sum)).resolves.toBe(5);
    expect(seen).toEqual([
      [2, 3],
      [2, 3],
    ]);
    breaker.dispose();
  });

  it('counts a rejected promise as a failure, and the one that reaches failMax trips', async () => {
    const breaker = circuitBreaker({ failMax: 2 });
    const failing = () => Promise.reject(boom);

    expect(await outcome(breaker.execute(failing))).toEqual({ error: boom });
    expect(breaker.failCounter).toBe(1);
    const { error } = await outcome(breaker.execute(failing));
    expect(isCircuitBreakerError(error)).toBe(true);
    expect(error).toMatchObject({
      message: 'Failures threshold reached, circuit breaker opened',
      cause: boom,
    });
    expect(breaker.state).toBe('open');
    breaker.dispose();
  });

  it('counts a fn that throws synchronously as a failed call, not as an exception from execute()', async () => {
    const breaker = circuitBreaker({ failMax: 2 });
    const throwing = (): Promise<never> => {
      throw boom;
    };

    const call = breaker.execute(throwing);
    expect(await outcome(call)).toEqual({ error: boom });
    expect(breaker.failCounter).toBe(1);
    const { error } = await outcome(call);
    expect(error).toBeInstanceOf(CircuitBreakerError);
    expect((error as Error).cause).toBe(boom);
    breaker.dispose();
  });

  it('does not run fn at all while the circuit is open', async () => {
    const breaker = circuitBreaker({ failMax: 1 });
    let runs = 0;
    const failing = () => {
      runs++;
      return Promise.reject(boom);
    };

    await outcome(breaker.execute(failing).pipe(retry(5)));
    expect(runs).toBe(1);
    const { error } = await outcome(breaker.execute(failing));
    expect(error).toMatchObject({ message: 'Timeout not elapsed yet, circuit breaker still open' });
    expect(runs).toBe(1);
    breaker.dispose();
  });

  // prettier-ignore
  it('accepts a fn that returns an observable', marbles((m) => {
    const breaker = circuitBreaker({ scheduler: m.scheduler });
    const lookup = (id: string) => m.cold('-a|', { a: `customer ${id}` });

    m.expect(breaker.execute(lookup, '7')).toBeObservable(' -a|', { a: 'customer 7' });
  }));
});

describe('wrap(fn)', () => {
  it('returns a function whose calls go through the breaker, each subscription being one call', async () => {
    const breaker = circuitBreaker({ failMax: 2 });
    const asked: string[] = [];
    const getCustomer = breaker.wrap((id: string) => {
      asked.push(id);
      return id === 'broken' ? Promise.reject(boom) : Promise.resolve({ id });
    });
    expectTypeOf(getCustomer).toEqualTypeOf<(id: string) => Observable<{ id: string }>>();

    const seven = getCustomer('7');
    expect(asked).toEqual([]);
    await expect(lastValueFrom(seven)).resolves.toEqual({ id: '7' });
    expect(await outcome(getCustomer('broken'))).toEqual({ error: boom });
    expect(breaker.failCounter).toBe(1);
    const { error } = await outcome(getCustomer('broken'));
    expect(error).toMatchObject({ name: 'CircuitBreakerError', cause: boom });
    expect(await outcome(seven)).toMatchObject({ error: { name: 'CircuitBreakerError' } });
    expect(asked).toEqual(['7', 'broken', 'broken']);
    breaker.dispose();
  });

  it('counts a wrapped fn that throws synchronously as a failure', async () => {
    const breaker = circuitBreaker({ failMax: 1 });
    const parse = breaker.wrap((text: string): Promise<unknown> =>
      Promise.resolve(JSON.parse(text)),
    );

    const { error } = await outcome(parse('{not json'));
    expect(error).toMatchObject({ name: 'CircuitBreakerError' });
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
    expect(breaker.state).toBe('open');
    breaker.dispose();
  });
});

describe('wrap(fn) and the breaker as a function', () => {
  it('keeps the name of the wrapped function', () => {
    const breaker = circuitBreaker();
    function getCustomer(id: string) {
      return Promise.resolve({ id });
    }
    expect(breaker.wrap(getCustomer).name).toBe('getCustomer');
    expect(breaker.wrap((id: string) => Promise.resolve(id)).name).toBe('');
    breaker.dispose();
  });

  it('is named after the breaker', () => {
    const breaker = circuitBreaker({ name: 'customers-db' });
    expect(breaker.name).toBe('customers-db');
    breaker.dispose();
  });

  it('works with call, apply and bind as any function does, and counts those calls', async () => {
    const breaker = circuitBreaker({ failMax: 2 });
    const holder = { op: breaker };

    await expect(firstValueFrom(holder.op.call(holder, of(1)))).resolves.toBe(1);
    await expect(firstValueFrom(breaker.apply(undefined, [of(2)]))).resolves.toBe(2);
    await expect(firstValueFrom(breaker.bind(holder)(of(3)))).resolves.toBe(3);
    expect(breaker.failCounter).toBe(0);
    await expect(
      firstValueFrom(
        holder.op.call(
          holder,
          throwError(() => boom),
        ),
      ),
    ).rejects.toBe(boom);
    expect(breaker.failCounter).toBe(1);
    breaker.dispose();
  });

  it('shares its members with every breaker, and stays closed to new properties', () => {
    const a = circuitBreaker({ name: 'a' });
    const b = circuitBreaker({ name: 'b' });
    expect(Object.getPrototypeOf(a)).toBe(Object.getPrototypeOf(b));
    expect(Object.getPrototypeOf(Object.getPrototypeOf(a))).toBe(Function.prototype);
    expect(Object.isExtensible(a)).toBe(false);
    expect(() => {
      (a as unknown as Record<string, unknown>).failmax = 3;
    }).toThrow(TypeError);
    a.failMax = 7;
    expect([a.failMax, b.failMax]).toEqual([7, 5]);
    a.dispose();
    b.dispose();
  });
});
