import { readFileSync } from 'node:fs';
import { parse, stringify } from 'lossless-json';
import { join } from 'node:path';
import type { InboundRequest } from '../../lambdas/providers/types';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function fixture(provider: string, name: string): any {
  return JSON.parse(readFileSync(join(__dirname, '../fixtures/providers', provider, name), 'utf8'));
}

export function request(
  body: string | Buffer,
  options: Partial<Omit<InboundRequest, 'rawBody'>> = {},
): InboundRequest {
  return {
    rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'),
    headers: options.headers ?? {},
    url: options.url ?? 'https://api.example.test/v1/inbound/int_1',
    query: options.query ?? {},
    now: options.now ?? new Date(),
  };
}

/** A fixture's `body` as JSON text, with every number exactly as written in the file. */
export function fixtureBodyText(provider: string, name: string): string {
  const text = readFileSync(join(__dirname, '../fixtures/providers', provider, name), 'utf8');
  return stringify((parse(text) as { body: unknown }).body)!;
}
