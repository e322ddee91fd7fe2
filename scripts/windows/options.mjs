// The options that pick the Windows host, shared by test.mjs and run.mjs: `--node <major|version>`
// and `--exe <name>.exe`, from the front of the arguments, or PROACTOR_WINDOWS_NODE and
// PROACTOR_WINDOWS_EXE. Everything from the first other argument on is left for the caller.
export function hostOptions(argv) {
  const options = {
    node: process.env.PROACTOR_WINDOWS_NODE || undefined,
    exe: process.env.PROACTOR_WINDOWS_EXE || undefined,
  };
  const rest = [...argv];
  while (rest[0] === '--node' || rest[0] === '--exe') {
    const [flag, value] = rest.splice(0, 2);
    if (value === undefined) throw new Error(`${flag} needs a value`);
    options[flag.slice(2)] = value;
  }
  if (options.exe === undefined) delete options.exe;
  return { options, rest };
}
