import type { Context } from 'rxjs-marbles';

/** Runs `action` at each `x` of `marble`. */
export function at(m: Context, marble: string, action: () => unknown) {
  m.hot(marble).subscribe(() => void action());
}
