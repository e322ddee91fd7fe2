// The only module that touches the compiled addon: it finds the .node file, loads it, and
// declares what it exports. Everything above this layer imports from here, never the addon.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * One native proactor (addon/core/proactor.h). Calls that can fail in the OS return a number and
 * leave the details in `scratch`, so the hot path allocates nothing:
 * - start calls (`accept`, `recv`, `send`, `flush`) return an operation id (> 0) when a completion will
 *   follow, or 0 when the operation finished at once: `scratch = [value, uvError, sysError]`;
 * - handle calls (`createPipeInstance`, `connectPipe`) return a handle id (> 0), or -1 with the
 *   error in `scratch[1]` (libuv errno) and `scratch[2]` (Win32 error / errno).
 * Completions arrive through the constructor's callback as [opId, value, uvError, sysError] quads.
 */
export interface NativeProactor {
  readonly scratch: Float64Array;
  createPipeInstance(
    path: string,
    first: boolean,
    maxInstances: number,
    backlog: number,
    bufferSize: number,
    rejectRemoteClients: boolean,
    /** Bits: 1 currentUserOnly, 2 readableAll, 4 writableAll. */
    access: number,
    sddl: string | undefined,
  ): number;
  connectPipe(path: string): number;
  /** The peer's process id, or -1 with the error in scratch. */
  peerPid(handle: number): number;
  /** 0, or -1 with an error the OS holds for a new connection (Linux SO_ERROR) in scratch. */
  pendingError(handle: number): number;
  /** Takes ownership of an OS pipe handle / fd; a handle id, or -1 with the error in scratch. */
  adoptHandle(raw: number | bigint): number;
  /** Half-closes (Linux `shutdown(SHUT_WR)`); 0, or -1 with the error in scratch (Windows: ENOTSUP). */
  shutdownWrite(handle: number): number;
  /** Starts a wait on a handle / fd (duplicated first); a start result (value 1 when signalled). */
  waitHandle(raw: number | bigint): number;
  /** Starts a wait for a process's exit (opened now); value: exit code, -signal, or NaN. */
  waitProcess(pid: number): number;
  /** 'threadpool' | 'packet' on Windows ('epoll' on Linux); returns the engine in use. */
  setWaitEngine(engine: string): string;
  accept(handle: number): number;
  recv(handle: number, buffer: Uint8Array, offset: number, length: number): number;
  send(handle: number, buffer: Uint8Array, offset: number, length: number): number;
  /** Completes once the peer has read everything written before it (or is gone). */
  flush(handle: number): number;
  cancel(operation: number): void;
  cancelHandle(handle: number): void;
  closeHandle(handle: number): void;
  setHandleRef(handle: number, ref: boolean): void;
  cancelAll(): void;
  /** Stops the engine; returns the operations that never completed as [id, kind, id, kind, ...]. */
  shutdown(): (number | string)[];
  /** [pending, completed, cancelled, unexpected, batches] */
  stats(): Float64Array;
}

/** What the compiled addon exports. */
export interface NativeAddon {
  /** The package version the addon was built from. */
  version(): string;
  /** The completion mechanism this build drives. */
  backend(): 'iocp' | 'epoll';
  /** True when the Windows build runs under Wine (tests skip what only real Windows can show). */
  underWine(): boolean;
  /** A manual-reset event (Windows) / eventfd (Linux), unset. Throws with errno on failure. */
  createEvent(): number | bigint;
  setEvent(event: number | bigint): void;
  resetEvent(event: number | bigint): void;
  closeEvent(event: number | bigint): void;
  /** Open handles (Windows) / file descriptors (Linux) of this process. */
  openHandleCount(): number;
  /** Threads of this process. */
  threadCount(): number;
  Proactor: new (onBatch: (batch: Float64Array) => void) => NativeProactor;
}

/** The code of the error thrown when no addon binary exists for this platform. */
export const ADDON_MISSING = 'ERR_PROACTOR_ADDON_MISSING';

/**
 * Where an addon for `platform`-`arch` may live under a package root, in the order we try them:
 * a prebuild (what `npm run build:windows` writes, or a published binary), then cmake-js's output.
 */
export function addonCandidates(
  root: string,
  platform: string = process.platform,
  arch: string = process.arch,
): string[] {
  return [
    join(root, 'prebuilds', `${platform}-${arch}`, 'proactor.node'),
    join(root, 'build', 'Release', 'proactor.node'),
  ];
}

function buildCommandFor(platform: string, arch: string): string {
  if (platform === process.platform && arch === process.arch) return 'npm run build';
  if (platform === 'win32' && arch === 'x64') return 'npm run build:windows';
  return `npm run build (on a ${platform}-${arch} machine)`;
}

/**
 * Loads the addon found under `root`; throws a clear error naming the build command if none.
 * `PROACTOR_ADDON_PATH` names a specific binary instead (the sanitizer build uses it).
 */
export function loadAddon(root: string, override?: string): { addon: NativeAddon; path: string } {
  const candidates = override ? [override] : addonCandidates(root);
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    const target = `${process.platform}-${process.arch}`;
    const error = new Error(
      `proactor: no native addon for ${target}. Looked in:\n  ${candidates.join('\n  ')}\n` +
        `Build it with: ${buildCommandFor(process.platform, process.arch)}`,
    ) as Error & { code: string };
    error.code = ADDON_MISSING;
    throw error;
  }
  const requireAddon = createRequire(join(root, 'package.json'));
  return { addon: requireAddon(found) as NativeAddon, path: found };
}

/** The folder holding proactor's package.json, found upward from this module (lib/ or dist/). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown };
      if (name === 'proactor') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('proactor: cannot find its own package.json');
    dir = parent;
  }
}

const loaded = loadAddon(packageRoot(), process.env.PROACTOR_ADDON_PATH);

/** The loaded addon. */
export const native: NativeAddon = loaded.addon;
/** The file it was loaded from (the test canary checks it is the right kind of binary). */
export const nativePath: string = loaded.path;
