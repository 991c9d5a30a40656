/** The marble values of `state$`: `c`, `o` and `h`. */
export const states = { c: 'closed', o: 'open', h: 'half-open' } as const;
