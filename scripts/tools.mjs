// Makes sure the Linux tools our own builds and test legs need (cross compilers, Wine, CMake,
// debootstrap) are on PATH. As root (CI, a fresh machine) they are installed from Debian's
// packages; otherwise we say exactly what to install and stop. Not shipped: users' from-source
// builds only ever say what is missing (scripts/build-addon.mjs).
import { execFileSync } from 'node:child_process';
import { hasCommand } from './commands.mjs';

const debianPackages = {
  wine: ['wine', 'wine64'],
  'x86_64-w64-mingw32-g++-posix': ['g++-mingw-w64-x86-64'],
  'x86_64-w64-mingw32-gcc-posix': ['gcc-mingw-w64-x86-64'],
  'x86_64-w64-mingw32-dlltool': ['binutils-mingw-w64-x86-64'],
  cmake: ['cmake'],
  debootstrap: ['debootstrap'],
  unshare: ['util-linux'],
  objdump: ['binutils'],
  'x86_64-w64-mingw32-objdump': ['binutils-mingw-w64-x86-64'],
  'qemu-aarch64-static': ['qemu-user-static'],
};

export function requireTools(names) {
  const missing = names.filter((name) => !hasCommand(name));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.flatMap((name) => debianPackages[name] ?? [name]))];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.error(`missing: ${missing.join(', ')}`);
    console.error(`install them with: sudo apt-get install --no-install-recommends ${packages.join(' ')}`);
    process.exit(1);
  }
  console.log(`installing ${packages.join(' ')} from apt`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
      stdio: 'inherit',
      env,
    });
  try {
    install();
  } catch {
    // A fresh machine may have no package lists yet.
    execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
    install();
  }
  const still = names.filter((name) => !hasCommand(name));
  if (still.length > 0) {
    console.error(`still missing after apt-get install: ${still.join(', ')}`);
    process.exit(1);
  }
}
