// The package as users get it: require('proactor') and import('proactor') (the built dist/ through
// package.json's exports map), and the loader's error when no addon has been built.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as source from '../lib/index.js';
import { ADDON_MISSING, addonCandidates, loadAddon, packageRoot } from '../lib/native.js';

interface PublicApi {
  version(): string;
  backend(): string;
}

const root = packageRoot();
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const expectedBackend = process.platform === 'win32' ? 'iocp' : 'epoll';

describe('package entry points', () => {
  it('version() is the package version and backend() names the backend', () => {
    expect(source.version()).toBe(manifest.version);
    expect(source.backend()).toBe(expectedBackend);
  });

  it("require('proactor') gives version() and backend()", () => {
    const required = createRequire(join(root, 'package.json'))('proactor') as PublicApi;
    expect(required.version()).toBe(manifest.version);
    expect(required.backend()).toBe(expectedBackend);
  });

  it("import('proactor') gives version() and backend()", async () => {
    // A specifier in a variable keeps vitest from resolving it to the TypeScript source: this
    // must load the ESM build exactly as a user's import would.
    const specifier = 'proactor';
    const imported = (await import(/* @vite-ignore */ specifier)) as PublicApi;
    expect(imported.version()).toBe(manifest.version);
    expect(imported.backend()).toBe(expectedBackend);
  });
});

describe('addon loader', () => {
  const empty = mkdtempSync(join(tmpdir(), 'proactor-empty-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it('names the platform, the places it looked and the build command when no addon exists', () => {
    let caught: unknown;
    try {
      loadAddon(empty);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    const error = caught as Error & { code?: string };
    expect(error.code).toBe(ADDON_MISSING);
    expect(error.message).toContain(`${process.platform}-${process.arch}`);
    for (const candidate of addonCandidates(empty)) expect(error.message).toContain(candidate);
    expect(error.message).toMatch(/npm run build/);
  });

  it('prefers a prebuild for this platform over the cmake-js output', () => {
    const [prebuild, cmakeOutput] = addonCandidates(root, 'win32', 'x64');
    expect(prebuild).toBe(join(root, 'prebuilds', 'win32-x64', 'proactor.node'));
    expect(cmakeOutput).toBe(join(root, 'build', 'Release', 'proactor.node'));
  });
});
