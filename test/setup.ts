// Runs in every test file: DESIGN L4 — no completion may ever arrive for an unknown operation.
import { afterAll, expect } from 'vitest';
import { unexpectedCompletions } from '../lib/proactor.js';

afterAll(() => {
  expect(unexpectedCompletions(), 'L4: completions for unknown operations').toBe(0);
});
