/**
 * Telnyx API v2 webhooks: one JSON event per request, signed with Ed25519 over `timestamp|rawBody`;
 * signature (base64) in `telnyx-signature-ed25519`, epoch seconds in `telnyx-timestamp`, accepted within
 * 5 minutes. Docs: https://developers.telnyx.com/docs/messaging/messages/receiving-webhooks and
 * https://developers.telnyx.com/docs/voice/programmable-voice/receiving-webhooks
 * SMS outcomes arrive as `message.finalized` (per-recipient `to[].status`), calls as `call.hangup`
 * (`hangup_cause`). The platform puts its ids in the webhook URL's query string.
 */
import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import * as z from 'zod';
import { BadRequestError, UnauthorizedError } from '../shared/errors';
import {
  checkTimestamp,
  ignored,
  isRecord,
  isoDate,
  mappedStatus,
  metadataFrom,
  normalized,
  parseJson,
  requireHeader,
  requireRecord,
  text,
} from './common';
import type { MappingRow, ProviderModule } from './types';

const SIGNATURE_HEADER = 'telnyx-signature-ed25519';
const TIMESTAMP_HEADER = 'telnyx-timestamp';
const FAILED_RECIPIENT = ['delivery_failed', 'sending_failed'];

const CredentialsSchema = z.strictObject({
  publicKey: z
    .string()
    .min(1)
    .refine((key) => publicKeyOf(key) !== undefined, 'must be the base64 Ed25519 public key Telnyx shows')
    .describe('The account public key (Mission Control → Keys & Credentials → Public Key), base64'),
});

/** Telnyx shows the raw 32-byte key in base64; a PEM (SPKI) key is accepted too. */
function publicKeyOf(publicKey: string): KeyObject | undefined {
  try {
    if (publicKey.includes('BEGIN PUBLIC KEY')) {
      const key = createPublicKey(publicKey);
      return key.asymmetricKeyType === 'ed25519' ? key : undefined;
    }
    const raw = Buffer.from(publicKey, 'base64');
    if (raw.length !== 32) return undefined;
    return createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
  } catch {
    return undefined;
  }
}

/**
 * `message.finalized` recipient statuses per https://developers.telnyx.com/docs/messaging/messages/message-detail-records
 * and `call.hangup` causes per https://developers.telnyx.com/api/call-control/dial-call (callbacks).
 */
const mapping: readonly MappingRow[] = [
  { providerStatus: 'message.finalized/delivery_failed', status: 'FAILED' },
  { providerStatus: 'message.finalized/sending_failed', status: 'FAILED' },
  { providerStatus: 'message.finalized/delivered', status: 'ignored' },
  {
    providerStatus: 'message.finalized/delivery_unconfirmed',
    status: 'ignored',
    note: 'no receipt from the carrier',
  },
  { providerStatus: 'message.sent', status: 'ignored' },
  { providerStatus: 'call.hangup/user_busy', status: 'FAILED', note: 'busy' },
  { providerStatus: 'call.hangup/timeout', status: 'FAILED', note: 'no answer' },
  { providerStatus: 'call.hangup/no_answer', status: 'FAILED' },
  { providerStatus: 'call.hangup/call_rejected', status: 'FAILED' },
  { providerStatus: 'call.hangup/not_found', status: 'FAILED', note: 'number not reachable' },
  { providerStatus: 'call.hangup/normal_clearing', status: 'ignored', note: 'completed' },
  { providerStatus: 'call.hangup/originator_cancel', status: 'ignored', note: 'the caller hung up first' },
  { providerStatus: 'call.hangup/time_limit', status: 'ignored' },
  { providerStatus: 'call.hangup/unspecified', status: 'ignored' },
  { providerStatus: 'call.initiated', status: 'ignored' },
  { providerStatus: 'call.answered', status: 'ignored' },
];

/** The recipient status that decides the outcome: a failed recipient if any, else the first one. */
function recipientStatus(payload: Record<string, unknown>): string {
  const statuses = (Array.isArray(payload.to) ? payload.to : [])
    .map((to) => (isRecord(to) ? text(to.status) : null))
    .filter((status): status is string => status !== null);
  return statuses.find((status) => FAILED_RECIPIENT.includes(status)) ?? statuses[0] ?? 'unknown';
}

function errorReason(payload: Record<string, unknown>): string | undefined {
  const first = Array.isArray(payload.errors) ? payload.errors[0] : undefined;
  if (!isRecord(first)) return undefined;
  const title = text(first.title) ?? text(first.detail);
  const code = text(first.code);
  return title && code ? `${code} ${title}` : (title ?? code ?? undefined);
}

export const telnyx: ProviderModule<z.infer<typeof CredentialsSchema>> = {
  name: 'telnyx',
  title: 'Telnyx (SMS and voice)',
  credentialsSchema: CredentialsSchema,
  mapping,
  verify(request, { publicKey }) {
    const signature = requireHeader(request, SIGNATURE_HEADER);
    const timestamp = requireHeader(request, TIMESTAMP_HEADER);
    checkTimestamp(timestamp, request.now);
    const key = publicKeyOf(publicKey);
    const signed = Buffer.concat([Buffer.from(`${timestamp}|`, 'utf8'), request.rawBody]);
    let valid = false;
    try {
      valid = Boolean(key) && verifySignature(null, signed, key!, Buffer.from(signature, 'base64'));
    } catch {
      valid = false;
    }
    if (!valid) throw new UnauthorizedError('Invalid signature.');
  },
  parse(request) {
    const body = requireRecord(parseJson(request.rawBody), 'the body');
    const data = body.data;
    if (!isRecord(data) || !text(data.event_type) || !text(data.id)) {
      throw new BadRequestError('Expected a Telnyx webhook ({ data: { id, event_type, payload } }).');
    }
    return [{ data, query: request.query }];
  },
  normalize(event, receivedAt) {
    const { data, query } = event as { data: Record<string, unknown>; query: Record<string, string> };
    const eventType = text(data.event_type)!;
    const payload = isRecord(data.payload) ? data.payload : {};
    const isCall = eventType.startsWith('call.');
    const key =
      eventType === 'message.finalized'
        ? `${eventType}/${recipientStatus(payload)}`
        : eventType === 'call.hangup'
          ? `${eventType}/${text(payload.hangup_cause) ?? 'unspecified'}`
          : eventType;
    const identity = {
      providerEventId: text(data.id)!,
      providerMessageId: isCall
        ? (text(payload.call_session_id) ?? text(payload.call_control_id))
        : text(payload.id),
      occurredAt: isoDate(data.occurred_at, receivedAt),
    };
    const status = mappedStatus(mapping, key);
    if (status === 'ignored') return ignored(key, identity);
    const reason = isCall ? (text(payload.hangup_cause) ?? undefined) : errorReason(payload);
    return normalized({
      ...identity,
      status,
      channel: isCall ? 'CALL' : 'SMS',
      metadata: metadataFrom(query),
      ...(reason !== undefined && { reason }),
    });
  },
};
