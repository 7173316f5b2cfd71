/**
 * Postmark webhooks: one JSON event per request, authenticated by HTTP Basic Auth credentials put in
 * the webhook URL (https://postmarkapp.com/developer/webhooks/webhooks-overview#protecting-your-webhook).
 * `Metadata` comes back as is. Opens and clicks carry no event id, so one is derived from the record.
 * Bounce ids are 64-bit integers and stay exact.
 */
import {
  ignored,
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
import type { MappingRow, ProviderModule } from './types';

/** Bounce types per https://postmarkapp.com/developer/api/bounce-api#bounce-types */
const mapping: readonly MappingRow[] = [
  { providerStatus: 'Open', status: 'OPEN' },
  { providerStatus: 'Click', status: 'CLICK' },
  { providerStatus: 'Bounce/HardBounce', status: 'FAILED' },
  { providerStatus: 'Bounce/SoftBounce', status: 'FAILED', note: 'Postmark has stopped trying' },
  { providerStatus: 'Bounce/BadEmailAddress', status: 'FAILED' },
  { providerStatus: 'Bounce/Blocked', status: 'FAILED' },
  { providerStatus: 'Bounce/ManuallyDeactivated', status: 'FAILED' },
  { providerStatus: 'Bounce/SpamNotification', status: 'FAILED' },
  { providerStatus: 'Bounce/DMARCPolicy', status: 'FAILED' },
  { providerStatus: 'Bounce/Transient', status: 'ignored', note: 'delayed; Postmark keeps trying' },
  { providerStatus: 'Bounce/DnsError', status: 'ignored', note: 'temporary DNS error' },
  { providerStatus: 'Bounce/AutoResponder', status: 'ignored' },
  { providerStatus: 'Bounce/AddressChange', status: 'ignored' },
  { providerStatus: 'Bounce/ChallengeVerification', status: 'ignored' },
  { providerStatus: 'Delivery', status: 'ignored' },
  { providerStatus: 'SpamComplaint', status: 'ignored' },
  { providerStatus: 'SubscriptionChange', status: 'ignored' },
];

export const postmark: ProviderModule<BasicAuthCredentials> = {
  name: 'postmark',
  title: 'Postmark',
  credentialsSchema: BasicAuthCredentialsSchema,
  mapping,
  verify: verifyBasicAuth,
  parse(request) {
    return [requireRecord(parseJson(request.rawBody), 'the body')];
  },
  normalize(event, receivedAt) {
    const recordType = text(event.RecordType) ?? 'unknown';
    const providerMessageId = text(event.MessageID);
    const at = event.ReceivedAt ?? event.BouncedAt ?? event.DeliveredAt ?? event.ChangedAt;
    const identity = {
      providerEventId:
        (recordType === 'Bounce' ? text(event.ID) : null) ??
        stableId(recordType, providerMessageId, text(at), text(event.OriginalLink), text(event.Recipient)),
      providerMessageId,
      occurredAt: isoDate(at, receivedAt),
    };
    const key = recordType === 'Bounce' ? `Bounce/${text(event.Type) ?? 'Unknown'}` : recordType;
    const status = mappedStatus(mapping, key);
    if (status === 'ignored') return ignored(key, identity);
    const reason = text(event.Description) ?? undefined;
    return normalized({
      ...identity,
      status,
      channel: 'EMAIL',
      metadata: metadataFrom(event.Metadata),
      ...(status === 'FAILED' && reason !== undefined && { reason }),
    });
  },
};
