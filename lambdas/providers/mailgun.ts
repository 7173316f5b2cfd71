/**
 * Mailgun webhooks: JSON `{ signature: { timestamp, token, signature }, "event-data": {...} }`, signed
 * with HMAC-SHA256(webhook signing key, timestamp + token) in hex. Docs:
 * https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/#securing-webhooks
 * `v:` variables come back in `event-data["user-variables"]`.
 */
import * as z from 'zod';
import { UnauthorizedError } from '../shared/errors';
import {
  checkTimestamp,
  hmac,
  ignored,
  isRecord,
  isoDate,
  mappedStatus,
  metadataFrom,
  normalized,
  parseJson,
  requireRecord,
  safeEqual,
  stableId,
  text,
} from './common';
import type { MappingRow, ProviderEvent, ProviderModule } from './types';

const CredentialsSchema = z.strictObject({
  signingKey: z.string().min(1).describe('The HTTP webhook signing key'),
});

const mapping: readonly MappingRow[] = [
  { providerStatus: 'opened', status: 'OPEN' },
  { providerStatus: 'clicked', status: 'CLICK' },
  { providerStatus: 'failed/permanent', status: 'FAILED', note: '`severity: permanent`' },
  { providerStatus: 'failed/temporary', status: 'ignored', note: 'Mailgun keeps retrying' },
  { providerStatus: 'rejected', status: 'FAILED', note: 'Mailgun refused the message' },
  { providerStatus: 'accepted', status: 'ignored' },
  { providerStatus: 'delivered', status: 'ignored' },
  { providerStatus: 'complained', status: 'ignored' },
  { providerStatus: 'unsubscribed', status: 'ignored' },
];

function signatureOf(body: ProviderEvent): Record<string, unknown> {
  return isRecord(body.signature) ? body.signature : {};
}

export const mailgun: ProviderModule<z.infer<typeof CredentialsSchema>> = {
  name: 'mailgun',
  title: 'Mailgun',
  credentialsSchema: CredentialsSchema,
  mapping,
  verify(request, { signingKey }) {
    let body: ProviderEvent;
    try {
      body = requireRecord(parseJson(request.rawBody), 'the body');
    } catch {
      throw new UnauthorizedError('Missing signature.');
    }
    const { timestamp, token, signature } = signatureOf(body);
    if (typeof token !== 'string' || typeof signature !== 'string') {
      throw new UnauthorizedError('Missing signature.');
    }
    checkTimestamp(text(timestamp) ?? undefined, request.now);
    const expected = hmac('sha256', signingKey, `${text(timestamp)}${token}`).toString('hex');
    if (!safeEqual(expected, signature.toLowerCase())) throw new UnauthorizedError('Invalid signature.');
  },
  parse(request) {
    const body = requireRecord(parseJson(request.rawBody), 'the body');
    return [requireRecord(body['event-data'], '"event-data"')];
  },
  normalize(data, receivedAt) {
    const name = text(data.event) ?? 'unknown';
    const message = isRecord(data.message) ? data.message : {};
    const headers = isRecord(message.headers) ? message.headers : {};
    const providerMessageId = text(headers['message-id']);
    const identity = {
      providerEventId: text(data.id) ?? stableId(name, providerMessageId, text(data.timestamp)),
      providerMessageId,
      occurredAt: isoDate(data.timestamp, receivedAt),
    };
    const key = name === 'failed' ? `failed/${text(data.severity) ?? 'temporary'}` : name;
    const status = mappedStatus(mapping, key);
    if (status === 'ignored') return ignored(key, identity);
    const delivery = isRecord(data['delivery-status']) ? data['delivery-status'] : {};
    const reason = text(delivery.description) || text(delivery.message) || text(data.reason) || undefined;
    return normalized({
      ...identity,
      status,
      channel: 'EMAIL',
      metadata: metadataFrom(data['user-variables']),
      ...(status === 'FAILED' && reason && { reason }),
    });
  },
};
