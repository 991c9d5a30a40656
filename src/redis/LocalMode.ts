import type { Permit } from '../core/stateMachine.js';
import type { RedisPermit } from './RedisPermit.js';

/**
 * The bookkeeping of "local mode": while Redis is unreachable, a store decides on its mirror alone.
 *
 * @remarks
 * Every switch between shared and local decisions starts a new epoch. A call admitted locally carries the epoch
 * it was admitted in, and its outcome counts only while that same outage lasts: Redis never saw the call, and a
 * later outage starts from a mirror that a read has replaced in between.
 */
export class LocalMode {
  /** True while Redis is unreachable and decisions are local. */
  active = false;
  /** True once a local decision moved the mirror away from the last shared state; false whenever not active. */
  private diverged = false;
  private epoch = 0;

  /** Starts deciding locally; returns false if this store already was. */
  enter(): boolean {
    if (this.active) return false;
    this.active = true;
    this.epoch += 1;
    return true;
  }

  /** Goes back to shared decisions; returns whether local decisions had moved the mirror (false if not local). */
  leave(): boolean {
    if (!this.active) return false;
    const diverged = this.diverged;
    this.active = false;
    this.diverged = false;
    this.epoch += 1;
    return diverged;
  }

  /** Notes that a local decision moved the mirror; a transition decided in Redis is no divergence. */
  diverge(): void {
    if (this.active) this.diverged = true;
  }

  /** The permit of a call admitted on the local state: valid in this epoch only. */
  permit(generation: number): RedisPermit {
    return { generation, localEpoch: this.epoch };
  }

  /** Whether a local decision may count this permit: local now, and, if it was admitted locally, still since then. */
  admits(permit: Permit): boolean {
    const { localEpoch } = permit as RedisPermit;
    return this.active && (localEpoch === undefined || localEpoch === this.epoch);
  }
}
