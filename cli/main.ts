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
import { type Command, type Context, UsageError } from './context.js';
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
  const command = COMMANDS[name];
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
  // Ctrl-C (SIGTERM, Ctrl+Break) aborts the command: it cancels what is pending and returns.
  const interrupt = new AbortController();
  let caught: string | undefined;
  const onSignal = (signal: string): void => {
    caught ??= signal;
    interrupt.abort();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  const context: Context = {
    signal: interrupt.signal,
    stderr: process.stderr,
    status: (message) => process.stderr.write(message),
  };
  try {
    const code = await command.run(values, positionals, context);
    return caught === undefined ? code : (SIGNAL_EXIT[caught] ?? 1);
  } catch (error) {
    if (caught !== undefined && (error as Error).name === 'AbortError') return SIGNAL_EXIT[caught] ?? 1;
    throw error;
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  }
}

function commandName(argv: string[]): string {
  const name = argv[0];
  return name !== undefined && name in COMMANDS ? `proactor ${name}` : 'proactor';
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error & { code?: string }) => {
    const name = commandName(process.argv.slice(2));
    const usage = error instanceof UsageError || error.code?.startsWith('ERR_PARSE_ARGS_') === true;
    if (usage) {
      const command = process.argv[2];
      process.stderr.write(`${name}: ${error.message}\n\n${(command && USAGE[command]) ?? MAIN_USAGE}\n`);
      process.exitCode = 2;
      return;
    }
    const code = error.code ?? 'ERROR';
    const message = error.message.includes(code) ? error.message : `${code}: ${error.message}`;
    process.stderr.write(`${name}: ${message.split('\n')[0]}\n`);
    process.exitCode = 1;
  },
);
