import { config, of, throwError } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { circuitBreaker } from '../src/index.js';

/*
 * A subscriber of the breaker's streams that throws is the application's fault, and RxJS reports it the way it
 * reports every throwing subscriber: through `config.onUnhandledError`, after the breaker has finished its work.
 * These tests show that nothing in the breaker is left half-done and no call loses its result.
 */
describe('a listener that throws', () => {
  const reported: unknown[] = [];
  const previous = config.onUnhandledError;
  afterEach(() => {
    config.onUnhandledError = previous;
  });

  it('does not stop the transition, the other listeners or the call', async () => {
    config.onUnhandledError = (error) => reported.push(error);
    const breaker = circuitBreaker({ name: 'db', failMax: 1 });
    const seen: string[] = [];
    breaker.state$.subscribe(() => {
      throw new Error('listener bug');
    });
    breaker.state$.subscribe((state) => seen.push(state));
    breaker.events$.subscribe(() => {
      throw new Error('another listener bug');
    });

    const results: unknown[] = [];
    of(1)
      .pipe(breaker)
      .subscribe({ next: (value) => results.push(value) });
    throwError(() => new Error('boom'))
      .pipe(breaker)
      .subscribe({ error: (error: Error) => results.push(error.message) });

    expect(results).toEqual([1, 'Failures threshold reached, circuit breaker opened']);
    expect(breaker.state).toBe('open');
    expect(seen).toEqual(['closed', 'open']);
    // RxJS reports a subscriber's error on a later macrotask.
    await vi.waitFor(() => {
      const messages = reported.map((error) => (error as Error).message);
      expect(messages).toContain('listener bug');
      expect(messages).toContain('another listener bug');
    });
    breaker.dispose();
  });
});
