// proactor listen PATH: serve a pipe to one client, or to each in turn (--keep), bridging it to
// stdin and stdout or to a command run per connection (--exec).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { createServer, type PipeSocket, type ServerOptions } from 'proactor';
import { Input, session, StatusLine } from '../bridge.js';
import {
  type Command,
  type Context,
  errorLine,
  milliseconds,
  onePath,
  UsageError,
  type Values,
} from '../context.js';

export const listenCommand: Command = {
  options: {
    keep: { type: 'boolean', short: 'k' },
    exec: { type: 'string', short: 'e' },
    instances: { type: 'string' },
    'current-user-only': { type: 'boolean' },
    sddl: { type: 'string' },
    'allow-remote': { type: 'boolean' },
    'eof-timeout': { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
  },
  run,
};

function serverOptions(values: Values): ServerOptions {
  const options: ServerOptions = {
    allowHalfOpen: true,
    pauseOnConnect: true,
    rejectRemoteClients: values['allow-remote'] !== true,
    eofTimeout: milliseconds(values, 'eof-timeout') ?? Infinity,
  };
  if (values.instances !== undefined) {
    const instances = Number(values.instances);
    if (!Number.isInteger(instances) || instances < 1 || instances > 255) {
      throw new UsageError(
        `--instances must be a whole number from 1 to 255, not '${String(values.instances)}'`,
      );
    }
    options.instances = instances;
  }
  if (values['current-user-only'] === true || values.sddl !== undefined) {
    options.security = {};
    if (values['current-user-only'] === true) options.security.currentUserOnly = true;
    if (typeof values.sddl === 'string') options.security.sddl = values.sddl;
  }
  return options;
}

async function run(values: Values, positionals: string[], context: Context): Promise<number> {
  const path = onePath(positionals);
  const options = serverOptions(values);
  const keep = values.keep === true;
  const command = typeof values.exec === 'string' ? values.exec : undefined;
  if (command === '') throw new UsageError('--exec needs a command');
  const server = createServer(options);
  const waiting: PipeSocket[] = [];
  let wake: (() => void) | undefined;
  server.on('connection', (socket: PipeSocket) => {
    // Until its turn, an error only ends it (its session then finds it destroyed).
    socket.on('error', () => {});
    waiting.push(socket);
    // One client and done: nobody else gets in.
    if (!keep) server.close();
    wake?.();
  });
  const stop = (): void => {
    server.close();
    for (const socket of waiting.splice(0)) socket.destroy();
    wake?.();
  };
  context.signal.addEventListener('abort', stop, { once: true });
  try {
    server.listen(path);
    await Promise.race([once(server, 'listening'), once(server, 'close')]);
    // Once listening, a failure is the server's, not one client's (EMFILE, say): the server
    // reports it and retries, and so do we.
    server.on('error', (error: Error) => context.stderr.write(`proactor listen: ${errorLine(error)}\n`));
    const input = new Input(process.stdin);
    const status = StatusLine.for(values.quiet === true, context.status);
    let failure: Error | undefined;
    for (let served = 0; !context.signal.aborted && (keep || served === 0);) {
      const socket = waiting.shift();
      if (socket === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      served++;
      const stopSocket = (): void => void socket.destroy();
      context.signal.addEventListener('abort', stopSocket, { once: true });
      failure =
        command === undefined
          ? await session(socket, input, process.stdout, status, 'client')
          : await execSession(socket, command, context);
      context.signal.removeEventListener('abort', stopSocket);
      // A client that fails ends only its own session when serving clients in turn.
      if (failure !== undefined && keep) context.stderr.write(`proactor listen: ${errorLine(failure)}\n`);
    }
    if (context.signal.aborted) input.close();
    else process.stdin.pause();
    if (failure !== undefined && !keep) throw failure;
    return 0;
  } finally {
    context.signal.removeEventListener('abort', stop);
    stop();
  }
}

/**
 * Runs `command` through the shell with its stdin and stdout on the pipe; resolves when the
 * command has exited and the pipe has closed. Once the client has ended its writes (or left),
 * the command's input ends and it has 2 s to finish, as socat's `-t`, before it is stopped
 * (SIGTERM, then SIGKILL a second later); Ctrl-C stops it at once. On Linux the command runs in
 * a process group of its own, and the group is signalled: the shell may have left the command
 * as its child. On Windows `cmd.exe` is ended (`TerminateProcess`); a program it started
 * outlives it only as long as it ignores its closed stdin and stdout.
 */
async function execSession(
  socket: PipeSocket,
  command: string,
  context: Context,
): Promise<Error | undefined> {
  if (socket.destroyed) return undefined;
  const child = spawn(command, { shell: true, detached: !WINDOWS, stdio: ['pipe', 'pipe', 'inherit'] });
  let failure: Error | undefined;
  socket.on('error', (error) => (failure ??= error));
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    // No command to run (no shell): the client has nobody to talk to.
    child.once('error', (error) => {
      failure ??= error;
      socket.destroy();
      resolve();
    });
  });
  // A command that stops reading early, or a client gone, is not an error of the session.
  child.stdin.on('error', () => {});
  socket.pipe(child.stdin);
  child.stdout.pipe(socket);
  socket.resume();
  const closed = socket.closed ? Promise.resolve() : once(socket, 'close').then(() => undefined);
  const ended = socket.readableEnded ? Promise.resolve() : once(socket, 'end').then(() => undefined);
  const stop = (): void => void stopCommand(child, exited, 0);
  context.signal.addEventListener('abort', stop, { once: true });
  await Promise.race([closed, ended.catch(() => undefined), exited]);
  await stopCommand(child, exited, EXEC_GRACE_MS);
  // Its output to its end, but whoever else holds the command's stdout (a program the shell left
  // running) does not hold us.
  if (!child.stdout.readableEnded) {
    await Promise.race([once(child.stdout, 'end'), delay(STOP_GRACE_MS, undefined, { ref: false })]);
  }
  child.stdout.destroy();
  child.stdin.destroy();
  socket.end();
  await closed;
  context.signal.removeEventListener('abort', stop);
  return failure;
}

const WINDOWS = process.platform === 'win32';
const STOP_GRACE_MS = 1000;
const EXEC_GRACE_MS = 2000;

/** Waits `grace` ms for the command to exit, then SIGTERM, and a second later SIGKILL. */
async function stopCommand(child: ChildProcess, exited: Promise<void>, grace: number): Promise<void> {
  const within = (ms: number): Promise<boolean> =>
    Promise.race([exited.then(() => true), delay(ms, undefined, { ref: false }).then(() => false)]);
  if (child.pid === undefined || (await within(grace))) return;
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
    try {
      if (WINDOWS) child.kill(signal);
      else process.kill(-child.pid, signal);
    } catch {
      // Gone already.
    }
    if (await within(STOP_GRACE_MS)) return;
  }
}
