import type { ErrorClass, ExcludeRule } from './CircuitBreakerConfig.js';

/** Whether `error` is excluded by one of the rules. A throwing predicate excludes nothing. */
export function isExcluded(rules: readonly ExcludeRule[], error: unknown): boolean {
  return rules.some((rule) => {
    if (isErrorClass(rule)) return error instanceof rule;
    try {
      return rule(error);
    } catch {
      return false;
    }
  });
}

function isErrorClass(rule: ExcludeRule): rule is ErrorClass {
  return rule === Error || (rule.prototype as unknown) instanceof Error;
}
