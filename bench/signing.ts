/**
 * Figure 2, signing cost: the full signature header set of one delivery (Standard Webhooks
 * `webhook-signature` plus `X-Webhook-Signature`) against one bare `crypto.createHmac('sha256')` over
 * the same signed bytes.
 */
import { createHmac } from 'node:crypto';
import { signatureHeaders, standardWebhooksKey } from '../lambdas/delivery/sign';
import { derivedId } from '../lambdas/shared/ids';
import { BENCH_SECRET, benchPayload } from './fixtures';
import { compare, type FigureResult } from './lib/figure';
import { syncOpsPerSecond } from './lib/measure';

export async function run(): Promise<FigureResult[]> {
  const deliveryId = derivedId('msg', 'tn_bench', 'evt_1', 'sub_1');
  const body = JSON.stringify(benchPayload('evt_bench_signing'));
  const timestamp = new Date('2025-01-15T10:30:05.000Z');
  const signedBytes = `${deliveryId}.${Math.floor(timestamp.getTime() / 1000)}.${body}`;
  const key = standardWebhooksKey(BENCH_SECRET);

  const bare = syncOpsPerSecond(() => createHmac('sha256', key).update(signedBytes).digest('base64'));
  const full = syncOpsPerSecond(() => signatureHeaders([BENCH_SECRET], deliveryId, timestamp, body));
  const result = compare(
    '2',
    'Signing (full header set, 1 secret)',
    { value: full, unit: 'signatures/s' },
    { name: 'bare createHmac', value: bare, unit: 'HMACs/s' },
    { minRatio: 0.5 },
  );
  result.notes = [
    `${body.length}-byte body; the header set is two HMAC-SHA256s (Standard Webhooks over id.timestamp.body, X-Webhook-Signature over the body)`,
  ];
  return [result];
}
