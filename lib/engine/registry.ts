// Every live engine of this process, and what closed ones counted: the process-wide total of
// completions that matched no operation (L4), which the test suite asserts stays 0.
import type { Engine } from './engine.js';

const liveEngines = new Set<Engine>();
let closedUnexpected = 0;
// Completions posted on purpose for no operation (Engine.postForeignCompletion): expected.
let foreignPosted = 0;

export function registerEngine(engine: Engine): void {
  liveEngines.add(engine);
}

/** A closed engine leaves its final count of unexpected completions behind. */
export function forgetEngine(engine: Engine, unexpected: number): void {
  if (liveEngines.delete(engine)) closedUnexpected += unexpected;
}

/** A test posted a completion for no operation: it is expected, not counted below. */
export function foreignCompletionPosted(): void {
  foreignPosted++;
}

/**
 * Completions for unknown operations across every engine of this process (DESIGN L4), but
 * those that tests posted on purpose.
 */
export function unexpectedCompletions(): number {
  let total = closedUnexpected - foreignPosted;
  for (const engine of liveEngines) total += engine.stats().unexpected;
  return total;
}
