/**
 * Mandrill (Mailchimp Transactional) message-event webhooks: a form-encoded body whose one parameter,
 * `mandrill_events`, is a JSON array of up to 1000 events. `X-Mandrill-Signature` = base64(HMAC-SHA1(
 * webhook key, the webhook URL exactly as registered + each POST parameter's name and value, sorted by
 * name)) — the same construction as Twilio's. Docs:
 * https://mailchimp.com/developer/transactional/guides/track-respond-activity-webhooks/#authenticating-webhook-requests
 * `message.metadata` on the send comes back as `msg.metadata`. The top-level `_id` is the message id
 * (shared by every open and click of a message), so the event id is derived from the record.
 */
import * as z from 'zod';
import { BadRequestError, UnauthorizedError } from '../shared/errors';
import {
  hmac,
  ignored,
  isoDate,
  isRecord,
  mappedStatus,
  metadataFrom,
  normalized,
  parseForm,
  requireHeader,
  requireRecord,
  safeEqual,
  stableId,
  text,
} from './common';
import { twilioSignedString } from './twilio';
import type { MappingRow, ProviderModule } from './types';

const CredentialsSchema = z.strictObject({
  webhookKey: z.string().min(1).describe('The key Mandrill shows for the webhook (Settings → Webhooks)'),
});

/** Events per https://mailchimp.com/developer/transactional/docs/webhooks/#message-events */
const mapping: readonly MappingRow[] = [
  { providerStatus: 'open', status: 'OPEN' },
  { providerStatus: 'click', status: 'CLICK' },
  { providerStatus: 'hard_bounce', status: 'FAILED' },
  { providerStatus: 'soft_bounce', status: 'FAILED', note: 'Mandrill has stopped trying' },
  { providerStatus: 'reject', status: 'FAILED', note: 'Mandrill refused to send (rejection list)' },
  { providerStatus: 'deferral', status: 'ignored', note: 'Mandrill keeps retrying' },
  { providerStatus: 'send', status: 'ignored' },
  { providerStatus: 'spam', status: 'ignored' },
  { providerStatus: 'unsub', status: 'ignored' },
];

export const mandrill: ProviderModule<z.infer<typeof CredentialsSchema>> = {
  name: 'mandrill',
  title: 'Mandrill',
  credentialsSchema: CredentialsSchema,
  mapping,
  verify(request, { webhookKey }) {
    const signature = requireHeader(request, 'x-mandrill-signature');
    const expected = hmac('sha1', webhookKey, twilioSignedString(request.url, parseForm(request.rawBody)));
    if (!safeEqual(expected.toString('base64'), signature)) throw new UnauthorizedError('Invalid signature.');
  },
  parse(request) {
    const { mandrill_events: events } = parseForm(request.rawBody);
    if (events === undefined) throw new BadRequestError('Expected a mandrill_events parameter.');
    let parsed: unknown;
    try {
      parsed = JSON.parse(events);
    } catch {
      throw new BadRequestError('mandrill_events is not valid JSON.');
    }
    if (!Array.isArray(parsed)) throw new BadRequestError('Expected mandrill_events to be a JSON array.');
    return parsed.map((event, index) => requireRecord(event, `event ${index}`));
  },
  normalize(event, receivedAt) {
    // Sync events (rejection/allow-list changes) have `type` instead of `event`.
    const name = text(event.event) ?? (text(event.type) ? `sync/${text(event.type)}` : 'unknown');
    const msg = isRecord(event.msg) ? event.msg : {};
    const providerMessageId = text(msg._id) ?? text(event._id);
    const identity = {
      providerEventId: stableId(name, text(event._id), text(event.ts), text(event.url)),
      providerMessageId,
      occurredAt: isoDate(event.ts, receivedAt),
    };
    const status = mappedStatus(mapping, name);
    if (status === 'ignored') return ignored(name, identity);
    const reason = text(msg.diag) ?? text(msg.bounce_description) ?? text(msg.reject) ?? undefined;
    return normalized({
      ...identity,
      status,
      channel: 'EMAIL',
      metadata: metadataFrom(msg.metadata),
      ...(status === 'FAILED' && reason !== undefined && { reason }),
    });
  },
};
