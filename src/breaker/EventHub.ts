import { Observable } from 'rxjs';
import type { Subscriber, Unsubscribable } from 'rxjs';
import type { CircuitBreakerEvent } from './CircuitBreakerEvent.js';
import type { CircuitState, Transition } from '../core/CircuitState.js';

/**
 * A breaker's event streams: one list of subscribers, each with what it takes from an event, delivered in the
 * order they subscribed, as subscribers of one `Subject` would be.
 *
 * @remarks
 * A `Subject` with an operator chain per stream costs every subscriber a chain of subscribers (a `state$`
 * subscriber held about 3.9 KB); here each subscriber of any stream is one small object in one list. What a
 * subject promises is kept: a subscriber added while an event is delivered hears only the next ones, one that
 * leaves during a delivery hears nothing more, and after `complete()` every new subscriber is completed at once.
 */
export class EventHub {
  /** Subscribers in the order they subscribed. */
  private readonly watchers: Watcher[] = [];
  /** The list as it was when the current delivery began (rebuilt after a change, as a subject does). */
  private delivering?: readonly Watcher[];
  private completed = false;

  readonly events$ = this.stream((event) => event);
  readonly transition$ = this.stream(transitionOf);
  readonly failure$ = this.stream((event) => (event.type === 'failure' ? event : undefined));
  readonly success$ = this.stream((event) => (event.type === 'success' ? event : undefined));
  readonly rejected$ = this.stream((event) => (event.type === 'rejected' ? event : undefined));
  readonly state$: Observable<CircuitState>;

  /** @param stateNow - The breaker's state at this moment (`state$` starts with it). */
  constructor(stateNow: () => CircuitState) {
    this.state$ = new Observable<CircuitState>((subscriber) => {
      const current = stateNow();
      subscriber.next(current);
      return subscriber.closed
        ? undefined
        : this.watch(new StateWatcher(this, subscriber, current));
    });
  }

  /** Whether any stream has a subscriber. */
  get observed(): boolean {
    return this.watchers.length > 0;
  }

  next(event: CircuitBreakerEvent): void {
    for (const watcher of (this.delivering ??= [...this.watchers])) watcher.next(event);
  }

  complete(): void {
    this.completed = true;
    const watchers = this.watchers.splice(0);
    this.delivering = undefined;
    for (const watcher of watchers) watcher.subscriber.complete();
  }

  remove(watcher: Watcher): void {
    const index = this.watchers.indexOf(watcher);
    if (index < 0) return;
    this.watchers.splice(index, 1);
    this.delivering = undefined;
  }

  private stream<T>(pick: (event: CircuitBreakerEvent) => T | undefined): Observable<T> {
    return new Observable<T>((subscriber) => this.watch(new PickWatcher(this, subscriber, pick)));
  }

  private watch(watcher: Watcher): Unsubscribable | undefined {
    if (this.completed) {
      watcher.subscriber.complete();
      return undefined;
    }
    this.watchers.push(watcher);
    this.delivering = undefined;
    // The watcher is its own teardown: no closure per subscriber.
    return watcher;
  }
}

/** One subscriber of one stream. */
abstract class Watcher<T = unknown> implements Unsubscribable {
  constructor(
    private readonly hub: EventHub,
    readonly subscriber: Subscriber<T>,
  ) {}

  abstract next(event: CircuitBreakerEvent): void;

  unsubscribe(): void {
    this.hub.remove(this);
  }
}

/** A subscriber of a stream that delivers what `pick` takes from an event (nothing when it returns undefined). */
class PickWatcher<T> extends Watcher<T> {
  constructor(
    hub: EventHub,
    subscriber: Subscriber<T>,
    private readonly pick: (event: CircuitBreakerEvent) => T | undefined,
  ) {
    super(hub, subscriber);
  }

  next(event: CircuitBreakerEvent): void {
    const value = this.pick(event);
    if (value !== undefined) this.subscriber.next(value);
  }
}

/** A `state$` subscriber: each transition to a state other than the last one it heard of. */
class StateWatcher extends Watcher<CircuitState> {
  constructor(
    hub: EventHub,
    subscriber: Subscriber<CircuitState>,
    private last: CircuitState,
  ) {
    super(hub, subscriber);
  }

  next(event: CircuitBreakerEvent): void {
    if (event.type !== 'transition' || event.to === this.last) return;
    this.last = event.to;
    this.subscriber.next(event.to);
  }
}

/** The transition as `transition$` gives it: without the event's own fields, and `retryAt` only when set. */
function transitionOf(event: CircuitBreakerEvent): Transition | undefined {
  if (event.type !== 'transition') return undefined;
  const { from, to, reason, retryAt, failureRate, slowCallRate } = event;
  return {
    from,
    to,
    reason,
    ...(retryAt === undefined ? {} : { retryAt }),
    // A rate trip says what the window's rates were (both are set together).
    ...(failureRate === undefined ? {} : { failureRate, slowCallRate }),
  };
}
