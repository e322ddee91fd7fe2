// proactor pipes [FILTER]: the pipes servers listen on, and who serves them.
import { listPipes, type PipeEntry } from 'proactor';
import { type Command, jsonOf, table, UsageError, type Values } from '../context.js';

export const pipesCommand: Command = {
  options: {
    pids: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  run,
};

async function run(values: Values, positionals: string[]): Promise<number> {
  if (positionals.length > 1) throw new UsageError(`one FILTER only, not ${positionals.length}`);
  const [filter] = positionals;
  const pipes = await listPipes({ pids: values.pids === true, ...(filter === undefined ? {} : { filter }) });
  if (values.json === true) {
    process.stdout.write(`${jsonOf(pipes)}\n`);
    return 0;
  }
  const windows = pipes.some((pipe) => pipe.instances !== undefined);
  const rows = pipes.map((pipe: PipeEntry) => [
    pipe.pid === undefined ? '-' : String(pipe.pid),
    pipe.processName ?? '-',
    ...(windows ? [instances(pipe)] : []),
    pipe.path,
  ]);
  process.stdout.write(table(['PID', 'PROCESS', ...(windows ? ['INSTANCES'] : []), 'PATH'], rows));
  return 0;
}

function instances({ instances, maxInstances }: PipeEntry): string {
  if (instances === undefined) return '-';
  return `${instances}/${maxInstances === Infinity ? 'unlimited' : (maxInstances ?? '?')}`;
}
