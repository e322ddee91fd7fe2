// The help texts: `proactor --help`, and each command's `--help`.

export const MAIN_USAGE = `Usage: proactor <command> [options]

Named pipes (Windows) and AF_UNIX sockets (Linux), and process exits, from the shell.

Commands:
  listen PATH     serve a pipe: stdin goes to the client, what it sends goes to stdout
  connect PATH    bridge stdin and stdout to a pipe server
  wait PID...     wait for processes to exit, any process
  pipes [FILTER]  list the pipes servers listen on
  info PATH       say who serves a pipe

Options:
  -h, --help      show this help (proactor <command> --help: the command's)
  -v, --version   show the version

Exit codes: 0 success, 1 failure (the error on stderr, with its code), 2 bad usage.`;

export const USAGE: Record<string, string> = {
  listen: `Usage: proactor listen PATH [options]

Serves the pipe PATH (Windows \\\\.\\pipe\\NAME; Linux a socket file). One client: stdin goes to
it, and what it sends goes to stdout; then the command exits.

Options:
  -k, --keep                serve clients one after another; the next waits its turn
  -e, --exec CMD            run CMD (through the shell) per connection, its stdin and stdout
                            on the pipe, as socat's EXEC; with --keep, one after another
      --instances N         pipe instances kept waiting (Linux: accepts queued), 1-255
      --current-user-only   only this user may connect (Windows DACL; Linux mode 0600)
      --sddl SDDL           Windows: the pipe's security descriptor, as SDDL
      --allow-remote        Windows: accept clients from other machines
      --eof-timeout MS      Windows: after stdin ends, how long to keep reading (default:
                            until the client leaves; pipes cannot half-close)
  -q, --quiet               no status line on stderr (shown only when stdout is a terminal)
  -h, --help                show this help`,

  connect: `Usage: proactor connect PATH [options]

Connects to the pipe server at PATH and bridges stdin and stdout to it, as npiperelay does, so
socat can drive it. A busy server is retried until --timeout.

Options:
  -t, --timeout MS          give up connecting after MS ms (ETIMEDOUT); default: keep trying
  -w, --wait                wait for the pipe to exist (retried every 50 ms until --timeout),
                            for a server that is still starting
      --eof-timeout MS      Windows: after stdin ends, how long to keep reading the answer
                            before closing (pipes cannot half-close); default 1000
  -q, --quiet               no status line on stderr (shown only when stdout is a terminal)
  -h, --help                show this help`,

  wait: `Usage: proactor wait PID... [options]

Waits for processes to exit (any process, not only a child) and prints each exit. With one PID
its exit code is ours (a signal: 128 + its number). On Linux the exit code of a process that is
not our child is unknown (its parent reaps it); the exit is still reported.

Options:
      --any                 return when the first one exits (default: all)
  -t, --timeout MS          give up after MS ms (ETIMEDOUT)
      --json                one JSON object per exit: {"pid","exitCode","signalCode"}
  -h, --help                show this help`,

  pipes: `Usage: proactor pipes [FILTER] [options]

Lists the pipes servers listen on: Windows, the names under \\\\.\\pipe\\ with their instances;
Linux, the listening AF_UNIX sockets (/proc/net/unix) and the processes holding them.

Options:
      --pids                also ask servers their pid by connecting, where it can't be seen
                            from outside (Windows: every pipe; the server sees a client come
                            and go)
      --json                the list as JSON
  -h, --help                show this help`,

  info: `Usage: proactor info PATH [options]

Says who serves the pipe at PATH: the server's pid and process name; Windows: its instances,
owner and DACL (SDDL) where readable, asked by opening it without read or write access; Linux:
the socket file's owner and mode.

Options:
  -t, --timeout MS          how long a pipe with every instance busy is retried (default 1000)
      --json                as JSON
  -h, --help                show this help`,
};
