/**
 * Figure 6, memory: the delivery handler's peak RSS over 10,000 deliveries (batches of 10, one warm
 * process as in a long-lived Lambda container, after 1,000 warm-up deliveries), sampled at 1k, 5k and
 * 10k deliveries. The figure is
 * the growth 10k/1k, which must stay near 1. dynalite runs in this (the parent) process, so the records
 * it stores are not counted as the handler's memory.
 */
import path from 'node:path';
import { startDynamo } from '../test/support/emulators';
import { startChild } from './lib/child';
import type { FigureResult } from './lib/figure';

const WARMUP = 1_000;
const TOTAL = 10_000;
const CHECKPOINTS = [1_000, 5_000, 10_000];
/** "Does not grow with the count": peak RSS at 10k deliveries within 10% of the peak at 1k. */
const MAX_GROWTH = 1.1;

/**
 * The handler's CPU time and log bytes per delivery over this run, for the cost model. Measured here
 * rather than in figure 1 because here dynalite's CPU is in another process.
 */
export const handlerCost: { measured?: { cpuMsPerDelivery: number; logBytesPerDelivery: number } } = {};

interface Sample {
  deliveries: number;
  rssMB: number;
  peakRssMB: number;
  heapUsedMB: number;
  retainedHeapMB: number;
}

export async function run(): Promise<FigureResult[]> {
  const dynamo = await startDynamo();
  const receiver = startChild(path.join(__dirname, 'workers/receiver.ts'));
  // --expose-gc: a full collection at each checkpoint measures what the handler retains (V8 otherwise
  // grows the heap lazily, and the peak would reflect collection timing rather than retention).
  const worker = startChild(path.join(__dirname, 'workers/delivery.ts'), { execArgv: ['--expose-gc'] });
  try {
    const { url } = await receiver.call<{ url: string }>('start', {});
    await worker.call('setup', {
      receiverUrl: url,
      dynamo: { endpoint: dynamo.endpoint, tableNames: dynamo.tableNames },
    });
    const { samples, cpuMsPerDelivery, logBytesPerDelivery } = await worker.call<{
      samples: Sample[];
      cpuMsPerDelivery: number;
      logBytesPerDelivery: number;
    }>('memory', {
      warmup: WARMUP,
      total: TOTAL,
      checkpoints: CHECKPOINTS,
    });
    handlerCost.measured = { cpuMsPerDelivery, logBytesPerDelivery };
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    const growth = last.peakRssMB / first.peakRssMB;
    return [
      {
        figure: '6',
        name: `Memory, delivery handler: peak RSS after ${TOTAL.toLocaleString('en-US')} deliveries`,
        value: last.peakRssMB,
        unit: 'MB',
        extra: Object.fromEntries(
          samples.map((sample) => [
            `at ${sample.deliveries / 1000}k`,
            { value: sample.peakRssMB, unit: 'MB' },
          ]),
        ),
        baseline: { name: `peak RSS at ${first.deliveries / 1000}k`, value: first.peakRssMB, unit: 'MB' },
        ratio: growth,
        target: { maxRatio: MAX_GROWTH },
        pass: growth <= MAX_GROWTH,
        notes: [
          `handler CPU ${cpuMsPerDelivery.toFixed(2)} ms and ${Math.round(logBytesPerDelivery)} log bytes per delivery (DynamoDB emulator in another process)`,
          `after ${WARMUP.toLocaleString('en-US')} warm-up deliveries; heap retained after a full GC: ${samples.map((sample) => `${sample.retainedHeapMB.toFixed(1)} MB at ${sample.deliveries / 1000}k`).join(', ')}`,
        ],
      },
    ];
  } finally {
    await Promise.all([worker.stop(), receiver.stop()]);
    await dynamo.stop();
  }
}
