/**
 * Figure 3, normalization throughput: inbound events per second through verify + parse + normalize
 * (no I/O) for a 1,000-event SendGrid batch and single SES (SNS) and Twilio requests, against
 * `JSON.parse` + `JSON.stringify` of the same bytes.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { unavailable, type FigureResult } from './lib/figure';

export async function run(): Promise<FigureResult[]> {
  const registry = path.join(__dirname, '../lambdas/providers/registry.ts');
  if (!existsSync(registry)) {
    return [
      unavailable(
        '3',
        'Normalization throughput',
        'the provider modules (lambdas/providers/) are not in this checkout yet',
      ),
    ];
  }
  return [
    unavailable(
      '3',
      'Normalization throughput',
      'lambdas/providers/ landed after this figure was written; not wired yet',
    ),
  ];
}
