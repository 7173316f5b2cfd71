/**
 * Figure 4, cold start: each function's bundle built the way the stack's NodejsFunction builds it
 * (esbuild, bundle, minify, cjs, platform node, target node22, sourcemap in a separate file, the AWS
 * SDK v3 left external because the Node.js 22 runtime provides it), its size, and the median wall
 * time of a fresh `node -e "require('<bundle>')"` over 20 runs, against an empty handler bundled the
 * same way. Nothing is subtracted: both times include Node's own start.
 *
 * Bundles are written under node_modules/.cache so the external `@aws-sdk/*` packages resolve from the
 * project's node_modules, as they resolve from the runtime's in Lambda.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { compare, type FigureResult } from './lib/figure';
import { median } from './lib/measure';

const ROOT = path.resolve(__dirname, '..');
const OUT_DIR = path.join(ROOT, 'node_modules/.cache/event-relay-bench/bundles');
const RUNS = 20;
const MAX_BUNDLE_KB = 400;
const MAX_INIT_RATIO = 3;

/** The esbuild options of the stack's bundling (NodejsFunction defaults plus minify and source maps). */
export async function bundle(entry: string, outfile: string): Promise<number> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    sourcemap: 'external',
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
  });
  return statSync(outfile).size / 1024;
}

interface InitTimes {
  /** Median wall time of the whole `node -e require(...)` process. */
  processMs: number;
  /** Median time of the `require` alone, measured inside the process. */
  requireMs: number;
}

function initTimes(bundlePath: string): InitTimes {
  const script = `const t=performance.now();require(${JSON.stringify(bundlePath)});process.stdout.write(String(performance.now()-t))`;
  const env = { ...process.env, AWS_REGION: 'us-east-1', NODE_OPTIONS: '' };
  const processMs: number[] = [];
  const requireMs: number[] = [];
  spawnSync(process.execPath, ['-e', script], { env }); // warms the file cache
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8' });
    processMs.push(performance.now() - started);
    if (result.status !== 0) throw new Error(`require(${bundlePath}) failed: ${result.stderr.slice(0, 500)}`);
    requireMs.push(Number(result.stdout));
  }
  return { processMs: median(processMs), requireMs: median(requireMs) };
}

/** Function names: every `lambdas/<name>/handler.ts`. */
export function functionNames(): string[] {
  return readdirSync(path.join(ROOT, 'lambdas'))
    .filter((name) => existsSync(path.join(ROOT, 'lambdas', name, 'handler.ts')))
    .sort();
}

export async function run(): Promise<FigureResult[]> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  mkdirSync(OUT_DIR, { recursive: true });
  const emptyEntry = path.join(OUT_DIR, 'empty-handler.ts');
  writeFileSync(emptyEntry, 'export const handler = async (): Promise<object> => ({});\n');
  const emptyBundle = path.join(OUT_DIR, 'empty/index.js');
  const emptyKB = await bundle(emptyEntry, emptyBundle);
  const empty = initTimes(emptyBundle);

  const results: FigureResult[] = [];
  for (const name of functionNames()) {
    const outfile = path.join(OUT_DIR, name, 'index.js');
    const sizeKB = await bundle(path.join(ROOT, 'lambdas', name, 'handler.ts'), outfile);
    const init = initTimes(outfile);
    const result = compare(
      '4',
      `Cold start, ${name}: init (fresh node process, median of ${RUNS})`,
      { value: init.processMs, unit: 'ms' },
      { name: 'empty handler', value: empty.processMs, unit: 'ms' },
      { maxRatio: MAX_INIT_RATIO },
    );
    result.extra = { 'require alone': { value: init.requireMs, unit: 'ms' } };
    results.push(result);
    results.push({
      figure: '4',
      name: `Cold start, ${name}: bundle size (minified)`,
      value: sizeKB,
      unit: 'KB',
      baseline: { name: 'empty handler', value: emptyKB, unit: 'KB' },
      target: { maxValue: MAX_BUNDLE_KB },
      pass: sizeKB <= MAX_BUNDLE_KB,
    });
  }
  results[0]?.notes?.push();
  if (results[0]) {
    results[0].notes = [
      `empty handler: require alone ${empty.requireMs.toFixed(2)} ms; @aws-sdk/* external (provided by the Node.js 22 runtime) and loaded from node_modules here`,
    ];
  }
  return results;
}
