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
  /** Redraw the current row on every change (a terminal), or print each row once it is complete (a pipe). */
  readonly live: boolean;
  readonly paint: Palette;
  readonly lanes: readonly Lane[];
  /**
   * Whether the service was down while the row's calls were made: `span` runs from the first call's start to the
   * last one's (milliseconds; the times given to {@link Timeline.record}). A row with a failure shows down anyway.
   */
  readonly serviceDown: (span: Span) => boolean;
  /** The breaker column of the row for second `second`, asked on every redraw. */
  readonly describeBreaker: (second: number) => string;
}

type Slot = Outcome | 'pending' | undefined;

/** From the first to the last time recorded in a row, in milliseconds. */
export interface Span {
  readonly from: number;
  readonly to: number;
}

interface Row {
  readonly lanes: Slot[][];
  span?: Span;
}

const clearLine = '\r\x1b[2K';

/**
 * A live terminal timeline: one row per second with one symbol per call, whether the service was up, the
 * requests spared so far and the breaker's state.
 *
 * @remarks
 * A call belongs to the second it was made in, however late its outcome comes: a row is printed once each of
 * its calls has settled and its second is over (or at {@link Timeline.finish}), so every call shows, in its own
 * row, and the rows add up to the counts. The service column says whether the outage had begun while the row's
 * calls were made (late, on a busy machine, than their second), or a call in it failed: a failure never shows in
 * a row marked up.
 */
export class Timeline {
  private readonly rows = new Map<number, Row>();
  /** The second that has begun most recently. */
  private now = -1;
  /** The next row to print. */
  private next = 0;
  /** Refusals in the rows printed so far. */
  private spared = 0;

  constructor(private readonly options: TimelineOptions) {}

  /** The column titles. */
  header(): string {
    const { lanes, paint } = this.options;
    const laneTitles = lanes.map((lane) => lane.label.padEnd(lane.slots)).join('  ');
    return paint.bold(` time  service  ${laneTitles}  spared  breaker`);
  }

  /** Second `second` has begun: the rows before it print as soon as all their calls have settled. */
  begin(second: number): void {
    this.now = Math.max(this.now, second);
    this.printSettled();
  }

  /**
   * Sets the symbol of call `slot` in `lane`, made in second `second`; `times` (when the call started, if that
   * is news) widen the row's span.
   */
  record(
    second: number,
    lane: number,
    slot: number,
    outcome: Outcome | 'pending',
    times: readonly number[],
  ): void {
    const row = this.row(second);
    const slots = row.lanes[lane];
    if (!slots || slot >= slots.length) return;
    slots[slot] = outcome;
    for (const at of times)
      row.span = { from: Math.min(at, row.span?.from ?? at), to: Math.max(at, row.span?.to ?? at) };
    this.printSettled();
  }

  /** Redraws the breaker column (its state changed). */
  refresh(): void {
    this.redraw();
  }

  /** Prints every row left, settled or not: those of the seconds before the last one begun, and any with a call. */
  finish(): void {
    const last = Math.max(this.now - 1, ...this.rows.keys());
    while (this.next <= last) this.print(this.next);
  }

  private row(second: number): Row {
    let row = this.rows.get(second);
    if (!row) {
      row = { lanes: this.options.lanes.map((lane) => new Array<Slot>(lane.slots)) };
      this.rows.set(second, row);
    }
    return row;
  }

  /** The row's calls, lane by lane (a row nobody has called in yet is blank). */
  private slotsOf(second: number): Slot[][] {
    return (
      this.rows.get(second)?.lanes ?? this.options.lanes.map((lane) => new Array<Slot>(lane.slots))
    );
  }

  private printSettled(): void {
    while (this.next < this.now && isSettled(this.slotsOf(this.next))) this.print(this.next);
    this.redraw();
  }

  private print(second: number): void {
    const text = this.render(second);
    this.spared += refusals(this.slotsOf(second));
    this.options.out.write(this.options.live ? `${clearLine}${text}\n` : `${text}\n`);
    this.rows.delete(second);
    this.next = second + 1;
  }

  /** Rewrites the oldest unprinted row; cut to the terminal's width, since a wrapped line could not be rewritten. */
  private redraw(): void {
    if (!this.options.live || this.next > this.now) return;
    const width = (this.options.out.columns ?? 1000) - 1;
    this.options.out.write(clearLine + truncateVisible(this.render(this.next), width));
  }

  private render(second: number): string {
    const { paint, lanes } = this.options;
    const row = this.slotsOf(second);
    const time = `${second}s`.padStart(5);
    // Before any call, the row's own second.
    const span = this.rows.get(second)?.span ?? { from: second * 1000, to: second * 1000 + 999 };
    const failed = row.some((slots) => slots.includes('failure'));
    const service =
      failed || this.options.serviceDown(span)
        ? paint.red('DOWN'.padEnd(7))
        : paint.green('up'.padEnd(7));
    const calls = row
      .map((slots, index) => {
        const symbols = Array.from(slots, (slot) => (slot ? paintOutcome(paint, slot) : ' ')).join(
          '',
        );
        return padEndVisible(symbols, Math.max(lanes[index]?.label.length ?? 0, slots.length));
      })
      .join('  ');
    const spared = String(this.spared + refusals(row)).padStart(6);
    return `${time}  ${service}  ${calls}  ${spared}  ${this.options.describeBreaker(second)}`;
  }
}

function isSettled(row: readonly Slot[][]): boolean {
  return row.every((slots) => Array.from(slots).every((slot) => slot && slot !== 'pending'));
}

function refusals(row: readonly Slot[][]): number {
  return row.flat().filter((slot) => slot === 'rejected').length;
}
