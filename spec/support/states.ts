/** The marble values of `state$`: `c`, `o` and `h`. */
export const states = { c: 'closed', o: 'open', h: 'half-open' } as const;

/** The marble values of `state$` with the states held by hand: `i` isolated, `d` disabled. */
export const allStates = { ...states, i: 'isolated', d: 'disabled' } as const;
