/**
 * Figure 4, cold start: each function's bundle built the way the stack's NodejsFunction builds it
 * (lib/functions.ts: esbuild, bundle, minify, cjs, platform node, target = the Lambda runtime's Node.js
 * version, a source map file, and `bundleAwsSDK: false`, which makes every `@aws-sdk/*` import external
 * so the runtime's own SDK v3 serves it), its size, and the median wall time of a fresh
 * `node --enable-source-maps -e "require('<bundle>')"` (the stack sets that NODE_OPTIONS) over 20 runs,
 * against an empty handler bundled the same way. Nothing is subtracted: both times include Node's own
 * start.
 *
 * The bundles are written under the repository's node_modules/.cache, so the external `@aws-sdk/*`
 * requires resolve to the repository's installed SDK and are loaded during init, as Lambda loads the
 * runtime's copy; the init times therefore include loading the SDK clients from node_modules.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { compare, type FigureResult } from './lib/figure';
import { median } from './lib/measure';

const ROOT = path.resolve(__dirname, '..');
const OUT_DIR = path.join(ROOT, 'node_modules/.cache/event-relay-bench/bundles');
const RUNS = 20;
const MAX_BUNDLE_KB = 400;
const MAX_INIT_RATIO = 3;

/** `node24` for the stack's `nodejs24.x` runtime. */
export async function esbuildTarget(): Promise<string> {
  try {
    const { LAMBDA_RUNTIME } = await import('../lib/functions');
    return LAMBDA_RUNTIME.name.replace(/^nodejs(\d+)\.x$/, 'node$1');
  } catch {
    return 'node22';
  }
}

/**
 * What NodejsFunction makes external with `bundleAwsSDK: false` on a Node.js 18+ runtime, without the
 * `@aws-cdk/aws-lambda-nodejs:sdkV3ExcludeSmithyPackages` flag (cdk.json does not set it).
 */
export const SDK_EXTERNALS = ['@aws-sdk/*'];

/**
 * The esbuild options of the stack's bundling: NodejsFunction's (bundle, cjs, platform node, the
 * runtime's target, no main-fields override, the SDK external) plus lib/functions.ts's minify and
 * source map.
 */
export async function bundle(
  entry: string,
  outfile: string,
  target: string,
): Promise<{ sizeKB: number; largest: string }> {
  const { metafile } = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    sourcemap: true,
    platform: 'node',
    format: 'cjs',
    target,
    external: SDK_EXTERNALS,
    logLevel: 'silent',
    metafile: true,
  });
  return { sizeKB: statSync(outfile).size / 1024, largest: largestPackages(metafile) };
}

/** The three packages (or `lambdas/`) that contribute most bytes to a bundle, e.g. `zod 180 KB`. */
function largestPackages(metafile: Metafile): string {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const owner = match ? match[1]! : input.split('/')[0]!;
      byPackage.set(owner, (byPackage.get(owner) ?? 0) + bytesInOutput);
    }
  }
  return [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([name, bytes]) => `${name} ${Math.round(bytes / 1024)} KB`)
    .join(', ');
}

interface InitTimes {
  /** Median wall time of the whole `node -e require(...)` process. */
  processMs: number;
  /** Median time of the `require` alone, measured inside the process. */
  requireMs: number;
}

/** One fresh process requiring the bundle: its wall time and the `require` time it reports. */
function timeOneInit(bundlePath: string): { processMs: number; requireMs: number } {
  const script = `const t=performance.now();require(${JSON.stringify(bundlePath)});process.stdout.write(String(performance.now()-t))`;
  const env = { ...process.env, AWS_REGION: 'us-east-1', NODE_OPTIONS: '' };
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--enable-source-maps', '-e', script], {
    env,
    encoding: 'utf8',
  });
  const processMs = performance.now() - started;
  if (result.status !== 0) throw new Error(`require(${bundlePath}) failed: ${result.stderr.slice(0, 500)}`);
  return { processMs, requireMs: Number(result.stdout) };
}

/**
 * Medians over RUNS fresh processes of the bundle and of the empty bundle, the two alternating so that
 * load from anything else on the machine weighs on both alike.
 */
function initTimes(bundlePath: string, emptyPath: string): { bundle: InitTimes; empty: InitTimes } {
  timeOneInit(bundlePath); // warms the file cache
  timeOneInit(emptyPath);
  const runs = { bundle: [] as InitTimes[], empty: [] as InitTimes[] };
  for (let i = 0; i < RUNS; i++) {
    runs.bundle.push(timeOneInit(bundlePath));
    runs.empty.push(timeOneInit(emptyPath));
  }
  const medians = (list: InitTimes[]): InitTimes => ({
    processMs: median(list.map((entry) => entry.processMs)),
    requireMs: median(list.map((entry) => entry.requireMs)),
  });
  return { bundle: medians(runs.bundle), empty: medians(runs.empty) };
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
  const target = await esbuildTarget();
  const { sizeKB: emptyKB } = await bundle(emptyEntry, emptyBundle, target);

  const results: FigureResult[] = [];
  for (const name of functionNames()) {
    const outfile = path.join(OUT_DIR, name, 'index.js');
    const { sizeKB, largest } = await bundle(path.join(ROOT, 'lambdas', name, 'handler.ts'), outfile, target);
    const { bundle: init, empty } = initTimes(outfile, emptyBundle);
    const result = compare(
      '4',
      `Cold start, ${name}: init (fresh node process, median of ${RUNS})`,
      { value: init.processMs, unit: 'ms' },
      { name: 'empty handler', value: empty.processMs, unit: 'ms' },
      { maxRatio: MAX_INIT_RATIO },
    );
    result.extra = { 'require alone': { value: init.requireMs, unit: 'ms' } };
    result.notes = [`empty handler: require alone ${empty.requireMs.toFixed(2)} ms`];
    results.push(result);
    results.push({
      figure: '4',
      name: `Cold start, ${name}: bundle size (minified)`,
      value: sizeKB,
      unit: 'KB',
      baseline: { name: 'empty handler', value: emptyKB, unit: 'KB' },
      target: { maxValue: MAX_BUNDLE_KB },
      pass: sizeKB <= MAX_BUNDLE_KB,
      notes: [`largest parts: ${largest}`],
    });
  }
  results[0]?.notes?.unshift(
    `esbuild target ${target}, ${SDK_EXTERNALS.join(', ')} external (bundleAwsSDK: false, as lib/functions.ts sets); bundles run from ${path.relative(ROOT, OUT_DIR)}, so the external SDK modules load from the repository's node_modules during init, as the runtime's SDK does in Lambda`,
  );
  return results;
}
