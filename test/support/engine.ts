// The proactor a test file runs its operations on.
import { afterAll, expect } from 'vitest';
import { Proactor } from '../../lib/proactor.js';

/**
 * A proactor for this test file's tests. After them it is closed, and the close must find
 * nothing still pending (L9): every test leaves its operations settled.
 */
export function useProactor(): Proactor {
  const proactor = new Proactor();
  afterAll(async () => {
    expect((await proactor.close()).pending, 'L9: operations still pending at close').toBe(0);
  });
  return proactor;
}
