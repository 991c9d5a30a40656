// The few parts of opossum 10 the benchmark uses (opossum ships no type declarations).
declare module 'opossum' {
  interface CircuitBreakerOptions {
    /** Milliseconds before a call times out, or false for no timeout. Default 10000. */
    timeout?: number | false;
    resetTimeout?: number;
    errorThresholdPercentage?: number;
    volumeThreshold?: number;
    name?: string;
  }

  class CircuitBreaker<A extends unknown[] = unknown[], R = unknown> {
    constructor(action: (...args: A) => R | Promise<R>, options?: CircuitBreakerOptions);
    fire(...args: A): Promise<R>;
    open(): void;
    shutdown(): void;
  }

  export default CircuitBreaker;
}
