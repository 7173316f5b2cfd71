/**
 * Brevo (ex-Sendinblue) transactional webhooks: one JSON event per request, or an array when the webhook
 * is batched. Brevo does not sign events; the webhook is created with bearer authentication
 * (`auth: { type: "bearer", token }`) and Brevo sends `Authorization: Bearer <token>`
 * (https://developers.brevo.com/docs/transactional-webhooks). The `id` of an event is the webhook's id,
 * so the event id is derived from the record. The `X-Mailin-custom` header set on the send comes back
 * as the `X-Mailin-custom` field: a JSON string of the platform's ids.
 */
import * as z from 'zod';
import { BadRequestError, UnauthorizedError } from '../shared/errors';
import {
  ignored,
  isoDate,
  mappedStatus,
  metadataFromJsonString,
  normalized,
  parseJson,
  requireHeader,
  requireRecord,
  safeEqual,
  stableId,
  text,
} from './common';
import type { MappingRow, ProviderModule } from './types';

const CredentialsSchema = z.strictObject({
  token: z.string().min(16).describe('The bearer token configured on the Brevo webhook'),
});

/**
 * Events per https://developers.brevo.com/docs/transactional-webhooks; bounce handling per
 * https://help.brevo.com/hc/en-us/articles/209435165-What-is-a-Bounce- (deferred emails are retried for
 * 36 hours, then reported as soft bounces).
 */
const mapping: readonly MappingRow[] = [
  { providerStatus: 'opened', status: 'OPEN' },
  { providerStatus: 'unique_opened', status: 'OPEN', note: 'first open' },
  { providerStatus: 'click', status: 'CLICK' },
  { providerStatus: 'hard_bounce', status: 'FAILED' },
  { providerStatus: 'soft_bounce', status: 'FAILED', note: 'Brevo has stopped trying (after 36 h deferred)' },
  { providerStatus: 'blocked', status: 'FAILED' },
  { providerStatus: 'invalid_email', status: 'FAILED' },
  { providerStatus: 'error', status: 'FAILED', note: 'Brevo could not send it' },
  { providerStatus: 'deferred', status: 'ignored', note: 'Brevo keeps retrying' },
  { providerStatus: 'request', status: 'ignored' },
  { providerStatus: 'delivered', status: 'ignored' },
  { providerStatus: 'proxy_open', status: 'ignored', note: 'opened by a privacy proxy, not the recipient' },
  { providerStatus: 'unique_proxy_open', status: 'ignored', note: 'opened by a privacy proxy' },
  { providerStatus: 'spam', status: 'ignored' },
  { providerStatus: 'unsubscribed', status: 'ignored' },
];

export const brevo: ProviderModule<z.infer<typeof CredentialsSchema>> = {
  name: 'brevo',
  title: 'Brevo',
  credentialsSchema: CredentialsSchema,
  mapping,
  verify(request, { token }) {
    const match = /^Bearer\s+(.+)$/i.exec(requireHeader(request, 'authorization'));
    if (!match || !safeEqual(match[1]!.trim(), token)) throw new UnauthorizedError('Invalid bearer token.');
  },
  parse(request) {
    const body = parseJson(request.rawBody);
    const events = Array.isArray(body) ? body : [body];
    if (events.length === 0) throw new BadRequestError('Expected at least one Brevo event.');
    return events.map((event, index) => requireRecord(event, `event ${index}`));
  },
  normalize(event, receivedAt) {
    const name = text(event.event) ?? 'unknown';
    const providerMessageId = text(event['message-id']);
    const at = event.ts_epoch ?? event.ts_event ?? event.ts;
    const identity = {
      providerEventId: stableId(name, providerMessageId, text(at), text(event.link), text(event.email)),
      providerMessageId,
      occurredAt: isoDate(at, receivedAt),
    };
    const status = mappedStatus(mapping, name);
    if (status === 'ignored') return ignored(name, identity);
    const reason = text(event.reason) ?? undefined;
    return normalized({
      ...identity,
      status,
      channel: 'EMAIL',
      metadata: metadataFromJsonString(event['X-Mailin-custom']),
      ...(status === 'FAILED' && reason !== undefined && { reason }),
    });
  },
};
