/**
 * Mailjet Event API webhooks: one JSON event per request, or an array of them when grouping is on.
 * Mailjet does not sign events; it calls the URL with HTTP Basic Auth credentials put in it
 * (https://dev.mailjet.com/email/guides/webhooks/), checked exactly as for Postmark. Events carry no id,
 * so one is derived from the record. `MessageID`s exceed 2^53 and stay exact. The platform sends
 * `CustomID` = trackingId and `EventPayload` = a JSON string of all its ids, returned as `CustomID` and
 * `Payload`.
 */
import { BadRequestError } from '../shared/errors';
import {
  ignored,
  isoDate,
  mappedStatus,
  metadataFromJsonString,
  normalized,
  parseJson,
  requireRecord,
  stableId,
  text,
  BasicAuthCredentialsSchema,
  verifyBasicAuth,
  type BasicAuthCredentials,
} from './common';
import type { MappingRow, ProviderModule } from './types';

/** Events per https://dev.mailjet.com/email/guides/webhooks/#event-types */
const mapping: readonly MappingRow[] = [
  { providerStatus: 'open', status: 'OPEN' },
  { providerStatus: 'click', status: 'CLICK' },
  { providerStatus: 'bounce/hard', status: 'FAILED', note: '`hard_bounce: true` (permanent error)' },
  {
    providerStatus: 'bounce/soft',
    status: 'ignored',
    note: '`hard_bounce: false`: Mailjet retries; a final failure arrives as a hard bounce or `blocked`',
  },
  { providerStatus: 'blocked', status: 'FAILED', note: 'Mailjet did not send it' },
  { providerStatus: 'sent', status: 'ignored' },
  { providerStatus: 'spam', status: 'ignored' },
  { providerStatus: 'unsub', status: 'ignored' },
];

export const mailjet: ProviderModule<BasicAuthCredentials> = {
  name: 'mailjet',
  title: 'Mailjet',
  // Same Basic-Auth-in-the-URL scheme and credentials as Postmark.
  credentialsSchema: BasicAuthCredentialsSchema,
  verify: verifyBasicAuth,
  mapping,
  parse(request) {
    const body = parseJson(request.rawBody);
    const events = Array.isArray(body) ? body : [body];
    if (events.length === 0) throw new BadRequestError('Expected at least one Mailjet event.');
    return events.map((event, index) => requireRecord(event, `event ${index}`));
  },
  normalize(event, receivedAt) {
    const name = text(event.event) ?? 'unknown';
    const key = name === 'bounce' ? `bounce/${event.hard_bounce === true ? 'hard' : 'soft'}` : name;
    const providerMessageId = text(event.MessageID) ?? text(event.Message_GUID);
    const identity = {
      providerEventId: stableId(name, providerMessageId, text(event.time), text(event.url)),
      providerMessageId,
      occurredAt: isoDate(event.time, receivedAt),
    };
    const status = mappedStatus(mapping, key);
    if (status === 'ignored') return ignored(key, identity);
    const payload = metadataFromJsonString(event.Payload);
    const error = text(event.error);
    const reason =
      error && (text(event.error_related_to) ? `${text(event.error_related_to)}: ${error}` : error);
    return normalized({
      ...identity,
      status,
      channel: 'EMAIL',
      metadata: { ...payload, trackingId: text(event.CustomID) ?? payload.trackingId },
      ...(status === 'FAILED' && reason && { reason }),
    });
  },
};
