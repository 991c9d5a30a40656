import { Subscription, VirtualTimeScheduler, of, throwError } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { circuitBreaker } from '../src/index.js';
import type { CircuitBreaker, CircuitState, Transition } from '../src/index.js';

const boom = new Error('boom');
let subscriptions = new Subscription();
afterEach(() => {
  subscriptions.unsubscribe();
  subscriptions = new Subscription();
});

function breakerOnVirtualTime(): CircuitBreaker {
  return circuitBreaker({
    name: 'db',
    failMax: 1,
    scheduler: new VirtualTimeScheduler(),
    tracer: false,
    meter: false,
  });
}

function trip(breaker: CircuitBreaker): void {
  subscriptions.add(
    throwError(() => boom)
      .pipe(breaker)
      .subscribe({ error: () => undefined }),
  );
}

function collect<T>(stream: { subscribe(next: (value: T) => void): Subscription }): T[] {
  const seen: T[] = [];
  subscriptions.add(stream.subscribe((value) => seen.push(value)));
  return seen;
}

const opened: Transition = {
  from: 'closed',
  to: 'open',
  reason: 'failure_threshold',
  retryAt: 60_000,
};
const closedAgain: Transition = { from: 'open', to: 'closed', reason: 'manual' };

describe('transitions and calls made by a subscriber while an event is delivered', () => {
  it('a transition$ subscriber that closes the circuit when it opens: everyone sees open, then closed', () => {
    const breaker = breakerOnVirtualTime();
    const first = collect(breaker.transition$);
    subscriptions.add(
      breaker.transition$.subscribe(({ to }) => {
        if (to === 'open') void breaker.close();
      }),
    );
    const later = collect(breaker.transition$);
    const states = collect<CircuitState>(breaker.state$);

    trip(breaker);

    expect(breaker.state).toBe('closed');
    expect(first).toEqual([opened, closedAgain]);
    expect(later).toEqual([opened, closedAgain]);
    expect(states).toEqual(['closed', 'open', 'closed']);
    breaker.dispose();
  });

  it('a call made from a failure$ subscriber is reported after the transition the failure caused', () => {
    const breaker = breakerOnVirtualTime();
    const refusals: unknown[] = [];
    subscriptions.add(
      breaker.failure$.subscribe(() => {
        subscriptions.add(
          of(1)
            .pipe(breaker)
            .subscribe({ error: (error) => refusals.push(error) }),
        );
      }),
    );
    const events = collect(breaker.events$);

    trip(breaker);

    expect(events.map((event) => event.type)).toEqual([
      'call',
      'failure',
      'transition',
      'rejected',
    ]);
    expect(refusals).toMatchObject([{ kind: 'open' }]);
    breaker.dispose();
  });
});
