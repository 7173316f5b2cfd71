/**
 * Figure 1, delivery throughput on one core: deliveries per second of the delivery handler over
 * SQS-shaped batches of 10, and of its send path alone (`sendWebhook`), against a bare loop of
 * keep-alive POSTs of the same payload, batch size and HTTP client to the same receiver. The receiver
 * runs in another process, so the measured process has its core to itself.
 */
import path from 'node:path';
import { startChild } from './lib/child';
import { compare, type FigureResult } from './lib/figure';

const ROUND = { warmupMs: 1500, roundMs: 2000, rounds: 3 };

interface Throughput {
  perSecond: number;
  deliveries: number;
  logBytesPerDelivery: number;
  cpuMsPerDelivery: number;
  cpuShare: number;
}

/** Measurements other parts of the bench reuse (the cost model's log bytes and CPU time). */
export const deliveryMeasurements: { handler?: Throughput } = {};

export async function run(): Promise<FigureResult[]> {
  const receiver = startChild(path.join(__dirname, 'workers/receiver.ts'));
  const worker = startChild(path.join(__dirname, 'workers/delivery.ts'));
  try {
    const { url } = await receiver.call<{ url: string }>('start', {});
    await worker.call('setup', { receiverUrl: url });
    const measure = (kind: string) => worker.call<Throughput>('throughput', { kind, ...ROUND });
    const bare = await measure('bare');
    const send = await measure('send');
    const handler = await measure('handler');
    deliveryMeasurements.handler = handler;
    const baseline = { name: 'bare keep-alive POST loop', value: bare.perSecond, unit: 'deliveries/s' };

    const sendResult = compare(
      '1',
      'Delivery throughput, send path (sendWebhook: sign + POST)',
      { value: send.perSecond, unit: 'deliveries/s' },
      baseline,
      { minRatio: 0.6 },
    );
    const handlerResult = compare(
      '1',
      'Delivery throughput, delivery handler (SQS batches of 10)',
      { value: handler.perSecond, unit: 'deliveries/s' },
      baseline,
    );
    handlerResult.notes = [
      'includes each delivery’s DynamoDB write (delivery log) against dynalite, an in-process emulator on the same core, which the baseline does not do; the like-for-like 0.6 target is the send-path line',
      `handler CPU: ${handler.cpuMsPerDelivery.toFixed(3)} ms per delivery; log output ${Math.round(handler.logBytesPerDelivery)} bytes per delivery`,
    ];
    return [sendResult, handlerResult];
  } finally {
    await Promise.all([worker.stop(), receiver.stop()]);
  }
}
