/**
 * Vonage SMS API delivery receipts with signed webhooks: the receipt's parameters (form-encoded or JSON,
 * per the account's webhook method) carry `timestamp` and `sig`, where `sig` is computed over
 * `&name=value` for every other parameter sorted by name (`&` and `=` in values replaced by `_`) with
 * the account's signature secret, per `signatureMethod`: `md5hash` = MD5(string + secret), otherwise
 * HMAC-<method>(secret, string); lower-case hex. Docs:
 * https://developer.vonage.com/en/getting-started/concepts/signing-messages and
 * https://developer.vonage.com/en/messaging/sms/guides/delivery-receipts
 * `client-ref` (set on the send) is the trackingId; the other ids ride in the callback URL's query.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { BadRequestError, UnauthorizedError } from '../shared/errors';
import {
  checkTimestamp,
  hmac,
  ignored,
  isRecord,
  isoDate,
  mappedStatus,
  metadataFrom,
  normalized,
  parseForm,
  parseJson,
  safeEqual,
  text,
} from './common';
import type { MappingRow, ProviderModule } from './types';

const SIGNATURE_METHODS = ['md5hash', 'md5', 'sha1', 'sha256', 'sha512'] as const;
type SignatureMethod = (typeof SIGNATURE_METHODS)[number];

const CredentialsSchema = z.strictObject({
  signatureSecret: z.string().min(1).describe('The account signature secret (API settings)'),
  signatureMethod: z
    .enum(SIGNATURE_METHODS)
    .describe('The account signature method: md5hash (MD5 hash) or md5/sha1/sha256/sha512 (HMAC)'),
});

/** Receipt statuses per https://developer.vonage.com/en/messaging/sms/guides/delivery-receipts */
const mapping: readonly MappingRow[] = [
  { providerStatus: 'failed', status: 'FAILED' },
  { providerStatus: 'rejected', status: 'FAILED' },
  { providerStatus: 'expired', status: 'FAILED', note: 'the carrier gave up delivering' },
  { providerStatus: 'delivered', status: 'ignored' },
  { providerStatus: 'accepted', status: 'ignored' },
  { providerStatus: 'buffered', status: 'ignored', note: 'the carrier keeps trying' },
  { providerStatus: 'unknown', status: 'ignored' },
];

/** The receipt's parameters as strings, from a form-encoded or JSON body. */
function receiptParams(body: Buffer): Record<string, string> {
  if (!body.toString('utf8').trimStart().startsWith('{')) return parseForm(body);
  const json = parseJson(body);
  if (!isRecord(json)) throw new BadRequestError('Expected a JSON object.');
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(json)) params[name] = text(value) ?? '';
  return params;
}

/** Vonage's signature of the parameters (all but `sig`), as lower-case hex. */
export function vonageSignature(
  params: Record<string, string>,
  secret: string,
  method: SignatureMethod,
): string {
  const signed = Object.keys(params)
    .filter((name) => name !== 'sig')
    .sort()
    .map((name) => `&${name}=${params[name]!.replace(/[&=]/g, '_')}`)
    .join('');
  return method === 'md5hash'
    ? createHash('md5')
        .update(signed + secret)
        .digest('hex')
    : hmac(method, secret, signed).toString('hex');
}

/** `message-timestamp` is UTC written as `YYYY-MM-DD HH:MM:SS`. */
function utcTimestamp(value: string | undefined): string | undefined {
  return value && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
}

export const vonage: ProviderModule<z.infer<typeof CredentialsSchema>> = {
  name: 'vonage',
  title: 'Vonage (SMS)',
  credentialsSchema: CredentialsSchema,
  mapping,
  verify(request, { signatureSecret, signatureMethod }) {
    const params = receiptParams(request.rawBody);
    if (!params.sig) throw new UnauthorizedError('Missing sig parameter.');
    checkTimestamp(params.timestamp, request.now);
    const expected = vonageSignature(params, signatureSecret, signatureMethod);
    if (!safeEqual(expected, params.sig.toLowerCase())) throw new UnauthorizedError('Invalid signature.');
  },
  parse(request) {
    const params = receiptParams(request.rawBody);
    if (!params.messageId) throw new BadRequestError('Expected a Vonage delivery receipt (messageId).');
    return [{ params, query: request.query, receivedAt: request.now.toISOString() }];
  },
  normalize(event) {
    const { params, query, receivedAt } = event as {
      params: Record<string, string>;
      query: Record<string, string>;
      receivedAt: string;
    };
    const providerStatus = params.status || 'unknown';
    const identity = {
      providerEventId: `${params.messageId}:${providerStatus}`,
      providerMessageId: params.messageId!,
      occurredAt: isoDate(utcTimestamp(params['message-timestamp']), new Date(receivedAt)),
    };
    const status = mappedStatus(mapping, providerStatus);
    if (status === 'ignored') return ignored(providerStatus, identity);
    const fromQuery = metadataFrom(query);
    const errorCode = params['err-code'];
    return normalized({
      ...identity,
      status,
      channel: 'SMS',
      metadata: { ...fromQuery, trackingId: text(params['client-ref']) ?? fromQuery.trackingId },
      ...(errorCode && errorCode !== '0' && { reason: `err-code ${errorCode}` }),
    });
  },
};
