// Benchmark output: a terminal table, JSON, a markdown table and an SVG chart.

const fmt = (value) => {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
};

/** Rows: one per scenario metric, with each side's median and range, and ours/peer. */
export function rows(results) {
  const out = [];
  for (const scenario of results.scenarios) {
    const [ours, peer] = scenario.sides;
    for (const metric of scenario.metrics) {
      const a = scenario.summary[ours]?.[metric.key];
      const b = peer ? scenario.summary[peer]?.[metric.key] : undefined;
      const ratio = b && !metric.noRatio ? scenario.ratios[metric.key] : undefined;
      out.push({
        scenario: scenario.name,
        metric: metric.unit,
        better: metric.better,
        ours: a && `${fmt(a.median)} (${fmt(a.min)}–${fmt(a.max)})`,
        peerName: peer ?? '',
        peer: b ? `${fmt(b.median)} (${fmt(b.min)}–${fmt(b.max)})` : '',
        ratio: ratio === undefined ? '' : `${fmt(ratio)}×`,
        ratioValue: ratio,
      });
    }
  }
  return out;
}

export function printTable(results) {
  console.log(
    `\n${results.platform} · Node ${results.node} · ${results.rounds} rounds${results.quick ? ' (quick)' : ''}`,
  );
  console.table(
    rows(results).map(({ scenario, metric, ours, peerName, peer, ratio }) => ({
      scenario,
      metric,
      proactor: ours,
      peer: peerName,
      'peer value': peer,
      'proactor/peer': ratio,
    })),
  );
}

export function markdown(results) {
  const lines = [
    `Measured on ${results.platform}, Node ${results.node}, ${results.cpus} CPUs, ${results.date}; ` +
      `median (min–max) of ${results.rounds} alternating rounds; ratio = proactor/peer, median of per-round ratios.`,
    '',
    '| scenario | metric | proactor | peer | peer value | proactor/peer |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of rows(results)) {
    const better = row.better === 'higher' ? '↑' : '↓';
    lines.push(
      `| ${row.scenario} | ${row.metric} ${better} | ${row.ours ?? ''} | ${row.peerName} | ${row.peer} | ${row.ratio} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Horizontal bars: how many times better proactor is than its peer (1 = even), per metric. */
export function svg(results) {
  const bars = rows(results)
    .filter((row) => row.ratioValue !== undefined)
    .map((row) => ({
      label: `${row.scenario} · ${row.metric} vs ${row.peerName}`,
      advantage: row.better === 'higher' ? row.ratioValue : 1 / row.ratioValue,
    }));
  const width = 760;
  const left = 330;
  const barHeight = 22;
  const top = 40;
  const height = top + bars.length * (barHeight + 8) + 30;
  const max = Math.max(2, ...bars.map((bar) => bar.advantage));
  const x = (value) => left + ((width - left - 60) * value) / max;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">proactor vs peer, ${escape(results.platform)}: times better (1 = even)</text>`,
    `<line x1="${x(1)}" y1="${top - 6}" x2="${x(1)}" y2="${height - 24}" stroke="#888" stroke-dasharray="4 3"/>`,
    `<text x="${x(1) - 4}" y="${height - 10}" fill="#555">1×</text>`,
  ];
  bars.forEach((bar, i) => {
    const y = top + i * (barHeight + 8);
    const color = bar.advantage >= 1 ? '#2b8a3e' : '#c92a2a';
    parts.push(`<text x="10" y="${y + 15}">${escape(bar.label)}</text>`);
    parts.push(
      `<rect x="${left}" y="${y}" width="${x(bar.advantage) - left}" height="${barHeight}" fill="${color}"/>`,
    );
    parts.push(`<text x="${x(bar.advantage) + 6}" y="${y + 15}">${fmt(bar.advantage)}×</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function escape(text) {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}
