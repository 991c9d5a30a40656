import type { BreakerObserver } from '../breaker/BreakerObserver.js';
import type { CircuitBreaker } from '../breaker/circuitBreaker.js';
import type { CircuitBreakerEvent } from '../breaker/CircuitBreakerEvent.js';
import type { RegistryEntry, LastTransition } from './RegistryEntry.js';
import { registryHooks } from './registryHooks.js';
import type { HookedRegistry, RegistryHooks, RegistryMember } from './registryHooks.js';
import { snapshotOf } from './snapshotOf.js';

/**
 * One breaker's place in a registry. It is also an observer of the breaker that ignores ordinary calls, so the
 * registry hears of transitions (and counts failures and refusals) without a subscription and at no cost per
 * call. It holds the breaker weakly: a breaker nobody disposed drops out once it is garbage-collected.
 */
export class Membership implements BreakerObserver, RegistryMember {
  readonly observesCalls = false;
  id = 0;
  failures = 0;
  rejections = 0;
  lastTransition?: LastTransition;
  private readonly hooks: RegistryHooks;
  private ref?: WeakRef<CircuitBreaker>;

  constructor(
    registry: HookedRegistry,
    readonly name: string,
  ) {
    this.hooks = registry[registryHooks];
  }

  /** Joins the registry with the breaker built around this observer. */
  attach(breaker: CircuitBreaker): void {
    this.ref = new WeakRef(breaker);
    this.hooks.join(this);
  }

  leave(): void {
    this.hooks.leave(this);
  }

  /** A disposed breaker leaves its registry. */
  onDispose(): void {
    this.leave();
  }

  get breaker(): CircuitBreaker | undefined {
    return this.ref?.deref();
  }

  snapshot(): RegistryEntry | undefined {
    const breaker = this.breaker;
    return breaker && snapshotOf(breaker, this);
  }

  onEvent(event: CircuitBreakerEvent): void {
    if (event.type === 'failure') this.failures++;
    else if (event.type === 'rejected') this.rejections++;
    else if (event.type === 'transition') {
      // Copied, not kept: the event's `cause` is an Error, and a snapshot must be JSON-safe.
      const { time, from, to, reason } = event;
      this.lastTransition = { time, from, to, reason };
      this.hooks.transitioned(this, event);
    }
  }
}
