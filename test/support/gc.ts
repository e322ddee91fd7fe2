// Garbage collection on demand, to see what an operation holds on to and what it lets go of
// (L1: its buffer stays owned until its completion; L3: after it, nothing keeps it).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// A context made after --expose-gc is set has `gc`; the flag goes back off at once, so nothing
// else in the process sees a global it would not have had.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
setFlagsFromString('--no-expose-gc');

/**
 * Watches objects for their collection. `watch(object, name)` registers `object` and returns it,
 * so that it can be made inside the call that uses it and the test never holds it. `collect()`
 * forces full collections, with a pause after each for the finalizers to run, until every
 * watched object is gone or `rounds` collections have passed, and resolves with the names of
 * those collected so far.
 */
export function watchCollection(): {
  watch<T extends object>(object: T, name: string): T;
  collect(rounds?: number): Promise<string[]>;
} {
  const watched = new Set<string>();
  const collected = new Set<string>();
  const registry = new FinalizationRegistry<string>((name) => collected.add(name));
  return {
    watch(object, name) {
      watched.add(name);
      registry.register(object, name);
      return object;
    },
    async collect(rounds = 10) {
      for (let i = 0; i < rounds && collected.size < watched.size; i++) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return [...collected].sort();
    },
  };
}
