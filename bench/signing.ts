/**
 * Figure 2, signing cost: the full signature header set of one delivery (Standard Webhooks
 * `webhook-signature` plus `X-Webhook-Signature`) against what it must compute at least: two bare
 * `crypto.createHmac('sha256')` calls over the same inputs (the Standard Webhooks key over
 * `id.timestamp.body`, the secret string over the body). Measured in alternating rounds; the ratio is
 * the median of the rounds' ratios.
 */
import { createHmac } from 'node:crypto';
import { signatureHeaders, standardWebhooksKey } from '../lambdas/delivery/sign';
import { derivedId } from '../lambdas/shared/ids';
import { BENCH_SECRET, benchPayload } from './fixtures';
import { compare, type FigureResult } from './lib/figure';
import { alternatingRates } from './lib/measure';

/** Calls per timed step, so the loop's own cost stays out of the figure. */
const CALLS_PER_STEP = 64;

export async function run(): Promise<FigureResult[]> {
  const deliveryId = derivedId('msg', 'tn_bench', 'evt_1', 'sub_1');
  const body = JSON.stringify(benchPayload('evt_bench_signing'));
  const timestamp = new Date('2025-01-15T10:30:05.000Z');
  const signedBytes = `${deliveryId}.${Math.floor(timestamp.getTime() / 1000)}.${body}`;
  const key = standardWebhooksKey(BENCH_SECRET);

  const rates = await alternatingRates(
    () => {
      for (let i = 0; i < CALLS_PER_STEP; i++) signatureHeaders([BENCH_SECRET], deliveryId, timestamp, body);
    },
    () => {
      for (let i = 0; i < CALLS_PER_STEP; i++) {
        createHmac('sha256', key).update(signedBytes).digest('base64');
        createHmac('sha256', BENCH_SECRET).update(body).digest('hex');
      }
    },
    CALLS_PER_STEP,
    { warmupMs: 1000, roundMs: 200, rounds: 15 },
  );
  const result = compare(
    '2',
    'Signing (full header set, 1 secret)',
    { value: rates.value, unit: 'signatures/s' },
    { name: 'two bare createHmac calls', value: rates.baseline, unit: 'header sets/s' },
    { minRatio: 0.8 },
    rates.ratio,
  );
  result.notes = [
    `${body.length}-byte body; the header set is two HMAC-SHA256s (Standard Webhooks over id.timestamp.body with the decoded key, X-Webhook-Signature over the body with the secret string), so the baseline computes the same two; ratio: the median of 15 back-to-back pairs of rounds`,
  ];
  return [result];
}
