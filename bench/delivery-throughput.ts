/**
 * Figure 1, delivery throughput on one core: deliveries per second of the delivery handler over
 * SQS-shaped batches of 10, and of its send path alone (`sendWebhook`), against a bare loop of
 * keep-alive POSTs of the same payload, batch size and HTTP client to the same receiver. The receiver
 * runs in another process, so the measured process has its core to itself.
 */
import path from 'node:path';
import { startChild } from './lib/child';
import { compare, type FigureResult } from './lib/figure';

const WARMUP_MS = 1500;
const ROUND_MS = 1500;
/** Rounds alternate between the three loops, so a drift in the machine's speed affects all alike. */
const ROUNDS = 5;
const KINDS = ['bare', 'send', 'handler'] as const;

interface Throughput {
  perSecond: number;
  deliveries: number;
  logBytesPerDelivery: number;
  cpuMsPerDelivery: number;
  cpuShare: number;
}

export async function run(): Promise<FigureResult[]> {
  const receiver = startChild(path.join(__dirname, 'workers/receiver.ts'));
  const worker = startChild(path.join(__dirname, 'workers/delivery.ts'));
  try {
    const { url } = await receiver.call<{ url: string }>('start', {});
    await worker.call('setup', { receiverUrl: url });
    const measure = (kind: string, warmupMs: number, roundMs: number) =>
      worker.call<Throughput>('throughput', { kind, warmupMs, roundMs, rounds: 1 });
    for (const kind of KINDS) await measure(kind, WARMUP_MS, 200);
    const rounds: Record<(typeof KINDS)[number], Throughput[]> = { bare: [], send: [], handler: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of KINDS) rounds[kind].push(await measure(kind, 0, ROUND_MS));
    }
    const medianOf = (kind: (typeof KINDS)[number]): Throughput => {
      const sorted = [...rounds[kind]].sort((a, b) => a.perSecond - b.perSecond);
      return sorted[Math.floor(sorted.length / 2)]!;
    };
    const [bare, send, handler] = KINDS.map(medianOf) as [Throughput, Throughput, Throughput];
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
      `median of ${ROUNDS} alternating rounds of ${ROUND_MS / 1000} s after a warm-up; handler process CPU ${handler.cpuMsPerDelivery.toFixed(2)} ms per delivery including dynalite`,
    ];
    return [sendResult, handlerResult];
  } finally {
    await Promise.all([worker.stop(), receiver.stop()]);
  }
}
