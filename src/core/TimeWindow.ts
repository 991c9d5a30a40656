import type { OutcomeCounts, OutcomeWindow } from './OutcomeWindow.js';

/** Per bucket, three figures side by side: calls, failures, slow calls. */
const figures = 3;

/**
 * The outcomes of the last `duration` milliseconds, in a ring of `buckets` buckets of `duration / buckets` ms
 * each (as Resilience4j and Polly do): an outcome recorded at time t counts until its bucket is `buckets` buckets
 * old, that is while `floor(now / width) − floor(t / width) < buckets`.
 */
export class TimeWindow implements OutcomeWindow {
  calls = 0;
  failures = 0;
  slowCalls = 0;
  private readonly width: number;
  private readonly counts: Float64Array;
  /** The latest bucket number (`floor(time / width)`) the window has reached. */
  private head = -Infinity;

  constructor(
    duration: number,
    private readonly buckets: number,
  ) {
    this.width = duration / buckets;
    this.counts = new Float64Array(buckets * figures);
  }

  record(now: number, failed: boolean, slow: boolean): void {
    this.add(now, 1, failed ? 1 : 0, slow ? 1 : 0);
  }

  refill(now: number, { calls, failures, slowCalls }: OutcomeCounts): void {
    this.reset();
    this.add(now, calls, failures, slowCalls);
  }

  /** Empties the buckets that time has moved into: at most `buckets` of them, however long the gap. */
  advance(now: number): void {
    const bucket = Math.floor(now / this.width);
    if (bucket <= this.head) return;
    const entered = Math.min(this.buckets, bucket - this.head);
    for (let step = 0; step < entered; step++) this.empty(this.slotOf(bucket - step));
    this.head = bucket;
  }

  reset(): void {
    this.counts.fill(0);
    this.calls = this.failures = this.slowCalls = 0;
  }

  private empty(slot: number): void {
    const base = slot * figures;
    this.calls -= this.take(base);
    this.failures -= this.take(base + 1);
    this.slowCalls -= this.take(base + 2);
  }

  /** Adds outcomes to the bucket of `now`. */
  private add(now: number, calls: number, failures: number, slowCalls: number): void {
    this.advance(now);
    const base = this.slotOf(this.head) * figures;
    this.increment(base, calls);
    this.increment(base + 1, failures);
    this.increment(base + 2, slowCalls);
    this.calls += calls;
    this.failures += failures;
    this.slowCalls += slowCalls;
  }

  private increment(index: number, amount: number): void {
    this.counts[index] = (this.counts[index] ?? 0) + amount;
  }

  /** Reads a count and zeroes it. */
  private take(index: number): number {
    const count = this.counts[index] ?? 0;
    this.counts[index] = 0;
    return count;
  }

  private slotOf(bucket: number): number {
    const slot = bucket % this.buckets;
    return slot < 0 ? slot + this.buckets : slot;
  }
}
