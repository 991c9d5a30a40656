// What the validation specs share: a bad value of an option, and the error it must raise.

export type ErrorKind = typeof TypeError | typeof RangeError;

/** A bad value of one option. */
export interface BadValue {
  readonly option: string;
  readonly value: unknown;
  readonly kind: ErrorKind;
  /** How the message shows the value received. */
  readonly received: string;
  /** The option as the message names it, when it is not `option` (`exclude[0]`, `window.calls`). */
  readonly named?: string;
}

/** The error `action` throws (fails when it throws none). */
export function thrownBy(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, none was thrown');
}
