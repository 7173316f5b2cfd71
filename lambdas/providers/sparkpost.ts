/**
 * SparkPost event webhooks: a JSON array of `{ msys: { <class>_event: {...} } }` records, authenticated
 * by HTTP Basic Auth configured on the webhook (`auth_type: basic`, `auth_credentials`). Docs:
 * https://developers.sparkpost.com/api/webhooks/ (event types: https://developers.sparkpost.com/api/events/)
 * The webhook test ping is `[{ "msys": {} }]`, which yields no events. Transmission and recipient
 * metadata come back in `rcpt_meta`. Each record carries its own `event_id`.
 */
import { BadRequestError } from '../shared/errors';
import {
  ignored,
  isRecord,
  isoDate,
  mappedStatus,
  metadataFrom,
  normalized,
  parseJson,
  requireRecord,
  stableId,
  text,
  BasicAuthCredentialsSchema,
  verifyBasicAuth,
  type BasicAuthCredentials,
} from './common';
import type { MappingRow, ProviderEvent, ProviderModule } from './types';

/** Event types per https://developers.sparkpost.com/api/events/#header-event-types */
const mapping: readonly MappingRow[] = [
  { providerStatus: 'open', status: 'OPEN' },
  { providerStatus: 'amp_open', status: 'OPEN', note: 'AMP version of the message' },
  {
    providerStatus: 'initial_open',
    status: 'ignored',
    note: 'top-of-message pixel: the same open is reported again as `open`',
  },
  { providerStatus: 'amp_initial_open', status: 'ignored', note: 'as `initial_open`' },
  { providerStatus: 'click', status: 'CLICK' },
  { providerStatus: 'amp_click', status: 'CLICK', note: 'AMP version of the message' },
  { providerStatus: 'bounce', status: 'FAILED', note: 'any `bounce_class`: SparkPost has stopped trying' },
  { providerStatus: 'out_of_band', status: 'FAILED', note: 'bounce reported after acceptance' },
  { providerStatus: 'policy_rejection', status: 'FAILED', note: 'SparkPost refused to send' },
  { providerStatus: 'generation_failure', status: 'FAILED', note: 'substitution/rendering failed' },
  { providerStatus: 'generation_rejection', status: 'FAILED', note: 'SparkPost refused to generate' },
  { providerStatus: 'delay', status: 'ignored', note: 'SparkPost keeps trying' },
  { providerStatus: 'injection', status: 'ignored' },
  { providerStatus: 'delivery', status: 'ignored' },
  { providerStatus: 'spam_complaint', status: 'ignored' },
  { providerStatus: 'list_unsubscribe', status: 'ignored' },
  { providerStatus: 'link_unsubscribe', status: 'ignored' },
];

export const sparkpost: ProviderModule<BasicAuthCredentials> = {
  name: 'sparkpost',
  title: 'SparkPost',
  // Same Basic Auth check and credentials as Postmark.
  credentialsSchema: BasicAuthCredentialsSchema,
  verify: verifyBasicAuth,
  mapping,
  parse(request) {
    const body = parseJson(request.rawBody);
    if (!Array.isArray(body)) throw new BadRequestError('Expected a JSON array of SparkPost events.');
    return body.flatMap((item, index): ProviderEvent[] => {
      const msys = requireRecord(requireRecord(item, `event ${index}`).msys, `event ${index}.msys`);
      // One `<class>_event` object per record (message_event, track_event, gen_event, ...).
      return Object.values(msys).filter(isRecord);
    });
  },
  normalize(event, receivedAt) {
    const type = text(event.type) ?? 'unknown';
    const providerMessageId = text(event.message_id);
    const identity = {
      providerEventId:
        text(event.event_id) ??
        stableId(type, providerMessageId, text(event.timestamp), text(event.target_link_url)),
      providerMessageId,
      occurredAt: isoDate(event.timestamp, receivedAt),
    };
    const status = mappedStatus(mapping, type);
    if (status === 'ignored') return ignored(type, identity);
    const reason = text(event.raw_reason) ?? text(event.reason) ?? text(event.error_code) ?? undefined;
    return normalized({
      ...identity,
      status,
      channel: 'EMAIL',
      metadata: metadataFrom(event.rcpt_meta),
      ...(status === 'FAILED' && reason !== undefined && { reason }),
    });
  },
};
