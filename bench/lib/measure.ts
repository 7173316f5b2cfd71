/** Timing and statistics helpers shared by the figure modules. */
import { cpus, totalmem } from 'node:os';

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** Nearest-rank percentile (p in 0..100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

/**
 * Operations per second of a synchronous function: warm up for `warmupMs`, then `rounds` timed rounds
 * of `roundMs` each; the median round is reported (so one GC pause does not decide the figure).
 */
export function syncOpsPerSecond(
  operation: () => unknown,
  options: { warmupMs?: number; roundMs?: number; rounds?: number } = {},
): number {
  const { warmupMs = 300, roundMs = 400, rounds = 5 } = options;
  const runFor = (ms: number): number => {
    let count = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      for (let i = 0; i < 64; i++) operation();
      count += 64;
      now = performance.now();
    }
    return count / ((now - start) / 1000);
  };
  runFor(warmupMs);
  const rates: number[] = [];
  for (let round = 0; round < rounds; round++) rates.push(runFor(roundMs));
  return median(rates);
}

/**
 * Operations per second of an async step that performs `perStep` operations (e.g. one batch of 10
 * deliveries): warm up, then the median of `rounds` rounds of `roundMs` each.
 */
export async function asyncOpsPerSecond(
  step: () => Promise<unknown>,
  perStep: number,
  options: { warmupMs?: number; roundMs?: number; rounds?: number } = {},
): Promise<number> {
  const { warmupMs = 1000, roundMs = 1500, rounds = 3 } = options;
  const runFor = async (ms: number): Promise<number> => {
    let count = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      await step();
      count += perStep;
      now = performance.now();
    }
    return count / ((now - start) / 1000);
  };
  await runFor(warmupMs);
  const rates: number[] = [];
  for (let round = 0; round < rounds; round++) rates.push(await runFor(roundMs));
  return median(rates);
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGB: number;
  node: string;
  platform: string;
  arch: string;
}

export function machineInfo(): MachineInfo {
  const cpuList = cpus();
  return {
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGB: Math.round(totalmem() / 1024 ** 3),
    node: process.version,
    platform: process.platform,
    arch: process.arch,
  };
}

/**
 * Rates per second of `measured` and `baseline` (each step handles `perStep` items), in alternating
 * rounds after a warm-up of both, so a drift in the machine's speed weighs on both alike: the median
 * round of each, and `ratio`, the median of the rounds' measured/baseline ratios (each pair of rounds
 * taken back to back, in ABBA order so neither always runs first). `measured` may return a promise,
 * which is awaited.
 */
export async function alternatingRates(
  measured: () => unknown,
  baseline: () => unknown,
  perStep: number,
  options: { warmupMs?: number; roundMs?: number; rounds?: number } = {},
): Promise<{ value: number; baseline: number; ratio: number }> {
  const { warmupMs = 300, roundMs = 400, rounds = 5 } = options;
  const runFor = async (step: () => unknown, ms: number): Promise<number> => {
    let count = 0;
    const start = performance.now();
    let now = start;
    while (now - start < ms) {
      const result = step();
      if (result instanceof Promise) await result;
      count += perStep;
      now = performance.now();
    }
    return count / ((now - start) / 1000);
  };
  await runFor(measured, warmupMs);
  await runFor(baseline, warmupMs);
  const rates = { value: [] as number[], baseline: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      rates.value.push(await runFor(measured, roundMs));
      rates.baseline.push(await runFor(baseline, roundMs));
    } else {
      rates.baseline.push(await runFor(baseline, roundMs));
      rates.value.push(await runFor(measured, roundMs));
    }
  }
  return {
    value: median(rates.value),
    baseline: median(rates.baseline),
    ratio: median(rates.value.map((value, round) => value / rates.baseline[round]!)),
  };
}
