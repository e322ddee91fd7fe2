// proactor info PATH: who serves a pipe, and what the OS keeps about it.
import { pipeInfo, type PipeInfo } from 'proactor';
import { type Command, type Context, jsonOf, milliseconds, onePath, type Values } from '../context.js';

export const infoCommand: Command = {
  options: {
    timeout: { type: 'string', short: 't' },
    json: { type: 'boolean' },
  },
  run,
};

async function run(values: Values, positionals: string[], context: Context): Promise<number> {
  const path = onePath(positionals);
  const timeout = milliseconds(values, 'timeout');
  const info = await pipeInfo(path, {
    signal: context.signal,
    ...(timeout === undefined ? {} : { timeout }),
  });
  process.stdout.write(values.json === true ? `${jsonOf(info)}\n` : lines(info));
  return 0;
}

function lines(info: PipeInfo): string {
  const fields: [string, string | number | undefined][] = [
    ['path', info.path],
    ['pid', info.pid],
    ['process', info.processName],
    ['instances', info.instances],
    ['max instances', info.maxInstances === Infinity ? 'unlimited' : info.maxInstances],
    ['owner', info.owner],
    ['mode', info.mode === undefined ? undefined : `0${info.mode.toString(8)}`],
    ['uid', info.uid],
    ['gid', info.gid],
    ['sddl', info.sddl],
  ];
  return fields
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${`${name}:`.padEnd(15)}${value}\n`)
    .join('');
}
