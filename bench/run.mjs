#!/usr/bin/env node
// Runs the benchmark scenarios: proactor and its peer alternately (A B A B ...) after a warm-up,
// medians and ranges per side, and the ratio proactor/peer pair by pair. Writes
// bench/results/<platform>.{json,md,svg} (quick runs: bench/results/quick/) and refreshes the
// README's table for this platform.
//   npm run bench [-- --quick] [-- --only bulk,pingpong] [-- --rounds 7]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { native } from '../build/esm/native.js';
import { markdown, printTable, svg } from './lib/report.mjs';
import { median, summarize } from './lib/stats.mjs';
import { bulk, connectRate, nativeCeiling, pingpong } from './scenarios/pipes.mjs';
import { buildCeiling } from './native/build.mjs';
import { exits, exitsNotChild } from './scenarios/exits.mjs';
import { manyExits } from './scenarios/many-exits.mjs';
import { waits } from './scenarios/waits.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const option = (name) => {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
};
const rounds = Number(option('--rounds') ?? 5);
const only = option('--only')?.split(',');
// The native ceiling program: built here on the host; the Windows run is handed a prebuilt .exe.
const ceiling = option('--ceiling') ?? (native.underWine() ? undefined : buildCeiling());
const platform = option('--platform') ?? (native.underWine() ? `${process.platform}-wine` : process.platform);

const scenarios = [
  bulk,
  pingpong,
  connectRate,
  exits,
  exitsNotChild,
  manyExits,
  waits,
  ...(ceiling ? nativeCeiling(ceiling) : []),
].filter((scenario) => !only || only.includes(scenario.name));

const progress = (text) => process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${text}` : `${text}\n`);

const results = {
  platform,
  node: process.version,
  cpus: cpus().length,
  date: new Date().toISOString().slice(0, 10),
  quick,
  rounds,
  scenarios: [],
};

// --render: no measuring, only rewrite the tables and chart from the saved results.
const render = args.includes('--render');
if (render) {
  const saved = join(here, 'results', quick ? 'quick' : '', `${platform}.json`);
  Object.assign(results, JSON.parse(readFileSync(saved, 'utf8')));
} else {
  await measure();
}

async function measure() {
  for (const [index, scenario] of scenarios.entries()) {
    const samples = Object.fromEntries(scenario.sides.map((side) => [side, []]));
    const tag = `[${index + 1}/${scenarios.length}] ${scenario.name}`;
    for (let round = 0; round <= rounds; round++) {
      for (const side of scenario.sides) {
        progress(`${tag}: ${round === 0 ? 'warm-up' : `round ${round}/${rounds}`} · ${side}`);
        const sample = await scenario.run(side, { quick });
        if (round > 0) samples[side].push(sample);
      }
    }
    const summary = {};
    for (const side of scenario.sides) {
      summary[side] = {};
      const keys = Object.keys(samples[side][0] ?? {});
      for (const key of keys) summary[side][key] = summarize(samples[side].map((sample) => sample[key]));
    }
    // Pair by pair: round r of proactor against round r of the peer.
    const ratios = {};
    const [ours, peer] = scenario.sides;
    if (peer) {
      for (const metric of scenario.metrics) {
        ratios[metric.key] = median(
          samples[ours].map((sample, r) => sample[metric.key] / samples[peer][r][metric.key]),
        );
      }
    }
    results.scenarios.push({
      name: scenario.name,
      title: scenario.title,
      sides: scenario.sides,
      metrics: scenario.metrics,
      summary,
      ratios,
    });
    // Kept as it goes: a long run that dies late still leaves what it measured.
    mkdirSync(join(here, 'results'), { recursive: true });
    writeFileSync(join(here, 'results', `${platform}.partial.json`), `${JSON.stringify(results, null, 2)}\n`);
  }
  progress('done\n');
}

printTable(results);

const outDir = quick ? join(here, 'results', 'quick') : join(here, 'results');
mkdirSync(outDir, { recursive: true });
const jsonPath = join(outDir, `${platform}.json`);
if (only && !render && existsSync(jsonPath)) {
  // A partial run replaces its scenarios in the last full results and keeps the others.
  const previous = JSON.parse(readFileSync(jsonPath, 'utf8'));
  const fresh = new Map(results.scenarios.map((scenario) => [scenario.name, scenario]));
  const merged = previous.scenarios.map((scenario) => fresh.get(scenario.name) ?? scenario);
  for (const scenario of results.scenarios) {
    if (!merged.some((kept) => kept.name === scenario.name)) merged.push(scenario);
  }
  results.scenarios = merged;
}
if (!render) writeFileSync(jsonPath, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(
  join(outDir, `${platform}.md`),
  await formatMarkdown(markdown(results), join(outDir, `${platform}.md`)),
);
writeFileSync(join(outDir, `${platform}.svg`), svg(results));
console.log(`wrote ${join(outDir, platform)}.{json,md,svg}`);

if (!quick) {
  // The README shows the latest full run of each platform between its markers.
  const readme = join(here, '..', 'README.md');
  const text = readFileSync(readme, 'utf8');
  const start = `<!-- bench:${platform} -->`;
  const end = `<!-- /bench:${platform} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from >= 0 && to > from) {
    const table = `${start}\n\n${markdown(results)}\n![${platform}](bench/results/${platform}.svg)\n\n`;
    // Formatted as the repository's lint expects (prettier aligns markdown tables).
    const updated = await formatMarkdown(text.slice(0, from) + table + text.slice(to), readme);
    writeFileSync(readme, updated);
    console.log(`README.md: ${platform} table updated`);
  }
}

async function formatMarkdown(text, filepath) {
  try {
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(filepath)) ?? {};
    return await prettier.format(text, { ...options, filepath });
  } catch {
    return text; // prettier is a dev dependency; without it the table is still valid markdown
  }
}
