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
/** The code of the error thrown when the addon found cannot be loaded (wrong libc, too old a system). */
export const ADDON_LOAD_FAILED = 'ERR_PROACTOR_ADDON_LOAD_FAILED';

/** What a Linux binary's C library is: prebuilds are tagged with it, as node-gyp-build's are. */
function linuxLibc(): 'glibc' | 'musl' {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return report?.header?.glibcVersionRuntime ? 'glibc' : 'musl';
}

/**
 * Where an addon for `platform`-`arch` may live under a package root, in the order we try them:
 * a build from source on this machine (`npx proactor-rebuild`, `npm run build:addon`), which
 * wins as node-gyp-build's `build/` does, then the prebuild the package ships for it.
 */
export function addonCandidates(
  root: string,
  platform: string = process.platform,
  arch: string = process.arch,
  libc: () => string = linuxLibc,
): string[] {
  const target = `${platform}-${arch}`;
  const prebuild = platform === 'linux' ? `proactor.${libc()}.node` : 'proactor.node';
  return [join(root, 'build', target, 'proactor.node'), join(root, 'prebuilds', target, prebuild)];
}

const REBUILD_HINT =
  'Build it from source with `npx proactor-rebuild` (needs CMake and a C++17 compiler), ' +
  'or in a clone of proactor: npm run build:addon';

/**
 * Loads the addon found under `root`; throws a clear error naming the build command if none
 * exists, or if the one found does not load here.
 * `PROACTOR_ADDON_PATH` names a specific binary instead (the sanitizer build uses it).
 */
export function loadAddon(root: string, override?: string): { addon: NativeAddon; path: string } {
  const target = `${process.platform}-${process.arch}`;
  const candidates = override ? [override] : addonCandidates(root);
  const found = candidates.find((candidate) => existsSync(candidate));
  if (found === undefined) {
    const error = new Error(
      `proactor: no native addon for ${target}. Looked in:\n  ${candidates.join('\n  ')}\n${REBUILD_HINT}`,
    ) as Error & { code: string };
    error.code = ADDON_MISSING;
    throw error;
  }
  const requireAddon = createRequire(join(root, 'package.json'));
  try {
    return { addon: requireAddon(found) as NativeAddon, path: found };
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const error = new Error(
      `proactor: the native addon ${found} does not load on this ${target} system: ${reason}\n${REBUILD_HINT}`,
      { cause },
    ) as Error & { code: string };
    error.code = ADDON_LOAD_FAILED;
    throw error;
  }
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
