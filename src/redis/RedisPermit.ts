import type { Permit } from '../core/stateMachine.js';

/** A permit as the Redis store hands it out. The breaker gives it back as it got it. */
export interface RedisPermit extends Permit {
  /** The half-open trial slot this call holds in Redis. */
  readonly trialId?: string;
  /** Set when the call was admitted on the local state while Redis was unreachable: the outage it belongs to. */
  readonly localEpoch?: number;
}
