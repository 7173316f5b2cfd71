/**
 * Plivo SMS status callbacks (`url` of a message: `MessageUUID`, `Status`) and voice hangup callbacks
 * (`CallUUID`, `CallStatus`), form-encoded and signed with signature V3: `X-Plivo-Signature-V3` =
 * base64(HMAC-SHA256(auth token, <URL with its query sorted> + "." + <POST params sorted, name+value>
 * + "." + `X-Plivo-Signature-V3-Nonce`)); the header may list several signatures, comma-separated.
 * Docs: https://www.plivo.com/docs/messaging/concepts/signature-validation (construction as in the
 * SDKs' validateV3Signature). The scheme has a nonce but no timestamp. The platform puts its ids in
 * the callback URL's query string, which the signature covers.
 */
import * as z from 'zod';
import { BadRequestError, UnauthorizedError } from '../shared/errors';
import {
  hmac,
  ignored,
  mappedStatus,
  metadataFrom,
  normalized,
  parseForm,
  requireHeader,
  safeEqual,
  text,
} from './common';
import type { MappingRow, ProviderModule } from './types';

const CredentialsSchema = z.strictObject({
  authToken: z.string().min(1).describe('The account (or subaccount) Auth Token'),
});

/** SMS statuses per https://www.plivo.com/docs/messaging/api/message#message-states, call statuses of the hangup callback. */
const mapping: readonly MappingRow[] = [
  { providerStatus: 'sms/failed', status: 'FAILED' },
  { providerStatus: 'sms/undelivered', status: 'FAILED' },
  { providerStatus: 'sms/rejected', status: 'FAILED', note: 'Plivo refused to send' },
  { providerStatus: 'sms/queued', status: 'ignored' },
  { providerStatus: 'sms/sent', status: 'ignored' },
  { providerStatus: 'sms/delivered', status: 'ignored' },
  { providerStatus: 'sms/read', status: 'ignored' },
  { providerStatus: 'call/failed', status: 'FAILED' },
  { providerStatus: 'call/busy', status: 'FAILED' },
  { providerStatus: 'call/no-answer', status: 'FAILED' },
  { providerStatus: 'call/timeout', status: 'FAILED', note: 'not answered in time' },
  { providerStatus: 'call/completed', status: 'ignored' },
  { providerStatus: 'call/cancel', status: 'ignored', note: 'the caller hung up first' },
];

/** `name=value` pairs sorted by name, then value (values may repeat). */
function sortedPairs(pairs: [string, string][]): [string, string][] {
  return [...pairs].sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : x > y ? 1 : 0) : a < b ? -1 : 1));
}

/** The string Plivo signs for a POST to `url` with `body` (before the final "." + nonce). */
export function plivoV3SignedString(url: string, body: Buffer | string): string {
  const parsed = new URL(url);
  const base = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  const query = sortedPairs([...parsed.searchParams])
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const params = sortedPairs([...new URLSearchParams(body.toString())])
    .map(([name, value]) => name + value)
    .join('');
  if (params === '') return query ? `${base}?${query}` : base;
  return `${base}?${query}${query ? '.' : ''}${params}`;
}

export const plivo: ProviderModule<z.infer<typeof CredentialsSchema>> = {
  name: 'plivo',
  title: 'Plivo (SMS and voice)',
  credentialsSchema: CredentialsSchema,
  mapping,
  verify(request, { authToken }) {
    const signatures = requireHeader(request, 'x-plivo-signature-v3');
    const nonce = requireHeader(request, 'x-plivo-signature-v3-nonce');
    const expected = hmac(
      'sha256',
      authToken,
      `${plivoV3SignedString(request.url, request.rawBody)}.${nonce}`,
    );
    const matches = signatures
      .split(',')
      .map((signature) => safeEqual(expected.toString('base64'), signature.trim()));
    if (!matches.includes(true)) throw new UnauthorizedError('Invalid signature.');
  },
  parse(request) {
    const params = parseForm(request.rawBody);
    if (!params.MessageUUID && !params.CallUUID) {
      throw new BadRequestError('Expected a Plivo callback (MessageUUID or CallUUID).');
    }
    return [{ params, query: request.query, receivedAt: request.now.toISOString() }];
  },
  normalize(event) {
    const { params, query, receivedAt } = event as {
      params: Record<string, string>;
      query: Record<string, string>;
      receivedAt: string;
    };
    const isSms = Boolean(params.MessageUUID);
    const uuid = (isSms ? params.MessageUUID : params.CallUUID)!;
    const state = (isSms ? params.Status : params.CallStatus) ?? 'unknown';
    const providerStatus = `${isSms ? 'sms' : 'call'}/${state}`;
    const identity = {
      providerEventId: `${uuid}:${providerStatus}`,
      providerMessageId: uuid,
      // Callbacks carry no zone-qualified event time: the time Plivo called is the best we have.
      occurredAt: receivedAt,
    };
    const status = mappedStatus(mapping, providerStatus);
    if (status === 'ignored') return ignored(providerStatus, identity);
    const reason =
      text(params.HangupCauseName) ??
      text(params.HangupCause) ??
      (params.ErrorCode && params.ErrorCode !== '0' ? `error ${params.ErrorCode}` : undefined);
    return normalized({
      ...identity,
      status,
      channel: isSms ? 'SMS' : 'CALL',
      metadata: metadataFrom(query),
      ...(reason !== undefined && { reason }),
    });
  },
};
