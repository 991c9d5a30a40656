import type { CircuitState } from '../../src/index.js';

/** Paints text for the terminal; every function returns its input unchanged when colour is off. */
export interface Palette {
  readonly green: (text: string) => string;
  readonly red: (text: string) => string;
  readonly yellow: (text: string) => string;
  readonly dim: (text: string) => string;
  readonly bold: (text: string) => string;
  readonly state: (state: CircuitState) => string;
}

/** Colour when `stream` is a terminal and the user has not asked for none (https://no-color.org). */
export function wantsColour(stream: { readonly isTTY?: boolean }): boolean {
  return stream.isTTY === true && (process.env.NO_COLOR ?? '') === '';
}

/** A palette of ANSI colours, or one that leaves text plain. */
export function palette(colour: boolean): Palette {
  const sgr = (code: number) => (text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  const green = sgr(32);
  const red = sgr(31);
  const yellow = sgr(33);
  const stateColour = {
    closed: green,
    open: red,
    'half-open': yellow,
    isolated: red,
    disabled: sgr(2),
  } as const;
  return {
    green,
    red,
    yellow,
    dim: sgr(2),
    bold: sgr(1),
    state: (state) => stateColour[state](state),
  };
}

/** What happened to one call, as the timelines show it. */
export type Outcome = 'success' | 'failure' | 'rejected';

/** One character per call: the shapes differ, so they read without colour too. */
export const outcomeSymbols: Readonly<Record<Outcome, string>> = {
  success: '●',
  failure: '✗',
  rejected: '○',
};

/** A call sent and not settled yet. */
export const pendingSymbol = '·';

/** Paints one call's symbol. */
export function paintOutcome(paint: Palette, outcome: Outcome | 'pending'): string {
  if (outcome === 'pending') return paint.dim(pendingSymbol);
  const symbol = outcomeSymbols[outcome];
  return outcome === 'success'
    ? paint.green(symbol)
    : outcome === 'failure'
      ? paint.red(symbol)
      : paint.yellow(symbol);
}

/** The legend printed above a timeline. */
export function legend(paint: Palette): string {
  return [
    `${paintOutcome(paint, 'success')} success`,
    `${paintOutcome(paint, 'failure')} failure (the service failed)`,
    `${paintOutcome(paint, 'rejected')} refused by the breaker (the service was not called)`,
  ].join('  ');
}

/** Pads text that may contain colour codes to `width` visible characters. */
export function padEndVisible(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - visibleLength(text)));
}

/** The number of characters a terminal shows for `text` (colour codes take none). */
export function visibleLength(text: string): number {
  return [...text.replace(/\x1b\[[0-9;]*m/g, '')].length;
}

/** Cuts `text` to `width` visible characters, keeping its colour codes (and resetting colour at the end). */
export function truncateVisible(text: string, width: number): string {
  if (visibleLength(text) <= width) return text;
  let visible = 0;
  let result = '';
  for (const part of text.split(/(\x1b\[[0-9;]*m)/)) {
    if (part.startsWith('\x1b[')) {
      result += part;
      continue;
    }
    const chars = [...part].slice(0, Math.max(0, width - visible));
    visible += chars.length;
    result += chars.join('');
  }
  return `${result}\x1b[0m`;
}
