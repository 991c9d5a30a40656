import type { Outcome, Palette } from './palette.js';
import { padEndVisible, paintOutcome, truncateVisible } from './palette.js';

/** One column of calls in a timeline row (one client, or one worker of a fleet). */
export interface Lane {
  readonly label: string;
  /** Calls per row. */
  readonly slots: number;
}

/** Where the timeline is written. */
export interface Output {
  write(text: string): unknown;
  /** The terminal's width, when it is one. */
  readonly columns?: number;
}

/** What a timeline shows besides the calls. */
export interface TimelineOptions {
  readonly out: Output;
  /** Redraw the current row on every call (a terminal), or print each row once it is complete (a pipe). */
  readonly live: boolean;
  readonly paint: Palette;
  readonly lanes: readonly Lane[];
  /** The breaker column of the current row, asked on every redraw. */
  readonly describeBreaker: () => string;
  /** Requests the breaker has spared the service so far. */
  readonly spared: () => number;
}

type Slot = Outcome | 'pending' | undefined;

interface Row {
  readonly second: number;
  readonly serviceDown: boolean;
  readonly lanes: Slot[][];
}

const clearLine = '\r\x1b[2K';

/**
 * A live terminal timeline: one row per second with one symbol per call, whether the service was up, the
 * requests spared so far and the breaker's state.
 */
export class Timeline {
  private row?: Row;

  constructor(private readonly options: TimelineOptions) {}

  /** The column titles. */
  header(): string {
    const { lanes, paint } = this.options;
    const laneTitles = lanes.map((lane) => lane.label.padEnd(lane.slots)).join('  ');
    return paint.bold(` time  service  ${laneTitles}  spared  breaker`);
  }

  /** Starts the row for second `second`. */
  startRow(second: number, serviceDown: boolean): void {
    this.endRow();
    this.row = {
      second,
      serviceDown,
      lanes: this.options.lanes.map((lane) => new Array<Slot>(lane.slots)),
    };
    this.redraw();
  }

  /** Sets one call's symbol in the current row. */
  record(lane: number, slot: number, outcome: Outcome | 'pending'): void {
    const slots = this.row?.lanes[lane];
    if (!slots || slot >= slots.length) return;
    slots[slot] = outcome;
    this.redraw();
  }

  /** Redraws the breaker column (its state changed). */
  refresh(): void {
    this.redraw();
  }

  /** Prints the current row for good. */
  endRow(): void {
    if (!this.row) return;
    const text = this.render(this.row);
    this.options.out.write(this.options.live ? `${clearLine}${text}\n` : `${text}\n`);
    this.row = undefined;
  }

  /** Rewrites the current line; cut to the terminal's width, since a wrapped line could not be rewritten. */
  private redraw(): void {
    if (!this.options.live || !this.row) return;
    const width = (this.options.out.columns ?? 1000) - 1;
    this.options.out.write(clearLine + truncateVisible(this.render(this.row), width));
  }

  private render(row: Row): string {
    const { paint, lanes } = this.options;
    const time = `${row.second}s`.padStart(5);
    const service = row.serviceDown ? paint.red('DOWN'.padEnd(7)) : paint.green('up'.padEnd(7));
    const calls = row.lanes
      .map((slots, index) => {
        const symbols = Array.from(slots, (slot) => (slot ? paintOutcome(paint, slot) : ' ')).join(
          '',
        );
        return padEndVisible(symbols, Math.max(lanes[index]?.label.length ?? 0, slots.length));
      })
      .join('  ');
    const spared = String(this.options.spared()).padStart(6);
    return `${time}  ${service}  ${calls}  ${spared}  ${this.options.describeBreaker()}`;
  }
}
