import * as z from 'zod';
import { derivedTimeId } from './ids';
import { CHANNELS, EVENT_TYPES, STATUSES, splitEventType, type Status } from './catalog';

/** `source` of every event the inbound function puts on the bus; the rules match on it. */
export const EVENT_SOURCE = 'event-relay.inbound';

/**
 * One provider event after normalization (issue: inbound). `id` is derived from the integration and
 * the provider's event id, so a provider retry yields the same id.
 */
export const NormalizedEventSchema = z.object({
  id: z.string(),
  status: z.enum(STATUSES),
  channel: z.enum(CHANNELS),
  trackingId: z.string(),
  notificationId: z.string().nullable(),
  userId: z.string().nullable(),
  product: z.string().optional(),
  provider: z.string(),
  providerEventId: z.string(),
  providerMessageId: z.string().nullable(),
  occurredAt: z.string(),
  reason: z.string().optional(),
});
export type NormalizedEvent = z.infer<typeof NormalizedEventSchema>;

/**
 * The JSON body a subscriber receives. The first five fields are the ones the product promises;
 * the rest are documented extras.
 */
export const WebhookPayloadSchema = z.object({
  eventType: z.string().describe('OPEN, CLICK, or <CHANNEL>_FAILED'),
  trackingId: z.string(),
  notificationId: z.string().nullable(),
  channel: z.enum(CHANNELS),
  userId: z.string().nullable(),
  id: z.string().describe('Event id, the same for every subscriber of this event'),
  occurredAt: z.string(),
  provider: z.string(),
  reason: z.string().optional(),
  product: z.string().optional(),
});
export type WebhookPayload = z.infer<typeof WebhookPayloadSchema>;

/**
 * The `detail` of each EventBridge event: one event to be delivered to the subscriptions that matched
 * it at ingest (or, for a retry a tenant asked for, to one of them). The delivery function posts it to
 * each. `deliveryId` is deterministic (tenant + event id) and is sent as `webhook-id`, the same to every
 * subscriber, as Standard Webhooks' message id is.
 */
export const DeliveryRequestSchema = z.object({
  deliveryId: z.string(),
  tenantId: z.string(),
  subscriptionIds: z.array(z.string()).min(1),
  eventType: z.enum(EVENT_TYPES),
  payload: WebhookPayloadSchema,
  /** Set when a replay or catch-up queued it again: the job counts how it settles. */
  replayId: z.string().optional(),
});
export type DeliveryRequest = z.infer<typeof DeliveryRequestSchema>;

/** The EventBridge envelope as SQS receives it from a rule target (and as the retry route re-sends it). */
export interface EventBridgeEnvelope<Detail = DeliveryRequest> {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Detail;
}

/** The EventBridge rule pattern of the queue for one status: the stack deploys it, the local bus evaluates it. */
export function rulePattern(status: Status): {
  source: string[];
  'detail-type': string[];
} {
  return { source: [EVENT_SOURCE], 'detail-type': [status] };
}

/** `DELIVERY_QUEUE_URLS`: the delivery queue of each status, as JSON `{ "OPEN": url, "CLICK": url, "FAILED": url }`. */
export const DeliveryQueueUrlsSchema = z.object({ OPEN: z.string(), CLICK: z.string(), FAILED: z.string() });
export type DeliveryQueueUrls = z.infer<typeof DeliveryQueueUrlsSchema>;

/** The SQS message body for a delivery, as an EventBridge rule target writes it. */
export function envelopeFor(request: DeliveryRequest, now: Date = new Date()): EventBridgeEnvelope {
  return {
    version: '0',
    id: request.deliveryId,
    'detail-type': splitEventType(request.eventType).status,
    source: EVENT_SOURCE,
    account: process.env.AWS_ACCOUNT_ID ?? '000000000000',
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: process.env.AWS_REGION ?? 'us-east-1',
    resources: [],
    detail: request,
  };
}

/**
 * The id of one event's delivery to its subscribers, sent as `webhook-id`. Deterministic, so a
 * provider's retry of the same event yields the same id and receivers can dedupe; prefixed with the
 * event's time, so the delivery log (sorted by this id) lists the newest events first.
 */
export function deliveryIdOf(tenantId: string, eventId: string, occurredAt: string): string {
  return derivedTimeId('msg', Date.parse(occurredAt), tenantId, eventId);
}

/** EventBridge's limit on the entries of one `PutEvents` call, and so on any one entry. */
export const PUT_EVENTS_MAX_BYTES = 256 * 1024;

/**
 * The size EventBridge counts for a `PutEvents` entry: 14 bytes for `Time` when given, plus the UTF-8
 * bytes of `Source`, `DetailType`, `Detail` and each of `Resources`.
 */
export function putEventsEntrySize(entry: {
  Time?: unknown;
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: readonly string[];
}): number {
  let size = entry.Time !== undefined ? 14 : 0;
  size += Buffer.byteLength(entry.Source ?? '', 'utf8') + Buffer.byteLength(entry.DetailType ?? '', 'utf8');
  size += Buffer.byteLength(entry.Detail ?? '', 'utf8');
  for (const resource of entry.Resources ?? []) size += Buffer.byteLength(resource, 'utf8');
  return size;
}

/**
 * Characters an SQS message body may not hold: everything outside `#x9 | #xA | #xD | #x20–#xD7FF |
 * #xE000–#xFFFD | #x10000–#x10FFFF`, i.e. the other C0 controls, lone surrogates, U+FFFE and U+FFFF.
 * (A well-formed surrogate pair is a character from U+10000 up, which SQS accepts.)
 */
const REFUSED_BY_SQS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const REFUSED_BY_SQS_ALL = new RegExp(REFUSED_BY_SQS.source, 'gu');

/**
 * The pipeline's one rule for characters the queues refuse: every text field of a normalized event
 * has each of them replaced with U+FFFD (the Unicode replacement character), so whatever a provider
 * sends, the event can travel through EventBridge and SQS and reach its subscribers.
 */
export function queueSafeText(text: string): string {
  return REFUSED_BY_SQS.test(text) ? text.replace(REFUSED_BY_SQS_ALL, '\uFFFD') : text;
}
