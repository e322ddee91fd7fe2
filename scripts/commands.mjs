// Finding the programs a build runs. Shipped with the package: the from-source build
// (scripts/build-addon.mjs) uses it on users' machines, so it needs nothing but Node.
import { execFileSync } from 'node:child_process';

/** Whether `name` is a command on PATH. */
export function hasCommand(name) {
  try {
    if (process.platform === 'win32') {
      execFileSync('where', [name], { stdio: 'ignore' });
    } else {
      execFileSync('sh', ['-c', 'command -v "$1"', 'sh', name], { stdio: 'ignore' });
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * How to call npm: the npm running us (`npm run`, `npx`) if any, else the one on PATH. On
 * Windows the one on PATH is npm.cmd, which only a shell can start.
 */
export function npmCommand() {
  const cli = process.env.npm_execpath;
  if (cli && /\.[cm]?js$/.test(cli)) return { command: process.execPath, args: [cli], shell: false };
  return { command: 'npm', args: [], shell: process.platform === 'win32' };
}
