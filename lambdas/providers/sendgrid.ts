/**
 * SendGrid Event Webhook with Signed Event Webhook enabled: ECDSA (P-256, SHA-256) over
 * `timestamp + body`, signature in `X-Twilio-Email-Event-Webhook-Signature` (base64 DER), timestamp in
 * `X-Twilio-Email-Event-Webhook-Timestamp`. Docs:
 * https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features
 * The body is a JSON array of events; `custom_args` come back as top-level keys of each event.
 */
import { createPublicKey, createVerify, type KeyObject } from 'node:crypto';
import * as z from 'zod';
import { BadRequestError, UnauthorizedError } from '../shared/errors';
import { boundedMemo } from '../shared/memo';
import {
  checkTimestamp,
  ignored,
  isoDate,
  mappedStatus,
  metadataFrom,
  normalized,
  parseJson,
  requireHeader,
  requireRecord,
  stableId,
  text,
} from './common';
import type { MappingRow, ProviderModule } from './types';

const SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
const TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

const CredentialsSchema = z.strictObject({
  verificationKey: z
    .string()
    .min(1)
    .refine((key) => publicKeyOf(key) !== undefined, 'must be the base64 public key SendGrid shows')
    .describe('The Signed Event Webhook verification key (base64 DER public key)'),
});

function publicKeyOf(verificationKey: string): KeyObject | undefined {
  try {
    const pem = verificationKey.includes('BEGIN PUBLIC KEY');
    return pem
      ? createPublicKey(verificationKey)
      : createPublicKey({ key: Buffer.from(verificationKey, 'base64'), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

/** Parsed keys by verification key: parsing costs about as much as verifying a 200 KB batch. */
const cachedPublicKeyOf = boundedMemo(100, publicKeyOf);

const mapping: readonly MappingRow[] = [
  { providerStatus: 'open', status: 'OPEN' },
  { providerStatus: 'click', status: 'CLICK' },
  { providerStatus: 'bounce', status: 'FAILED', note: '`type` bounce (permanent) or blocked' },
  { providerStatus: 'dropped', status: 'FAILED' },
  { providerStatus: 'deferred', status: 'ignored', note: 'SendGrid keeps retrying' },
  { providerStatus: 'processed', status: 'ignored' },
  { providerStatus: 'delivered', status: 'ignored' },
  { providerStatus: 'spamreport', status: 'ignored' },
  { providerStatus: 'unsubscribe', status: 'ignored' },
  { providerStatus: 'group_unsubscribe', status: 'ignored' },
  { providerStatus: 'group_resubscribe', status: 'ignored' },
];

export const sendgrid: ProviderModule<z.infer<typeof CredentialsSchema>> = {
  name: 'sendgrid',
  title: 'SendGrid',
  credentialsSchema: CredentialsSchema,
  mapping,
  verify(request, { verificationKey }) {
    const signature = requireHeader(request, SIGNATURE_HEADER);
    const timestamp = requireHeader(request, TIMESTAMP_HEADER);
    checkTimestamp(timestamp, request.now);
    const key = cachedPublicKeyOf(verificationKey);
    let valid = false;
    try {
      // Streams timestamp and body into the hash instead of copying them into one buffer first.
      valid =
        key !== undefined &&
        createVerify('sha256')
          .update(timestamp, 'utf8')
          .update(request.rawBody)
          .verify(key, signature, 'base64');
    } catch {
      valid = false;
    }
    if (!valid) throw new UnauthorizedError('Invalid signature.');
  },
  parse(request) {
    const body = parseJson(request.rawBody);
    if (!Array.isArray(body)) throw new BadRequestError('Expected a JSON array of events.');
    return body.map((event, index) => requireRecord(event, `event ${index}`));
  },
  normalize(event, receivedAt) {
    const name = text(event.event) ?? 'unknown';
    const providerMessageId = text(event.sg_message_id);
    const providerEventId =
      text(event.sg_event_id) ?? stableId(name, providerMessageId, text(event.timestamp), text(event.url));
    const occurredAt = isoDate(event.timestamp, receivedAt);
    const status = mappedStatus(mapping, name);
    if (status === 'ignored') return ignored(name, { providerEventId, providerMessageId, occurredAt });
    // Plain fields rather than spreads: this runs for each of up to 1,000 events of a request.
    return normalized({
      providerEventId,
      providerMessageId,
      occurredAt,
      status,
      channel: 'EMAIL',
      metadata: metadataFrom(event),
      reason: status === 'FAILED' ? (text(event.reason) ?? text(event.response) ?? undefined) : undefined,
    });
  },
};
