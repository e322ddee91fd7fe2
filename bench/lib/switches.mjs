// Thread wake-ups of this process, counted by the kernel: the sum of voluntary context switches
// (a thread blocked, then was woken) over every thread in /proc/<pid>/task/*/status. Linux reads
// /proc/self. Under Wine the Windows Node is a Linux process too, but its "Z:\proc\self" is
// wineserver's (wineserver opens the file for us), so the process is found once by its command
// line, which Wine keeps as the Windows one. On real Windows there is no /proc: null.
import { readdirSync, readFileSync } from 'node:fs';

const wine = process.platform === 'win32';
const separator = wine ? '\\' : '/';
const procRoot = wine ? 'Z:\\proc' : '/proc';
let ownDirectory;

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function findOwnDirectory() {
  if (!wine) return '/proc/self';
  // The command line we were started with, as Wine shows it: the exe, then the arguments.
  const tail = process.argv.slice(1).join('\0');
  let found;
  let entries = [];
  try {
    entries = readdirSync(procRoot);
  } catch {
    return null; // real Windows
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const directory = `${procRoot}${separator}${entry}`;
    const cmdline = read(`${directory}${separator}cmdline`);
    if (!cmdline || !cmdline.replace(/\0+$/, '').endsWith(tail)) continue;
    if (!/\.exe$/i.test(cmdline.split('\0')[0])) continue;
    if (found) return null; // two candidates: no way to tell which is us
    found = directory;
  }
  return found ?? null;
}

/** Voluntary context switches summed over this process's threads, or null where unknown. */
export function wakeUps() {
  if (ownDirectory === undefined) ownDirectory = findOwnDirectory();
  if (ownDirectory === null) return null;
  const taskRoot = `${ownDirectory}${separator}task`;
  let total = 0;
  let tasks = [];
  try {
    tasks = readdirSync(taskRoot);
  } catch {
    return null;
  }
  for (const task of tasks) {
    const status = read(`${taskRoot}${separator}${task}${separator}status`);
    const match = status && /\nvoluntary_ctxt_switches:\s+(\d+)/.exec(status);
    if (match) total += Number(match[1]); // a thread that ended meanwhile is simply left out
  }
  return total;
}
