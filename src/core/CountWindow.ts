import type { OutcomeCounts, OutcomeWindow } from './OutcomeWindow.js';

const failedBit = 1;
const slowBit = 2;

/** One outcome as one number, 0 to 3: bit 1 failed, bit 2 slow (the Redis store's scripts read it so too). */
export function outcomeCode(failed: boolean, slow: boolean): number {
  return (failed ? failedBit : 0) | (slow ? slowBit : 0);
}

/** The outcomes of the last `size` counted calls, in a ring of one byte per call. */
export class CountWindow implements OutcomeWindow {
  calls = 0;
  failures = 0;
  slowCalls = 0;
  private readonly outcomes: Uint8Array;
  /** The slot the next outcome goes to (the oldest one once the ring is full). */
  private next = 0;

  constructor(private readonly size: number) {
    this.outcomes = new Uint8Array(size);
  }

  record(_now: number, failed: boolean, slow: boolean): void {
    if (this.calls === this.size) this.forget(this.outcomes[this.next] ?? 0);
    const outcome = outcomeCode(failed, slow);
    this.outcomes[this.next] = outcome;
    this.calls++;
    this.failures += outcome & failedBit;
    this.slowCalls += (outcome & slowBit) >> 1;
    this.next = this.next + 1 === this.size ? 0 : this.next + 1;
  }

  advance(): void {
    // Only a new call pushes an old one out.
  }

  reset(): void {
    this.calls = this.failures = this.slowCalls = this.next = 0;
  }

  refill(now: number, { calls, failures, slowCalls }: OutcomeCounts): void {
    this.reset();
    const kept = Math.min(calls, this.size);
    for (let call = 0; call < kept; call++) this.record(now, call < failures, call < slowCalls);
  }

  private forget(outcome: number): void {
    this.calls--;
    this.failures -= outcome & failedBit;
    this.slowCalls -= (outcome & slowBit) >> 1;
  }
}
