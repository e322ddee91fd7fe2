// The boundary between lib/ and the addon: what the addon exports is what lib/native.ts
// declares, and a completion that belongs to no operation is counted and ignored (L4).
import { describe, expect, it, vi } from 'vitest';
import {
  native,
  NATIVE_ENGINE_METHODS,
  NATIVE_FUNCTIONS,
  NATIVE_PROCESS_METHODS,
  NATIVE_WINDOWS_FUNCTIONS,
} from '../../lib/native.js';
import { engineOf } from '../../lib/proactor-handles.js';
import { Proactor } from '../../lib/proactor.js';
import { SCRATCH_SYS_ERROR, SCRATCH_UV_ERROR, SCRATCH_VALUE } from '../../lib/engine/wire.js';
import { connectedPair } from '../support/pipes.js';
import { isWindows } from '../support/platform.js';

describe('the native interface', () => {
  it("the addon's engine class has exactly the methods lib/native.ts declares", () => {
    const methods = Object.getOwnPropertyNames(native.Engine.prototype).filter(
      (name) => name !== 'constructor',
    );
    expect(new Set(methods)).toEqual(new Set(NATIVE_ENGINE_METHODS));
  });

  it("the addon's process class has exactly the methods lib/native.ts declares", () => {
    const methods = Object.getOwnPropertyNames(native.Process.prototype).filter(
      (name) => name !== 'constructor',
    );
    expect(new Set(methods)).toEqual(new Set(NATIVE_PROCESS_METHODS));
  });

  it("the addon's module exports exactly the functions lib/native.ts declares, its classes and scratch", () => {
    const exported = Object.keys(native);
    const functions = exported.filter(
      (name) => typeof (native as unknown as Record<string, unknown>)[name] === 'function',
    );
    // Pipe inspection is native on Windows only (Linux reads /proc in JS).
    const declared = [
      ...NATIVE_FUNCTIONS,
      ...(isWindows ? NATIVE_WINDOWS_FUNCTIONS : []),
      'Engine',
      'Process',
    ];
    expect(new Set(functions)).toEqual(new Set(declared));
    expect(new Set(exported)).toEqual(new Set([...declared, 'scratch']));
    expect(native.scratch).toBeInstanceOf(Float64Array);
    expect(native.scratch.length).toBeGreaterThan(
      Math.max(SCRATCH_VALUE, SCRATCH_UV_ERROR, SCRATCH_SYS_ERROR),
    );
  });

  it('a failed native call reports in scratch, never by throwing: -1 and the errors', () => {
    // Closing an event that is not open: the module's own scratch.
    expect(native.closeEvent(0x7ffffff0)).toBe(-1);
    expect(native.scratch[SCRATCH_UV_ERROR]).toBeLessThan(0);
    expect(native.scratch[SCRATCH_SYS_ERROR]).not.toBe(0);
  });
});

describe('L4: unknown completions are counted, never dereferenced', () => {
  it('a completion for no operation is counted in stats().unexpected; the engine goes on working', async () => {
    const proactor = new Proactor();
    try {
      const before = proactor.stats();
      engineOf(proactor).postForeignCompletion();
      await vi.waitFor(() => expect(proactor.stats().unexpected).toBe(1));
      expect(proactor.stats().completed).toBe(before.completed);
      // The batch that carried it delivered nothing else wrongly: I/O still works.
      const { instance, server, client } = await connectedPair(proactor, 'foreign');
      await proactor.send(client, Buffer.from('ok'));
      const buffer = Buffer.alloc(2);
      expect(await proactor.recv(server, buffer)).toBe(2);
      expect(buffer.toString()).toBe('ok');
      for (const handle of new Set([instance, server, client])) proactor.closeHandle(handle);
    } finally {
      expect((await proactor.close()).pending).toBe(0);
    }
    expect(proactor.stats().unexpected).toBe(1);
  });
});
