// The canary: each test leg must run the platform and the addon build it claims to. Without it
// the Windows leg could pass by loading the Linux binary (or the reverse) and test nothing.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { describe, expect, it } from 'vitest';
import { backend } from '../lib/index.js';
import { nativePath } from '../lib/native.js';
import { Proactor } from '../lib/proactor.js';

const expectedPlatform = process.env.PROACTOR_TEST_LEG ?? process.platform;
// Set by the legs that pick a Node (scripts/test-node-versions.mjs, scripts/windows/test.mjs)
// or a host exe name (the Windows leg's --exe Code.exe).
const expectedNode = process.env.PROACTOR_TEST_NODE;
const expectedExe = process.env.PROACTOR_TEST_EXE;

describe('canary', () => {
  it('runs on the platform of this test leg', () => {
    expect(process.platform).toBe(expectedPlatform);
  });

  if (expectedNode !== undefined) {
    it(`runs on Node ${expectedNode}`, () => {
      expect(process.version).toBe(`v${expectedNode}`);
    });
  }

  if (expectedExe !== undefined) {
    it(`runs in a host exe named ${expectedExe}, addon loaded`, () => {
      expect(basename(process.execPath).toLowerCase()).toBe(expectedExe.toLowerCase());
      expect(backend()).toBe('iocp');
    });
  }

  it("delivers completions from the event loop itself ('loop'), not through the fallback thread", async () => {
    // On Windows the addon checks this host's libuv before completing on its port; a Node or a
    // host exe whose libuv it could not verify would fall back to 'thread' and show up here.
    const proactor = new Proactor();
    try {
      expect(proactor.delivery).toBe('loop');
    } finally {
      await proactor.close();
    }
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
