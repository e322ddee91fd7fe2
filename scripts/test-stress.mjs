#!/usr/bin/env node
// Runs test suites again and again while every CPU is kept busy, because races show only under
// load. A failure in any run fails the whole; nothing is retried.
//
//   npm run test:stress [-- options] [-- <test files or folders>]
//   npm run test:stress:windows [-- options]          the same on the Windows leg (Wine)
//
// Options:
//   --repeat N      runs of the suites (default 5)
//   --load N        busy processes per CPU core while they run (default 2)
//   --leg L         linux (default) or windows
// Files default to the proactor and streams suites. Each run's report is kept in
// .cache/stress/ (vitest's JSON), and a summary of every run is printed at the end.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
// vitest's bin, found by its package wherever npm or pnpm put it.
const vitestBin = join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    repeat: { type: 'string', default: '5' },
    load: { type: 'string', default: '2' },
    leg: { type: 'string', default: 'linux' },
  },
});
const repeat = Number(values.repeat);
const load = Number(values.load);
if (!Number.isInteger(repeat) || repeat < 1 || !Number.isInteger(load) || load < 0) {
  console.error('stress: --repeat must be a whole number >= 1 and --load one >= 0');
  process.exit(2);
}
if (values.leg !== 'linux' && values.leg !== 'windows') {
  console.error(`stress: --leg must be linux or windows, not ${values.leg}`);
  process.exit(2);
}
const files = positionals.length > 0 ? positionals : ['test/proactor', 'test/streams'];
const reportDir = join(root, '.cache', 'stress');
rmSync(reportDir, { recursive: true, force: true });
mkdirSync(reportDir, { recursive: true });

// The load: processes that spin until we end them, by pid, at the end or on a signal.
const busy = [];
for (let i = 0; i < load * availableParallelism(); i++) {
  busy.push(spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}
const endLoad = () => {
  for (const child of busy) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
};
process.once('exit', endLoad);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    endLoad();
    process.exit(130);
  });
}

function runOnce(index) {
  const report = relative(root, join(reportDir, `run-${index}.json`));
  const vitestArgs = [...files, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`];
  const [command, args] =
    values.leg === 'windows'
      ? [process.execPath, [join(root, 'scripts', 'windows', 'test.mjs'), ...vitestArgs]]
      : [process.execPath, [vitestBin, 'run', ...vitestArgs]];
  const started = Date.now();
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ index, code: code ?? 1, signal, seconds: Math.round((Date.now() - started) / 1000), report });
    });
  });
}

// The failed tests of a run, from its JSON report (a run that died before writing one has none).
function failedTests(report) {
  let testResults;
  try {
    ({ testResults } = JSON.parse(readFileSync(join(root, report), 'utf8')));
  } catch {
    return ['(no report: the run ended before vitest wrote one)'];
  }
  const failed = testResults.flatMap((file) =>
    file.assertionResults
      .filter((test) => test.status === 'failed')
      // Under Wine the names are Windows paths (Z:/...).
      .map((test) => `${relative(root, file.name.replace(/^[A-Za-z]:/, ''))} > ${test.fullName}`),
  );
  return failed.length > 0
    ? failed
    : ['(every test passed: vitest reported an unhandled error; see its output)'];
}

console.log(
  `stress: ${repeat} run(s) of ${files.join(' ')} on the ${values.leg} leg, with ${busy.length} busy process(es) on ${availableParallelism()} core(s)`,
);
const results = [];
for (let i = 1; i <= repeat; i++) {
  console.log(`\nstress: run ${i} of ${repeat}`);
  results.push(await runOnce(i));
}
endLoad();

console.log('\nstress: summary');
let failed = 0;
for (const result of results) {
  const ok = result.code === 0;
  if (!ok) failed++;
  console.log(
    `  run ${result.index}: ${ok ? 'passed' : `FAILED (exit ${result.signal ?? result.code})`} in ${result.seconds} s`,
  );
  if (!ok) for (const name of failedTests(result.report)) console.log(`    ${name}`);
}
console.log(`stress: ${repeat - failed} of ${repeat} run(s) passed`);
process.exitCode = failed === 0 ? 0 : 1;
