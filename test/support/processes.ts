// What the process tests share: a pid nobody has, and a bounded look at a promise.

/** A pid no process has right now. */
export function unusedPid(): number {
  for (let pid = 4_000_000; ; pid -= 7919) {
    try {
      process.kill(pid, 0);
    } catch (error) {
      if ((error as { code?: string }).code === 'ESRCH') return pid;
    }
  }
}

/** Settles with 'pending' if `promise` has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'pending'>((resolve) => (timer = setTimeout(resolve, ms, 'pending')));
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
