/**
 * Throws the error for a bad input, naming the field: `memoryStore: "snapshot.state" must be ..., received ...`.
 * A wrong type is a TypeError, a value out of range a RangeError.
 */
export function invalidInput(
  where: string,
  field: string,
  expected: string,
  value: unknown,
  kind: typeof TypeError = typeof value === 'number' ? RangeError : TypeError,
): never {
  throw new kind(`${where}: "${field}" must be ${expected}, received ${describeValue(value)}`);
}

/** A short description of any value, for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  return String(value);
}
