/**
 * Amazon SES event publishing through an SNS topic subscribed to the inbound URL. Each request is one
 * SNS message (https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html) whose `Message`
 * is one SES event record (https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html).
 * Authenticity: the SNS signature (sns.ts) and, when `topicArns` is set, the topic. The event id is
 * the SNS `MessageId`, the same on every SNS redelivery. Message tags named trackingId, notificationId,
 * userId, product come back as `mail.tags.<name>[0]`.
 */
import * as z from 'zod';
import { BadRequestError, ServiceUnavailableError, UnauthorizedError } from '../shared/errors';
import {
  ignored,
  isRecord,
  isoDate,
  mappedStatus,
  metadataFrom,
  normalized,
  parseJson,
  requireRecord,
  text,
} from './common';
import { isSnsUrl, SNS_MESSAGE_TYPES, verifySnsSignature, type SnsMessage } from './sns';
import type { InboundRequest, MappingRow, ProviderModule } from './types';

const CredentialsSchema = z.strictObject({
  topicArns: z
    .array(z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/, 'must be SNS topic ARNs'))
    .min(1)
    .optional()
    .describe('SNS topics allowed to post here; any topic when absent'),
});
type Credentials = z.infer<typeof CredentialsSchema>;

/** SNS messages older than the inbound dedupe window (7 days) are refused: they would be replays. */
const MAX_MESSAGE_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/** Event types per https://docs.aws.amazon.com/ses/latest/dg/event-publishing-retrieving-sns-contents.html */
const mapping: readonly MappingRow[] = [
  { providerStatus: 'Open', status: 'OPEN' },
  { providerStatus: 'Click', status: 'CLICK' },
  { providerStatus: 'Bounce/Permanent', status: 'FAILED' },
  { providerStatus: 'Bounce/Transient', status: 'FAILED', note: 'SES has stopped retrying' },
  { providerStatus: 'Bounce/Undetermined', status: 'FAILED', note: 'bounced, cause unknown' },
  { providerStatus: 'Reject', status: 'FAILED', note: 'SES refused to send (e.g. virus)' },
  { providerStatus: 'Rendering Failure', status: 'FAILED', note: 'template rendering failed' },
  { providerStatus: 'DeliveryDelay', status: 'ignored', note: 'SES keeps trying' },
  { providerStatus: 'Send', status: 'ignored' },
  { providerStatus: 'Delivery', status: 'ignored' },
  { providerStatus: 'Complaint', status: 'ignored' },
  { providerStatus: 'Subscription', status: 'ignored' },
];

/** The SNS envelope, or a 401: an unsigned or malformed body cannot be authenticated. */
function snsMessageOf(request: InboundRequest): SnsMessage {
  let body: unknown;
  try {
    body = parseJson(request.rawBody);
  } catch {
    throw new UnauthorizedError('Not a signed SNS message.');
  }
  const required = ['Type', 'MessageId', 'TopicArn', 'Timestamp', 'SignatureVersion', 'Signature'];
  if (
    !isRecord(body) ||
    !required.every((field) => typeof body[field] === 'string') ||
    !SNS_MESSAGE_TYPES.includes(body.Type as string)
  ) {
    throw new UnauthorizedError('Not a signed SNS message.');
  }
  return body as unknown as SnsMessage;
}

const topicAllowed = (credentials: Credentials, topicArn: string) =>
  !credentials.topicArns || credentials.topicArns.includes(topicArn);

/** Tags as `{ name: [value, ...] }`; SES's own `ses:*` tags are not ours. */
function tagsOf(mail: Record<string, unknown>): Record<string, unknown> {
  const tags = isRecord(mail.tags) ? mail.tags : {};
  return Object.fromEntries(
    Object.entries(tags)
      .filter(([name]) => !name.startsWith('ses:'))
      .map(([name, values]) => [name, Array.isArray(values) ? values[0] : values]),
  );
}

function reasonOf(record: Record<string, unknown>): string | undefined {
  const bounce = isRecord(record.bounce) ? record.bounce : undefined;
  if (bounce) {
    const recipients = Array.isArray(bounce.bouncedRecipients) ? bounce.bouncedRecipients : [];
    const diagnostic = isRecord(recipients[0]) ? text(recipients[0].diagnosticCode) : null;
    const kind = `${text(bounce.bounceType) ?? 'Undetermined'}/${text(bounce.bounceSubType) ?? 'General'}`;
    return diagnostic ? `${kind}: ${diagnostic}` : kind;
  }
  if (isRecord(record.reject)) return text(record.reject.reason) ?? undefined;
  if (isRecord(record.failure)) return text(record.failure.errorMessage) ?? undefined;
  return undefined;
}

export const ses: ProviderModule<Credentials> = {
  name: 'ses',
  title: 'Amazon SES (via SNS)',
  credentialsSchema: CredentialsSchema,
  mapping,
  async verify(request, credentials, context) {
    if (!context) throw new Error('the ses module needs a ProviderContext');
    const message = snsMessageOf(request);
    await verifySnsSignature(message, (url) => context.snsCertificate(url));
    const age = request.now.getTime() - Date.parse(message.Timestamp);
    if (!(age <= MAX_MESSAGE_AGE_MS)) throw new UnauthorizedError('SNS message is too old.');
    // A confirmation from another topic is answered (and logged) by `acknowledge`, never forwarded.
    if (message.Type === 'Notification' && !topicAllowed(credentials, message.TopicArn)) {
      throw new UnauthorizedError('SNS topic is not allowed for this integration.');
    }
  },
  async acknowledge(request, credentials, context) {
    const message = snsMessageOf(request);
    if (message.Type === 'Notification') return;
    const details = { type: message.Type, topicArn: message.TopicArn };
    if (message.Type !== 'SubscriptionConfirmation') return context.log('SNS message logged', details);
    if (!topicAllowed(credentials, message.TopicArn) || !isSnsUrl(message.SubscribeURL)) {
      return context.log('SNS subscription not confirmed: topic or SubscribeURL not allowed', details);
    }
    try {
      await context.confirmSubscription(message.SubscribeURL);
    } catch {
      throw new ServiceUnavailableError('Could not confirm the SNS subscription; retry later.');
    }
    context.log('SNS subscription confirmed', details);
  },
  parse(request) {
    const message = snsMessageOf(request);
    if (message.Type !== 'Notification') return [];
    let record: unknown;
    try {
      record = parseJson(Buffer.from(message.Message, 'utf8'));
    } catch {
      throw new BadRequestError('SNS Message is not an SES event record.');
    }
    return [{ ...requireRecord(record, 'the SES event record'), snsMessageId: message.MessageId }];
  },
  normalize(record, receivedAt) {
    const mail = isRecord(record.mail) ? record.mail : {};
    const type = text(record.eventType) ?? text(record.notificationType) ?? 'unknown';
    const bounce = isRecord(record.bounce) ? record.bounce : {};
    const key = type === 'Bounce' ? `Bounce/${text(bounce.bounceType) ?? 'Undetermined'}` : type;
    const detail = [record.open, record.click, record.bounce, record.delivery, record.deliveryDelay].find(
      isRecord,
    );
    const identity = {
      providerEventId: text(record.snsMessageId)!,
      providerMessageId: text(mail.messageId),
      occurredAt: isoDate(detail?.timestamp ?? mail.timestamp, receivedAt),
    };
    const status = mappedStatus(mapping, key);
    if (status === 'ignored') return ignored(key, identity);
    const reason = status === 'FAILED' ? reasonOf(record) : undefined;
    return normalized({
      ...identity,
      status,
      channel: 'EMAIL',
      metadata: metadataFrom(tagsOf(mail)),
      ...(reason !== undefined && { reason }),
    });
  },
};
