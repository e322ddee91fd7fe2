#!/usr/bin/env node
// The `proactor` command: parses its arguments (node:util's parseArgs), runs one command, and
// turns what happened into Node's CLI conventions: errors on stderr, one line each with their
// code; exit 0 on success, 1 on failure, 2 on bad usage, 128 + the signal after Ctrl-C.
// Each command is a thin layer over the package's public API (imported as 'proactor').
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { version } from 'proactor';
import { connectCommand } from './commands/connect.js';
import { infoCommand } from './commands/info.js';
import { listenCommand } from './commands/listen.js';
import { pipesCommand } from './commands/pipes.js';
import { waitCommand } from './commands/wait.js';
import { type Command, type Context, errorLine, UsageError } from './context.js';
import { MAIN_USAGE, USAGE } from './usage.js';

const COMMANDS: Record<string, Command> = {
  listen: listenCommand,
  connect: connectCommand,
  wait: waitCommand,
  pipes: pipesCommand,
  info: infoCommand,
};

// 128 + the signal's number, as shells report it. SIGBREAK is Windows' Ctrl+Break.
const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGBREAK: 149 };
const STOP_SIGNALS = process.platform === 'win32' ? ['SIGINT', 'SIGTERM', 'SIGBREAK'] : ['SIGINT', 'SIGTERM'];

/** The command named `name`, if there is one (an own key: `toString` is no command). */
function commandOf(name: string | undefined): Command | undefined {
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) throw new UsageError('a command is missing');
  if (name === '-h' || name === '--help') {
    process.stdout.write(`${MAIN_USAGE}\n`);
    return 0;
  }
  if (name === '-v' || name === '--version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const command = commandOf(name);
  if (command === undefined) throw new UsageError(`unknown command '${name}'`);
  const { values, positionals } = parseArgs({
    args: rest,
    options: { ...command.options, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  } satisfies ParseArgsConfig);
  if (values.help === true) {
    process.stdout.write(`${USAGE[name]}\n`);
    return 0;
  }
  // Ctrl-C (SIGTERM, Ctrl+Break) stops the command: it cancels what is pending and returns. A
  // second one ends the process at once, as if we had not caught the first. So does a reader
  // of our stdout that goes away (`| head`): what it did not take, nobody wants.
  const stop = new AbortController();
  let caught: string | undefined;
  let readerGone = false;
  const onSignal = (signal: string): void => {
    caught = signal;
    for (const each of STOP_SIGNALS) process.off(each, onSignal);
    stop.abort();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  process.stdout.on('error', (error: Error & { code?: string }) => {
    if (error.code === 'EPIPE') readerGone = true;
    stop.abort(error);
  });
  const context: Context = {
    signal: stop.signal,
    stderr: process.stderr,
    status: (message) => process.stderr.write(message),
  };
  const stoppedCode = (): number | undefined =>
    caught !== undefined ? (SIGNAL_EXIT[caught] ?? 1) : readerGone ? 0 : undefined;
  try {
    const code = await command.run(values, positionals, context);
    return stoppedCode() ?? code;
  } catch (error) {
    if ((error as Error).name === 'AbortError' && stop.signal.aborted) {
      const code = stoppedCode();
      if (code !== undefined) return code;
      throw stop.signal.reason; // stdout failed some other way
    }
    throw error;
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  }
}

// Errors that bad arguments give (ours, parseArgs', and the library's checks of them): usage.
function isUsageError(error: Error & { code?: string }): boolean {
  if (error instanceof UsageError) return true;
  const code = error.code ?? '';
  return (
    code.startsWith('ERR_PARSE_ARGS_') || code.startsWith('ERR_INVALID_ARG_') || code === 'ERR_OUT_OF_RANGE'
  );
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error & { code?: string }) => {
    const name = process.argv[2];
    const label = commandOf(name) === undefined ? 'proactor' : `proactor ${name}`;
    if (isUsageError(error)) {
      const usage = commandOf(name) === undefined ? MAIN_USAGE : USAGE[name as string];
      process.stderr.write(`${label}: ${error.message}\n\n${usage}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`${label}: ${errorLine(error)}\n`);
    process.exitCode = 1;
  },
);
