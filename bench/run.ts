/**
 * `npm run bench`: measures the six figures of the performance budget, each against a baseline taken
 * in the same run, prints one line per measurement and writes them to bench/results.json with the
 * machine they were taken on. See the Performance section of README.md.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { costPerMillion, DEFAULT_ASSUMPTIONS, summaryLine, TARGETS, type CostAssumptions } from './cost';
import { formatLine, unavailable, type FigureResult } from './lib/figure';
import { machineInfo } from './lib/measure';

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
];

async function main(): Promise<void> {
  const started = performance.now();
  const machine = machineInfo();
  console.log(
    `event-relay bench on ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGB} GB, Node ${machine.node} (${machine.platform}/${machine.arch})\n`,
  );
  const results: FigureResult[] = [];
  for (const { figure, title, load } of FIGURES) {
    console.log(`${figure}. ${title}`);
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
    console.log(`   (${((performance.now() - figureStarted) / 1000).toFixed(1)} s)\n`);
    results.push(...figureResults);
  }

  // The cost model, with this run's delivery measurements in place of the defaults.
  const { handlerCost } = await import('./memory');
  const assumptions: CostAssumptions = structuredClone(DEFAULT_ASSUMPTIONS) as CostAssumptions;
  if (handlerCost.measured) Object.assign(assumptions.delivery, handlerCost.measured);
  console.log('Cost model (docs/cost.md: npx tsx bench/cost.ts --markdown > docs/cost.md)');
  console.log(`   Cost: ${summaryLine(assumptions)}\n`);

  const durationSeconds = (performance.now() - started) / 1000;
  const failed = results.filter((result) => result.pass === false).length;
  const missing = results.filter((result) => result.unavailable).length;
  console.log(
    `Done in ${durationSeconds.toFixed(0)} s: ${results.length} measurements, ${failed} below target, ${missing} not available. Written to bench/results.json.`,
  );

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
  writeFileSync(
    path.join(__dirname, 'results.json'),
    `${JSON.stringify(
      {
        generatedAt: new Date().toISOString(),
        command: 'npm run bench',
        machine,
        durationSeconds: Math.round(durationSeconds),
        figures: results,
        cost: costs,
        measurements: { delivery: handlerCost.measured ?? null },
      },
      null,
      2,
    )}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
