/**
 * proactor: a completion engine for Node.js (IOCP on Windows, epoll on Linux) for named pipes
 * and process exits.
 *
 * @packageDocumentation
 */
import { native } from './native.js';

export { AbortError } from './errors.js';
export type { SystemError } from './errors.js';
export { pipePath } from './pipe-path.js';
export { PipeHandle, Proactor, getDefaultProactor } from './proactor.js';
export {
  ProactorEvent,
  ProcessWatcher,
  createEvent,
  spawn,
  waitForExit,
  waitForHandle,
  watchChild,
} from './child/index.js';
export type {
  ChildLike,
  ExitResult,
  ProactorSpawnOptions,
  ProcessWatcherEvents,
  SpawnedProcess,
} from './child/index.js';
export { listPipes, pipeInfo } from './inspect/index.js';
export type { ListPipesOptions, PipeEntry, PipeInfo, PipeInfoOptions } from './inspect/index.js';
export { exitWithParent, killAndWait, openProcess, ProcessHandle } from './process/index.js';
export type {
  ExitWithParentOptions,
  KillAndWaitOptions,
  KillTarget,
  OpenProcessOptions,
  ParentWatchdog,
  SignalLike,
} from './process/index.js';
export type {
  CloseReport,
  ConnectOptions,
  OperationOptions,
  PipeInstanceOptions,
  ProactorCloseOptions,
  ProactorStats,
  ProcessExit,
  WaitOptions,
} from './proactor-options.js';

/**
 * The version of the native addon in use (equal to the package version it was built from).
 * No OS call; errors: none (a missing addon already failed the import, `ERR_PROACTOR_ADDON_*`).
 *
 * @example
 * ```js
 * import { version } from 'proactor';
 * console.log(version()); // '0.1.0'
 * ```
 */
export function version(): string {
  return native.version();
}

/**
 * The completion mechanism the native addon drives: `'iocp'` (I/O completion ports) on
 * Windows, `'epoll'` on Linux. No OS call; errors: none.
 *
 * @example
 * ```js
 * import { backend } from 'proactor';
 * console.log(backend()); // 'epoll' on Linux
 * ```
 */
export function backend(): 'iocp' | 'epoll' {
  return native.backend();
}

// The net-compatible pipe server and client (lib/streams).
export {
  connect,
  createConnection,
  createServer,
  PipeSocket,
  Server,
  Socket,
  Stream,
} from './streams/index.js';
export type {
  ConnectOpts,
  ListenOptions,
  PipeConnectOptions,
  PipeSecurityOptions,
  PipeSocketOptions,
  ServerOptions,
} from './streams/index.js';
