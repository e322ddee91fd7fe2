// The canary: each test leg must run the platform and the addon build it claims to. Without it
// the Windows leg could pass by loading the Linux binary (or the reverse) and test nothing.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { backend } from '../lib/index.js';
import { nativePath } from '../lib/native.js';

const expectedPlatform = process.env.PROACTOR_TEST_LEG ?? process.platform;

describe('canary', () => {
  it('runs on the platform of this test leg', () => {
    expect(process.platform).toBe(expectedPlatform);
  });

  it('loads the addon built for this platform', () => {
    expect(backend()).toBe(expectedPlatform === 'win32' ? 'iocp' : 'epoll');
    // PE images start with "MZ", ELF images with 0x7f "ELF": the file itself must match too.
    const magic = readFileSync(nativePath).subarray(0, 4);
    if (expectedPlatform === 'win32') {
      expect(magic.subarray(0, 2).toString('latin1')).toBe('MZ');
    } else {
      expect(magic.toString('latin1')).toBe('\x7fELF');
    }
  });
});
