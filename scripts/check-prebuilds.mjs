#!/usr/bin/env node
// Checks that every prebuild the package ships is there and will load where users are:
//
//   linux  the highest glibc symbol version it needs is at most 2.28 (the floor of Node's own
//          Linux binaries), read with `objdump -T`; no C++ runtime symbol versions (GLIBCXX,
//          CXXABI, GCC: libstdc++ and libgcc are linked in); only glibc's libraries NEEDED.
//   win32  nothing imported from NODE.EXE by name (it would not load in Code.exe or
//          electron.exe): the Node-API imports are delay-loaded (addon/win/delay_load_hook.cc).
//
// Run by `npm run prebuilds` after building, by `npm pack` (prepack) and by CI. Prints what each
// prebuild needs; exits 1 naming every problem.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prebuildTargets } from './build-addon.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const GLIBC_FLOOR = '2.28';
const linuxLibraries = /^(libc\.so\.6|libpthread\.so\.0|libm\.so\.6|libdl\.so\.2|ld-linux[\w-]*\.so\.\d)$/;
const elfMachines = { x64: 0x3e, arm64: 0xb7 };

function compareVersions(a, b) {
  const [pa, pb] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function objdump(args, file, tool = 'objdump') {
  return execFileSync(tool, [...args, file], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

function checkLinux(file, arch) {
  const problems = [];
  const bytes = readFileSync(file);
  if (bytes.readUInt32BE(0) !== 0x7f454c46) return [`not an ELF file`];
  if (bytes.readUInt16LE(18) !== elfMachines[arch]) problems.push(`ELF machine is not ${arch}`);
  const versions = new Map();
  for (const match of objdump(['-T'], file).matchAll(/\b(GLIBC|GLIBCXX|CXXABI|GCC)_([\d.]+)\b/g)) {
    const [, lib, version] = match;
    const highest = versions.get(lib);
    if (!highest || compareVersions(version, highest) > 0) versions.set(lib, version);
  }
  const glibc = versions.get('GLIBC');
  if (glibc && compareVersions(glibc, GLIBC_FLOOR) > 0) {
    problems.push(`needs GLIBC_${glibc}, above the ${GLIBC_FLOOR} floor`);
  }
  for (const lib of ['GLIBCXX', 'CXXABI', 'GCC']) {
    if (versions.has(lib))
      problems.push(`needs ${lib}_${versions.get(lib)}: the C++ runtime is not linked in`);
  }
  const needed = [...objdump(['-p'], file).matchAll(/^\s*NEEDED\s+(\S+)/gm)].map((m) => m[1]);
  for (const lib of needed.filter((name) => !linuxLibraries.test(name))) problems.push(`needs ${lib}`);
  console.log(`  highest GLIBC_${glibc ?? 'none'}; NEEDED ${needed.join(', ')}`);
  return problems;
}

function checkWindows(file) {
  const bytes = readFileSync(file);
  if (bytes.toString('latin1', 0, 2) !== 'MZ') return ['not a PE file'];
  const dlls = [...objdump(['-p'], file, 'x86_64-w64-mingw32-objdump').matchAll(/DLL Name:\s*(\S+)/g)].map(
    (m) => m[1],
  );
  console.log(`  imports ${dlls.join(', ')}; NODE.EXE delay-loaded`);
  const problems = [];
  if (dlls.some((dll) => dll.toLowerCase() === 'node.exe')) {
    problems.push('imports NODE.EXE by name: it would not load in a host exe with another name');
  }
  if (!bytes.includes(Buffer.from('NODE.EXE\0', 'latin1'))) {
    problems.push('has no delay-load entry for NODE.EXE: is it built from this CMakeLists.txt?');
  }
  return problems;
}

const failures = [];
for (const [name, spec] of Object.entries(prebuildTargets)) {
  const file = join(root, spec.file);
  console.log(`${spec.file}`);
  if (!existsSync(file)) {
    failures.push(`${spec.file}: missing (npm run prebuilds makes every prebuild)`);
    continue;
  }
  const [platform, arch] = name.split('-');
  const problems = platform === 'win32' ? checkWindows(file) : checkLinux(file, arch);
  failures.push(...problems.map((problem) => `${spec.file}: ${problem}`));
}
if (failures.length > 0) {
  console.error(`prebuilds: ${failures.length} problem(s):\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log('prebuilds: all present, and loadable where users are');
