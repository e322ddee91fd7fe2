// The package as users get it: require('proactor') and import('proactor') (the built dist/ through
// package.json's exports map), and the loader's error when no addon has been built.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as source from '../lib/index.js';
import { ADDON_LOAD_FAILED, ADDON_MISSING, addonCandidates, loadAddon, packageRoot } from '../lib/native.js';
import { isWindows } from './support/platform.js';

interface PublicApi {
  version(): string;
  backend(): string;
}

const root = packageRoot();
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
const expectedBackend = isWindows ? 'iocp' : 'epoll';

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

  it('import and require in one process share one implementation: one default proactor, one Server', () => {
    // In a plain Node process: vitest's own module loader would give the ESM entry a copy of
    // its own and prove nothing.
    const script = [
      "import * as imported from 'proactor';",
      "import { createRequire } from 'node:module';",
      "const required = createRequire(import.meta.url)('proactor');",
      'const same = imported.getDefaultProactor() === required.getDefaultProactor();',
      'console.log(JSON.stringify({ same, server: imported.Server === required.Server }));',
      'process.exit(0);',
    ].join('\n');
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(JSON.parse(output.trim())).toEqual({ same: true, server: true });
  });
});

describe('addon loader', () => {
  const empty = mkdtempSync(join(tmpdir(), 'proactor-empty-'));
  const broken = mkdtempSync(join(tmpdir(), 'proactor-broken-'));
  afterAll(() => {
    rmSync(empty, { recursive: true, force: true });
    rmSync(broken, { recursive: true, force: true });
  });

  const caughtBy = (load: () => unknown): Error & { code?: string } => {
    try {
      load();
    } catch (error) {
      expect(error).toBeInstanceOf(Error);
      return error as Error & { code?: string };
    }
    throw new Error('expected the load to throw');
  };

  it('names the platform, the places it looked and how to build from source when no addon exists', () => {
    const error = caughtBy(() => loadAddon(empty));
    expect(error.code).toBe(ADDON_MISSING);
    expect(error.message).toContain(`${process.platform}-${process.arch}`);
    for (const candidate of addonCandidates(empty)) expect(error.message).toContain(candidate);
    expect(error.message).toContain('npx proactor-rebuild');
  });

  it('says which file failed to load, why, and how to build from source', () => {
    const localBuild = addonCandidates(broken)[0] as string;
    mkdirSync(join(localBuild, '..'), { recursive: true });
    writeFileSync(localBuild, 'not a shared library');
    const error = caughtBy(() => loadAddon(broken));
    expect(error.code).toBe(ADDON_LOAD_FAILED);
    expect(error.message).toContain(localBuild);
    expect(error.message).toContain('npx proactor-rebuild');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('prefers a build from source on this machine, then the prebuild for the platform', () => {
    expect(addonCandidates(root, 'win32', 'x64')).toEqual([
      join(root, 'build', 'win32-x64', 'proactor.node'),
      join(root, 'prebuilds', 'win32-x64', 'proactor.node'),
    ]);
  });

  it('on Linux, takes only the prebuild made for its C library (glibc or musl)', () => {
    const glibc = addonCandidates(root, 'linux', 'arm64', () => 'glibc');
    expect(glibc[1]).toBe(join(root, 'prebuilds', 'linux-arm64', 'proactor.glibc.node'));
    const musl = addonCandidates(root, 'linux', 'x64', () => 'musl');
    expect(musl[1]).toBe(join(root, 'prebuilds', 'linux-x64', 'proactor.musl.node'));
  });
});
