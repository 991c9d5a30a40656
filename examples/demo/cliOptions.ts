import { parseArgs } from 'node:util';

/** A bad command line: reported in one line with a pointer to `--help`, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An expected failure (a missing program, say): reported as its message alone, exit code 1. */
export class DemoFailure extends Error {
  override readonly name = 'DemoFailure';
}

/** How a numeric option may be set. */
export interface NumberRule {
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
}

/** The options given on the command line (as strings, still unchecked), or `'help'`. */
export type ParsedFlags = Readonly<Record<string, string | undefined>> | 'help';

/**
 * Parses `--name value` flags and `--name` switches (`--help`/`-h` among them); a switch given reads `'true'`.
 *
 * @param argv - The arguments after the script name.
 * @param names - The flags the program accepts, without the leading dashes.
 * @param switches - The flags that take no value.
 */
export function parseFlags(
  argv: readonly string[],
  names: readonly string[],
  switches: readonly string[] = [],
): ParsedFlags {
  const options = Object.fromEntries([
    ...names.map((name) => [name, { type: 'string' as const }]),
    ...switches.map((name) => [name, { type: 'boolean' as const }]),
  ]);
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | boolean | undefined> };
    if (values.help === true) return 'help';
    return Object.fromEntries(
      Object.entries(values).map(([name, value]) => [
        name,
        value === undefined ? value : String(value),
      ]),
    );
  } catch (error: unknown) {
    // parseArgs explains unknown options and missing values well; keep its first sentence (or line) only.
    const message = error instanceof Error ? error.message.split(/\.\s|\n/)[0] : String(error);
    throw new UsageError(message ?? 'invalid arguments');
  }
}

/** Reads a numeric flag, or its default when absent; a bad value is a {@link UsageError} naming the flag. */
export function numberFlag(
  flags: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
  rule: NumberRule,
): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  const kind = rule.integer ? 'an integer' : 'a number';
  if (!Number.isFinite(value) || (rule.integer === true && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be ${kind}, got "${raw}"`);
  }
  if (value < rule.min || value > rule.max) {
    throw new UsageError(`--${name} must be ${kind} from ${rule.min} to ${rule.max}, got ${raw}`);
  }
  return value;
}

/**
 * Runs a command-line program: a {@link UsageError} or a {@link DemoFailure} becomes a clear message on stderr
 * and a non-zero exit code (no stack trace); anything else is a bug and propagates with its stack.
 *
 * @param program - The command, as the user typed it (used in messages).
 * @param main - The program.
 */
export async function runCli(program: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      process.stderr.write(
        `${program}: ${error.message}\nRun "${program} -- --help" for the options.\n`,
      );
      process.exitCode = 2;
    } else if (error instanceof DemoFailure) {
      process.stderr.write(`${program}: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      throw error;
    }
  }
}
