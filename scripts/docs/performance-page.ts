/**
 * docs/performance.md's table, between `<!-- bench:reference -->` and `<!-- /bench -->`, from the
 * committed reference run (bench/reference.json, written by `npm run bench -- --update-reference`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FigureResult, Measured } from '../../bench/lib/figure';
import type { MachineInfo } from '../../bench/lib/measure';
import { ROOT } from './shell';

export const PERFORMANCE_PAGE = join(ROOT, 'docs', 'performance.md');
const REFERENCE = join(ROOT, 'bench', 'reference.json');

interface Reference {
  generatedAt: string;
  command: string;
  durationSeconds: number;
  machine: MachineInfo;
  figures: FigureResult[];
  cost?: { subscribers: number; totalUSD: number; targetUSD: number }[];
}

function amount({ value, unit }: Measured): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 })} ${unit}`;
}

function target(figure: FigureResult): string {
  const { target: t, pass } = figure;
  const mark = pass === undefined ? '' : pass ? ' ✓' : ' ✗';
  if (t?.minRatio !== undefined) return `≥ ${t.minRatio}${mark}`;
  if (t?.maxRatio !== undefined) return `≤ ${t.maxRatio}${mark}`;
  if (t?.maxValue !== undefined) return `≤ ${t.maxValue} ${figure.unit}${mark}`;
  return pass === undefined ? '(none)' : mark.trim();
}

/** The table and the line that says where and when it was measured. */
export function referenceTable(reference: Reference): string {
  const { machine } = reference;
  const lines = [
    `Reference run: \`${reference.command}\` on ${reference.generatedAt.slice(0, 10)}, ${machine.cpuModel}, ` +
      `${machine.cores} cores, ${machine.memoryGB} GB, Node.js ${machine.node}, ${machine.platform} ${machine.arch}, ` +
      `${reference.durationSeconds} s in total (\`bench/reference.json\`).`,
    '',
    '| # | Figure | Value | Baseline (same run) | Ratio | Target |',
    '| - | --- | --- | --- | --: | --- |',
  ];
  for (const figure of reference.figures) {
    const extra = Object.entries(figure.extra ?? {})
      .map(([name, quantity]) => `${name} ${amount(quantity)}`)
      .join(', ');
    const measured =
      figure.value === undefined
        ? `not measured: ${figure.unavailable ?? 'unknown'}`
        : amount(figure as Measured);
    const value = extra ? `${measured} (${extra})` : measured;
    const baseline = figure.baseline ? `${figure.baseline.name}: ${amount(figure.baseline)}` : '';
    const ratio = figure.ratio === undefined ? '' : figure.ratio.toFixed(2);
    lines.push(
      `| ${figure.figure} | ${figure.name} | ${value} | ${baseline} | ${ratio} | ${target(figure)} |`,
    );
  }
  for (const cost of reference.cost ?? []) {
    const met = cost.totalUSD <= cost.targetUSD ? ' ✓' : ' ✗';
    lines.push(
      `| — | Cost per 1M events, ${cost.subscribers} subscriber${cost.subscribers === 1 ? '' : 's'} ([cost](cost.md)) | ` +
        `$${cost.totalUSD.toFixed(2)} | | | ≤ $${cost.targetUSD.toFixed(2)}${met} |`,
    );
  }
  return lines.join('\n');
}

export function readReference(): Reference {
  return JSON.parse(readFileSync(REFERENCE, 'utf8')) as Reference;
}

/** The page with its table regenerated from `reference`. */
export function renderPerformancePage(page: string, reference: Reference = readReference()): string {
  const pattern = /<!-- bench:reference -->[\s\S]*?<!-- \/bench -->/;
  if (!pattern.test(page)) throw new Error('docs/performance.md has no <!-- bench:reference --> section');
  return page.replace(
    pattern,
    () => `<!-- bench:reference -->\n${referenceTable(reference)}\n<!-- /bench -->`,
  );
}
