/**
 * Figure 6, memory: does the delivery handler keep what it delivers? 10,000 deliveries (batches of 10,
 * one warm process as in a long-lived Lambda container, after 1,000 warm-up deliveries), sampled at
 * 1k, 5k and 10k deliveries. The figure is the growth 10k/1k of the heap retained after a full
 * garbage collection (what the handler holds on to), which must stay near 1; RSS and peak RSS are
 * reported beside it, but not judged: they follow V8's and the allocator's timing (RSS alone moved
 * 1.00 → 1.19 between runs of the same code). dynalite runs in this (the parent) process, so the
 * records it stores are not counted as the handler's memory.
 */
import path from 'node:path';
import { startDynamo } from '../test/support/emulators';
import { startChild } from './lib/child';
import { unavailable, type FigureResult } from './lib/figure';

const WARMUP = 1_000;
const TOTAL = 10_000;
const CHECKPOINTS = [1_000, 5_000, 10_000];
/** "Does not grow with the count": the retained heap at 10k deliveries within 10% of that at 1k. */
const MAX_GROWTH = 1.1;
const NAME = `Memory, delivery handler: heap retained after ${TOTAL.toLocaleString('en-US')} deliveries`;

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
  retainedHeapMB?: number;
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
    if (first.retainedHeapMB === undefined || last.retainedHeapMB === undefined) {
      return [unavailable('6', NAME, 'the worker could not force a full GC (--expose-gc)')];
    }
    const growth = last.retainedHeapMB / first.retainedHeapMB;
    const mb = (value: number) => `${value.toFixed(1)} MB`;
    return [
      {
        figure: '6',
        name: NAME,
        value: last.retainedHeapMB,
        unit: 'MB',
        extra: { RSS: { value: last.rssMB, unit: 'MB' }, 'peak RSS': { value: last.peakRssMB, unit: 'MB' } },
        baseline: {
          name: `retained heap at ${first.deliveries / 1000}k`,
          value: first.retainedHeapMB,
          unit: 'MB',
        },
        ratio: growth,
        target: { maxRatio: MAX_GROWTH },
        pass: growth <= MAX_GROWTH,
        notes: [
          `retained heap after a full GC: ${samples.map((sample) => `${mb(sample.retainedHeapMB!)} at ${sample.deliveries / 1000}k`).join(', ')}`,
          `RSS (not judged): ${samples.map((sample) => `${mb(sample.rssMB)} at ${sample.deliveries / 1000}k`).join(', ')}; peak RSS ${mb(first.peakRssMB)} → ${mb(last.peakRssMB)} (${(last.peakRssMB / first.peakRssMB).toFixed(2)}×)`,
          `handler CPU ${cpuMsPerDelivery.toFixed(2)} ms and ${Math.round(logBytesPerDelivery)} log bytes per delivery after ${WARMUP.toLocaleString('en-US')} warm-up deliveries (DynamoDB emulator in another process)`,
        ],
      },
    ];
  } finally {
    await Promise.all([worker.stop(), receiver.stop()]);
    await dynamo.stop();
  }
}
