// What every command gets and gives: its parsed options, a signal for Ctrl-C, and its exit code.
import type { ParseArgsConfig } from 'node:util';

/** Bad usage: exit 2, with the command's usage text. */
export class UsageError extends Error {}

export interface Context {
  /** Aborted on SIGINT and SIGTERM: cancel what is pending, release everything, and return. */
  signal: AbortSignal;
  stderr: NodeJS.WritableStream;
  /** Writes a status line to stderr (callers decide whether one is wanted). */
  status(message: string): void;
}

export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface Command {
  options: NonNullable<ParseArgsConfig['options']>;
  /** Runs; resolves with the exit code, or throws: a UsageError, or an error with a code. */
  run(values: Values, positionals: string[], context: Context): Promise<number>;
}

/** A whole number of milliseconds from an option, or a UsageError. */
export function milliseconds(values: Values, name: string): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (
    typeof text !== 'string' ||
    text.trim() === '' ||
    !Number.isInteger(value) ||
    value < 0 ||
    value > 2 ** 31 - 1
  ) {
    throw new UsageError(
      `--${name} must be a whole number of milliseconds, 0 to 2147483647, not '${String(text)}'`,
    );
  }
  return value;
}

/**
 * The one PATH a command takes, or a UsageError. On Windows `//./pipe/name` (npiperelay's
 * spelling, which needs no escaping in a shell) means `\\.\pipe\name`.
 */
export function onePath(positionals: string[]): string {
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0 ? 'PATH is missing' : `one PATH only, not ${positionals.length}`,
    );
  }
  const path = positionals[0] as string;
  return process.platform === 'win32' && /^\/\/[.?]\/pipe\//i.test(path) ? path.replace(/\//g, '\\') : path;
}

/** JSON for output: `Infinity` (unlimited instances) is written as "unlimited". */
export function jsonOf(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (item === Infinity ? 'unlimited' : item), 2);
}

/** Rows under a header, in columns as wide as their widest cell; the last column is free. */
export function table(header: string[], rows: string[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  return all
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  '),
    )
    .map((line) => `${line}\n`)
    .join('');
}

/** An error as one stderr line: its message, its code first where the message lacks it. */
export function errorLine(error: Error & { code?: string }): string {
  const code = error.code ?? 'ERROR';
  const message = error.message.includes(code) ? error.message : `${code}: ${error.message}`;
  return message.split('\n')[0] as string;
}
