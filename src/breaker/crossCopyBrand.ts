/**
 * Marks an error class so that errors from any copy of this package loaded in one process are recognised
 * (`instanceof` fails across copies; a `Symbol.for` key is shared). The mark is on the prototype, not on each
 * instance: refusals are on the hot path of an open circuit. Returns the guard.
 */
export function crossCopyBrand<E extends Error>(
  errorClass: abstract new (...args: never[]) => E,
  key: string,
): (error: unknown) => error is E {
  const brand = Symbol.for(`rxjs-circuit-breaker.${key}`);
  Object.defineProperty(errorClass.prototype, brand, { value: true });
  return (error): error is E =>
    error instanceof Error && (error as unknown as Record<symbol, unknown>)[brand] === true;
}
