// breakerRegistry(): named defaultRegistry.ts, as BreakerRegistry.ts (the type) differs only in case.
import type { BreakerRegistry } from './BreakerRegistry.js';
import { createBreakerRegistry } from './createBreakerRegistry.js';

/** On `globalThis` under a `Symbol.for` key: one default registry even when the ESM and CJS builds both load. */
const defaultKey = Symbol.for('rxjs-circuit-breaker.defaultRegistry');

/**
 * The process-wide default registry, which every breaker joins unless its config says otherwise.
 *
 * @example
 * ```ts
 * import { breakerRegistry, circuitBreaker } from 'rxjs-circuit-breaker';
 *
 * circuitBreaker({ name: 'inventory' });
 * const open = breakerRegistry()
 *   .snapshot()
 *   .filter((breaker) => breaker.state === 'open');
 * console.log(open.length === 0 ? 'healthy' : 'degraded');
 * ```
 * @public
 */
export function breakerRegistry(): BreakerRegistry {
  const global = globalThis as { [defaultKey]?: BreakerRegistry };
  return (global[defaultKey] ??= createBreakerRegistry());
}
