import { map } from 'rxjs';
import type { Context } from 'rxjs-marbles';

/** Emits `read()` at each `x` of `marble`: a way to show a getter's value frame by frame. */
export function probe<T>(m: Context, marble: string, read: () => T) {
  return m.hot(marble).pipe(map(read));
}
