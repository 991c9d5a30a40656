import { Subject, asyncScheduler, auditTime, defer, from, map, merge, mergeMap, share } from 'rxjs';
import type { Observable, SchedulerLike } from 'rxjs';
import type { CircuitBreaker } from '../breaker/circuitBreaker.js';
import type { TransitionEvent } from '../breaker/CircuitBreakerEvent.js';
import { checkOptions, schedulerCheck, timerDelayCheck } from '../config/checkOptions.js';
import type { Check } from '../config/checkOptions.js';
import type { BreakerRegistry, RegistryEvent } from './BreakerRegistry.js';
import type { RegistryEntry } from './RegistryEntry.js';
import { registryHooks } from './registryHooks.js';
import type { RegistryHooks, RegistryMember } from './registryHooks.js';

/**
 * Options of {@link createBreakerRegistry}.
 *
 * @public
 */
export interface BreakerRegistryOptions {
  /** Milliseconds over which `snapshot$` coalesces changes: ≥ 0 and at most 2^31 - 1. Default 100. */
  readonly coalesceTime?: number;
  /** Where `snapshot$` coalesces. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

const owner = 'createBreakerRegistry';

const checks: Readonly<Record<keyof BreakerRegistryOptions, Check>> = {
  coalesceTime: timerDelayCheck(owner, 'at least 0'),
  scheduler: schedulerCheck(owner),
};

/**
 * Creates a registry of its own, for breakers whose config passes it as `registry` (tests, or a handler that
 * shows only some breakers). Most code uses the default one, {@link breakerRegistry}.
 *
 * @example
 * ```ts
 * import { circuitBreaker, createBreakerRegistry } from 'rxjs-circuit-breaker';
 *
 * const payments = createBreakerRegistry();
 * circuitBreaker({ name: 'card-api', registry: payments });
 * console.log(payments.snapshot()); // [{ id: 1, name: 'card-api', state: 'closed', ... }]
 * ```
 * @public
 */
export function createBreakerRegistry(options: BreakerRegistryOptions = {}): BreakerRegistry {
  checkOptions(owner, '"options"', options, checks);
  const { coalesceTime = 100, scheduler = asyncScheduler } = options;
  return new Registry(coalesceTime, scheduler);
}

const minimumPurge = 1024;

class Registry implements BreakerRegistry {
  readonly snapshot$: Observable<RegistryEntry[]>;
  readonly events$: Observable<RegistryEvent>;
  readonly transition$: Observable<RegistryEvent<TransitionEvent>>;
  readonly [registryHooks]: RegistryHooks;

  private readonly members = new Set<RegistryMember>();
  private readonly joins = new Subject<RegistryMember>();
  private readonly changes = new Subject<void>();
  private readonly transitions = new Subject<RegistryEvent<TransitionEvent>>();
  private lastId = 0;
  /** Size at which `join` next drops the members whose breaker was garbage-collected. */
  private purgeAt = minimumPurge;

  constructor(coalesceTime: number, scheduler: SchedulerLike) {
    this.snapshot$ = defer(() =>
      merge(from([undefined]), this.changes.pipe(auditTime(coalesceTime, scheduler))).pipe(
        map(() => this.snapshot()),
      ),
    );
    this.transition$ = this.transitions.asObservable();
    // One subscription per breaker however many watch, and only while someone does.
    this.events$ = defer(() => merge(from([...this.members]), this.joins)).pipe(
      mergeMap(({ name, id, breaker }) =>
        (breaker?.events$ ?? from([])).pipe(map((event) => ({ name, id, event }))),
      ),
      share(),
    );
    this[registryHooks] = {
      join: (member) => {
        if (this.members.size >= this.purgeAt) this.purge();
        member.id = ++this.lastId;
        this.members.add(member);
        this.joins.next(member);
        this.changes.next();
      },
      leave: (member) => {
        if (this.members.delete(member)) this.changes.next();
      },
      transitioned: (member, event) => {
        this.transitions.next({ name: member.name, id: member.id, event });
        this.changes.next();
      },
    };
  }

  get size(): number {
    this.purge();
    return this.members.size;
  }

  snapshot(): RegistryEntry[] {
    const entries: RegistryEntry[] = [];
    for (const member of this.members) {
      const entry = member.snapshot();
      if (entry) entries.push(entry);
    }
    return entries;
  }

  /**
   * Drops the members whose breaker was garbage-collected without being disposed (a FinalizationRegistry would
   * do it sooner, at several hundred bytes per breaker). Run when the set has doubled since, so a process that
   * never disposes its breakers keeps at most as many dead members as live ones, at O(1) amortised per join.
   */
  private purge(): void {
    for (const member of this.members) if (!member.breaker) this.members.delete(member);
    this.purgeAt = Math.max(minimumPurge, 2 * this.members.size);
  }

  breakers(name: string): CircuitBreaker[] {
    const found: CircuitBreaker[] = [];
    for (const member of this.members) {
      const breaker = member.name === name ? member.breaker : undefined;
      if (breaker) found.push(breaker);
    }
    return found;
  }
}
