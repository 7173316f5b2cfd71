/**
 * The shape every benchmark figure reports, and how the runner prints it. A figure compares a value
 * with a baseline measured in the same run; `ratio` is value / baseline, and `target` says which way
 * it must go (`min`: ratio at least this, `max`: ratio at most this, `maxValue`: the value itself).
 */
export interface Target {
  /** The ratio must be at least this (throughput-like figures). */
  minRatio?: number;
  /** The ratio must be at most this (cost-like figures, e.g. init time vs an empty bundle). */
  maxRatio?: number;
  /** The value itself must be at most this (e.g. bundle size). */
  maxValue?: number;
}

export interface Measured {
  value: number;
  unit: string;
}

export interface FigureResult {
  /** Which of the six figures (1-6), or `cost`. */
  figure: string;
  name: string;
  value?: number;
  unit?: string;
  baseline?: Measured & { name: string };
  ratio?: number;
  target?: Target;
  pass?: boolean;
  /** Set when the figure could not be measured; the line then says why. */
  unavailable?: string;
  /** Extra values shown on the line (e.g. p99 beside p50). */
  extra?: Record<string, Measured>;
  notes?: string[];
}

export function compare(
  figure: string,
  name: string,
  measured: Measured,
  baseline: Measured & { name: string },
  target?: Target,
  /** The ratio when measured otherwise than value / baseline (e.g. the median of paired rounds). */
  pairedRatio?: number,
): FigureResult {
  const ratio = pairedRatio ?? measured.value / baseline.value;
  return {
    figure,
    name,
    ...measured,
    baseline,
    ratio,
    target,
    pass: target ? meetsTarget(ratio, measured.value, target) : undefined,
  };
}

export function meetsTarget(ratio: number | undefined, value: number | undefined, target: Target): boolean {
  if (target.minRatio !== undefined && !(ratio !== undefined && ratio >= target.minRatio)) return false;
  if (target.maxRatio !== undefined && !(ratio !== undefined && ratio <= target.maxRatio)) return false;
  if (target.maxValue !== undefined && !(value !== undefined && value <= target.maxValue)) return false;
  return true;
}

export function unavailable(figure: string, name: string, reason: string): FigureResult {
  return { figure, name, unavailable: reason };
}

/** A number with a sensible number of digits for its size. */
export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  if (Number.isInteger(value) && abs < 1000) return String(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(3);
}

function formatTarget(target: Target, unit: string | undefined): string {
  const parts: string[] = [];
  if (target.minRatio !== undefined) parts.push(`ratio ≥ ${target.minRatio}`);
  if (target.maxRatio !== undefined) parts.push(`ratio ≤ ${target.maxRatio}`);
  if (target.maxValue !== undefined) parts.push(`≤ ${formatNumber(target.maxValue)} ${unit ?? ''}`.trim());
  return parts.join(', ');
}

/** `name: value unit (baseline: value unit, ratio: x.xx, target ≥ y) PASS/FAIL` */
export function formatLine(result: FigureResult): string {
  if (result.unavailable) return `${result.name}: not available: ${result.unavailable}`;
  let line = `${result.name}: ${formatNumber(result.value!)} ${result.unit}`;
  for (const [label, extra] of Object.entries(result.extra ?? {})) {
    line += `, ${label} ${formatNumber(extra.value)} ${extra.unit}`;
  }
  const inParens: string[] = [];
  if (result.baseline) {
    inParens.push(
      `baseline ${result.baseline.name}: ${formatNumber(result.baseline.value)} ${result.baseline.unit}`,
    );
  }
  if (result.ratio !== undefined) inParens.push(`ratio: ${result.ratio.toFixed(2)}`);
  if (result.target) inParens.push(`target ${formatTarget(result.target, result.unit)}`);
  if (inParens.length) line += ` (${inParens.join(', ')})`;
  if (result.pass !== undefined) line += result.pass ? ' PASS' : ' FAIL';
  return line;
}
