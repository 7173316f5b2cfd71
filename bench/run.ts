/**
 * `npm run bench`: measures the figures of the performance budget, each against a baseline taken in
 * the same run, prints each section as it starts and ends and one line per measurement, and writes
 * them with the machine they were taken on to bench/out/results.json (not tracked).
 *
 *   npm run bench                       # every figure
 *   npm run bench -- --only 2,6         # some figures (by number)
 *   npm run bench -- --update-reference # every figure, and copy the results to bench/reference.json
 *
 * bench/reference.json is the committed reference run that the docs quote (docs/cost.md takes its
 * measured inputs from it); it changes only with --update-reference.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { costPerMillion, DEFAULT_ASSUMPTIONS, summaryLine, TARGETS, type CostAssumptions } from './cost';
import { formatLine, unavailable, type FigureResult } from './lib/figure';
import { machineInfo } from './lib/measure';

export const RESULTS_PATH = path.join(__dirname, 'out', 'results.json');
export const REFERENCE_PATH = path.join(__dirname, 'reference.json');

// The emulators and SDK clients of the figures never reach AWS.
Object.assign(process.env, {
  AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

interface FigureModule {
  run(): Promise<FigureResult[]>;
}

const FIGURES: { figure: string; title: string; load(): Promise<FigureModule> }[] = [
  { figure: '1', title: 'Delivery throughput', load: () => import('./delivery-throughput') },
  { figure: '2', title: 'Signing cost', load: () => import('./signing') },
  { figure: '3', title: 'Normalization throughput', load: () => import('./normalization') },
  { figure: '4', title: 'Cold start', load: () => import('./cold-start') },
  { figure: '5', title: 'End to end, local mode', load: () => import('./end-to-end') },
  { figure: '6', title: 'Memory', load: () => import('./memory') },
  { figure: '7', title: 'Isolation, local mode', load: () => import('./isolation') },
  { figure: '8', title: 'Portal first load', load: () => import('./portal') },
  { figure: '9', title: 'Catch-up throughput, local mode', load: () => import('./catch-up') },
];

function parseArgs(argv: readonly string[]): { only?: Set<string>; updateReference: boolean } {
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? new Set((argv[onlyAt + 1] ?? '').split(',').filter(Boolean)) : undefined;
  const updateReference = argv.includes('--update-reference');
  if (only && updateReference) throw new Error('--update-reference needs every figure: drop --only');
  return { only, updateReference };
}

async function main(): Promise<void> {
  const { only, updateReference } = parseArgs(process.argv.slice(2));
  const started = performance.now();
  const machine = machineInfo();
  console.log(
    `event-relay bench on ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGB} GB, Node ${machine.node} (${machine.platform}/${machine.arch})\n`,
  );
  const sections = FIGURES.filter(({ figure }) => !only || only.has(figure));
  const results: FigureResult[] = [];
  for (const [index, { figure, title, load }] of sections.entries()) {
    const elapsed = ((performance.now() - started) / 1000).toFixed(0);
    console.log(`[${index + 1}/${sections.length}] ${figure}. ${title} (started at ${elapsed} s)`);
    const figureStarted = performance.now();
    let figureResults: FigureResult[];
    try {
      figureResults = await (await load()).run();
    } catch (error) {
      figureResults = [unavailable(figure, title, (error as Error).message.split('\n')[0]!)];
    }
    for (const result of figureResults) {
      console.log(`   ${formatLine(result)}`);
      for (const note of result.notes ?? []) console.log(`     note: ${note}`);
    }
    console.log(`   done in ${((performance.now() - figureStarted) / 1000).toFixed(1)} s\n`);
    results.push(...figureResults);
  }

  // The cost model, with this run's delivery measurements in place of the defaults.
  const { handlerCost } = await import('./memory');
  const assumptions: CostAssumptions = structuredClone(DEFAULT_ASSUMPTIONS) as CostAssumptions;
  if (handlerCost.measured) Object.assign(assumptions.delivery, handlerCost.measured);
  console.log('Cost model (docs/cost.md: npx tsx bench/cost.ts --markdown > docs/cost.md)');
  console.log(`   Cost: ${summaryLine(assumptions)}\n`);
  const capacity = await import('./capacity');
  console.log('Capacity model (docs/capacity.md: npx tsx bench/capacity.ts --markdown > docs/capacity.md)');
  console.log(`   Capacity: ${capacity.summaryLine()}\n`);

  const durationSeconds = (performance.now() - started) / 1000;
  const failed = results.filter((result) => result.pass === false).length;
  const missing = results.filter((result) => result.unavailable).length;
  const costs = [1, 5].map((subscribers) => {
    const breakdown = costPerMillion(subscribers, assumptions);
    return {
      subscribers,
      totalUSD: breakdown.total,
      targetUSD: TARGETS[subscribers],
      byServiceUSD: breakdown.byService,
      dominant: breakdown.dominant.service,
    };
  });
  const json = `${JSON.stringify(
    {
      generatedAt: new Date().toISOString(),
      command: `npm run bench${only ? ` -- --only ${[...only].join(',')}` : ''}`,
      machine,
      durationSeconds: Math.round(durationSeconds),
      figures: results,
      cost: costs,
      measurements: { delivery: handlerCost.measured ?? null },
    },
    null,
    2,
  )}\n`;
  mkdirSync(path.dirname(RESULTS_PATH), { recursive: true });
  writeFileSync(RESULTS_PATH, json);
  if (updateReference) writeFileSync(REFERENCE_PATH, json);
  const written = [RESULTS_PATH, ...(updateReference ? [REFERENCE_PATH] : [])]
    .map((file) => path.relative(process.cwd(), file))
    .join(' and ');
  console.log(
    `Done in ${durationSeconds.toFixed(0)} s: ${results.length} measurements, ${failed} below target, ${missing} not available. Written to ${written}.`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
