// Processes pinned by the OS object that names them: handles that pid reuse cannot fool, a kill
// that resolves once the process has exited, and the parent watchdog.
export { openProcess, ProcessHandle } from './process-handle.js';
export type { OpenProcessOptions, SignalLike } from './process-handle.js';
export { killAndWait } from './kill-and-wait.js';
export type { KillAndWaitOptions, KillTarget } from './kill-and-wait.js';
export { exitWithParent } from './exit-with-parent.js';
export type { ExitWithParentOptions, ParentWatchdog } from './exit-with-parent.js';
