// The only module that touches the compiled addon: it finds the .node file, loads it, and
// declares what it exports. Everything above this layer imports from here, never the addon.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A pipe instance's settings, read by name by the addon (binding.cc's CreatePipeInstance):
 * checked, with the defaults filled in, by lib/proactor-options.ts.
 */
export interface InstanceSettings {
  path: string;
  first: boolean;
  maxInstances: number;
  backlog: number;
  bufferSize: number;
  rejectRemoteClients: boolean;
  currentUserOnly: boolean;
  readableAll: boolean;
  writableAll: boolean;
  sddl: string | undefined;
}

/**
 * One native engine (addon/core/engine.h, addon/binding.cc). Calls that can fail in the OS
 * return a number and leave the details in `scratch`, whose slots lib/engine/wire.ts names, so
 * the hot path allocates nothing and no OS error is ever thrown:
 * - start calls (`accept`, `recv`, `send`, `flush`, `waitHandle`, `waitProcess`) return an
 *   operation id (> 0) when a completion will follow, or 0 when the operation finished at once:
 *   its value and errors are in scratch;
 * - handle calls (`open`, `createPipeInstance`, `connectPipe`, `adoptHandle`, `peerPid`,
 *   `pendingError`, `shutdownWrite`) return a handle id or value (>= 0), or -1 with the errors
 *   in scratch.
 * Completions arrive through the constructor's callback as records of COMPLETION_STRIDE
 * numbers (wire.ts).
 */
export interface NativeEngine {
  readonly scratch: Float64Array;
  /**
   * Starts the engine, its waits done the named way where the system has it ('threadpool' |
   * 'packet' on Windows), its completions delivered the named way ('loop', or Windows' fallback
   * 'thread').
   */
  open(waitEngine: string, delivery: string): number;
  /** The wait engine in use once open: 'threadpool' | 'packet' (Windows), 'epoll' (Linux). */
  waitEngine(): string;
  /** How completions reach JS once open: 'loop' (the event loop dequeues them) or 'thread' (Windows' fallback). */
  delivery(): 'loop' | 'thread';
  /** For the tests of L4: a completion for no operation, counted in stats' unexpected. */
  postForeignCompletion(): void;
  createPipeInstance(settings: InstanceSettings): number;
  connectPipe(path: string): number;
  /** The peer's process id. */
  peerPid(handle: number): number;
  /** 0, or -1 with an error the OS holds for a new connection (Linux SO_ERROR). */
  pendingError(handle: number): number;
  /** Takes ownership of an OS pipe handle / fd. */
  adoptHandle(raw: number | bigint): number;
  /** Half-closes (Linux `shutdown(SHUT_WR)`; Windows: ENOTSUP). */
  shutdownWrite(handle: number): number;
  /** Starts a wait on a handle / fd (duplicated first); value 1 when signalled. */
  waitHandle(raw: number | bigint): number;
  /** Starts a wait for a process's exit (opened now); value: exit code, -signal, or NaN. */
  waitProcess(pid: number): number;
  /** Whether pending operation `id` keeps the event loop alive (its result comes either way). */
  setOperationRef(id: number, ref: boolean): void;
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
  /** Laid out as wire.ts's STATS_* say. */
  stats(): Float64Array;
}

/** What the compiled addon exports. */
export interface NativeAddon {
  /** Where the module's own calls that fail (the events) leave their errors, as an engine's. */
  readonly scratch: Float64Array;
  /** The package version the addon was built from. */
  version(): string;
  /** The completion mechanism this build drives. */
  backend(): 'iocp' | 'epoll';
  /** True when the Windows build runs under Wine (tests skip what only real Windows can show). */
  underWine(): boolean;
  /** A manual-reset event (Windows) / eventfd (Linux), unset; -1 with the error in scratch. */
  createEvent(): number | bigint;
  /** 0, or -1 with the error in scratch (so for the next two). */
  setEvent(event: number | bigint): number;
  resetEvent(event: number | bigint): number;
  closeEvent(event: number | bigint): number;
  /**
   * For tests of rare OS answers (Linux pidfd_open's EINVAL, Windows' EPERM): the next process
   * open on this thread fails with this error (libuv's negative errno, and the OS's own code).
   */
  failNextProcessOpen(uvError: number, sysError: number): void;
  /** Open handles (Windows) / file descriptors (Linux) of this process. */
  openHandleCount(): number;
  /** Threads of this process. */
  threadCount(): number;
  Engine: new (onBatch: (batch: Float64Array) => void) => NativeEngine;
  Process: new () => NativeProcess;
  /**
   * Windows only (addon/core/pipe_inspect.h): the names under `\\.\pipe\` with their
   * instances (`NtQueryDirectoryFile`); -1 with the error in scratch (ENOTSUP under Wine).
   */
  listPipes?(): NativePipeListing[] | -1;
  /** Windows only: opens `path` as a client without read or write access and asks; or -1. */
  queryPipe?(path: string): NativePipeDetails | -1;
  /** Windows only: a process's image path (`QueryFullProcessImageNameW`); or -1. */
  processImagePath?(pid: number): string | -1;
}

/** One pipe as `listPipes` lists it: instances now, and at most (-1: unlimited). */
export interface NativePipeListing {
  name: string;
  instances: number;
  maxInstances: number;
}

/** What `queryPipe` learned; 0 and '' where the OS did not say. */
export interface NativePipeDetails {
  serverPid: number;
  instances: number;
  maxInstances: number;
  owner: string;
  sddl: string;
}

/**
 * One pinned process (addon/core/pinned_process.h, binding.cc's ProcessWrap): `open(pid)`
 * first, then calls on the process it pinned. Failures return -1 with the errors in the module's
 * scratch. The OS object is closed by `close()`, or when the object is collected.
 */
export interface NativeProcess {
  /** 0, or -1: ESRCH, EPERM (Windows), EINVAL (Linux: the pid names no running process). */
  open(pid: number): number;
  /** The process HANDLE / pidfd, for a wait (which duplicates it). */
  raw(): number | bigint;
  /** When it started, ms since the epoch; -1 on error (ESRCH: Linux, reaped already). */
  startTime(): number;
  /** Sends signal number `signal`: 0, or -1 (ESRCH once it has exited; Windows ENOSYS). */
  signal(signal: number): number;
  /** How it ended: exit code, minus the signal, or NaN when unknown. */
  exitStatus(): number;
  close(): void;
}

/** The methods of NativeProcess, by name (the same test checks them). */
export const NATIVE_PROCESS_METHODS = [
  'open',
  'raw',
  'startTime',
  'signal',
  'exitStatus',
  'close',
] as const satisfies readonly (keyof NativeProcess)[];

/** The methods of NativeEngine, by name: a test checks the addon's class has exactly these. */
export const NATIVE_ENGINE_METHODS = [
  'open',
  'waitEngine',
  'delivery',
  'postForeignCompletion',
  'createPipeInstance',
  'connectPipe',
  'peerPid',
  'pendingError',
  'adoptHandle',
  'shutdownWrite',
  'waitHandle',
  'waitProcess',
  'accept',
  'recv',
  'send',
  'flush',
  'cancel',
  'cancelHandle',
  'closeHandle',
  'setHandleRef',
  'setOperationRef',
  'cancelAll',
  'shutdown',
  'stats',
] as const satisfies readonly (keyof NativeEngine)[];

/** The addon's exports that are functions, by name (the same test checks them). */
export const NATIVE_FUNCTIONS = [
  'version',
  'backend',
  'underWine',
  'createEvent',
  'setEvent',
  'resetEvent',
  'closeEvent',
  'failNextProcessOpen',
  'openHandleCount',
  'threadCount',
] as const satisfies readonly (keyof NativeAddon)[];

/** The functions only the Windows addon exports (the same test checks them there). */
export const NATIVE_WINDOWS_FUNCTIONS = [
  'listPipes',
  'queryPipe',
  'processImagePath',
] as const satisfies readonly (keyof NativeAddon)[];

// Both lists name every member of their interface (but the data members): a member added to
// an interface and not to its list fails to compile here.
type Missing<T, Listed> = Exclude<
  { [K in keyof T]-?: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T],
  Listed
>;
const engineListComplete: [Missing<NativeEngine, (typeof NATIVE_ENGINE_METHODS)[number]>] extends [never]
  ? true
  : never = true;
const addonListComplete: [
  Missing<
    NativeAddon,
    (typeof NATIVE_FUNCTIONS)[number] | (typeof NATIVE_WINDOWS_FUNCTIONS)[number] | 'Engine' | 'Process'
  >,
] extends [never]
  ? true
  : never = true;
const processListComplete: [Missing<NativeProcess, (typeof NATIVE_PROCESS_METHODS)[number]>] extends [never]
  ? true
  : never = true;
void engineListComplete;
void processListComplete;
void addonListComplete;

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
