/**
 * Estimates the difference between the breaker's clock (`scheduler.now()`) and Redis's clock (`TIME`) from
 * script round trips, as NTP does: Redis read its clock somewhere between sending and receiving, so the midpoint
 * is the best guess, and the round trip with the shortest duration gives the tightest one. Samples age out so
 * that drift is followed, and a sample that the current estimate contradicts (Redis read its clock outside the
 * round trip by that estimate: a clock jumped) replaces it at once: otherwise a deadline judged locally could fall
 * before Redis's, and the store would read half-open a circuit that Redis still holds open.
 */
export class ClockOffset {
  private offset = 0;
  private bestRoundTrip = Infinity;
  private sampledAt = -Infinity;

  constructor(private readonly maxSampleAge = 60_000) {}

  /** Takes one round trip: sent and received on the local clock, `redisNow` read by the script. */
  sample(sentAt: number, receivedAt: number, redisNow: number): void {
    const roundTrip = receivedAt - sentAt;
    const aged = receivedAt - this.sampledAt > this.maxSampleAge;
    const estimated = redisNow + this.offset;
    const contradicted = estimated < sentAt || estimated > receivedAt;
    if (roundTrip > this.bestRoundTrip && !aged && !contradicted) return;
    this.offset = (sentAt + receivedAt) / 2 - redisNow;
    this.bestRoundTrip = roundTrip;
    this.sampledAt = receivedAt;
  }

  /** Converts a Redis time in milliseconds to the local clock. */
  toLocal(redisMs: number): number {
    return redisMs + this.offset;
  }
}
