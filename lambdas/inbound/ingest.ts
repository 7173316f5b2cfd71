/**
 * The inbound core: verify a provider's request, normalize its events, and put one EventBridge event
 * per event with subscribers on the bus, naming the subscriptions it matched.
 *
 * Nothing is deduplicated here. The ids are deterministic (event id from integration + provider event
 * id, delivery id from tenant + event + the event's time, sent as `webhook-id`), so a provider's retry
 * of a request publishes the same deliveries again, and the delivery function, which reads each
 * event's delivery log before posting, posts nothing to the subscriptions that already got it. That
 * costs a read per event there instead of a dedupe write and read per event here. Only an event with
 * no time of its own, or a time its sender may change (the generic provider), needs a record here,
 * of its first arrival (see first-seen.ts).
 *
 * Every check that can refuse the request runs before anything is published, so a request is either
 * refused whole (4xx, nothing published) or published whole (a 503 only when EventBridge itself keeps
 * failing, and then a retry publishes the same deliveries, which the delivery function dedupes).
 */
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { providerModule } from '../providers/registry';
import {
  isIgnored,
  type InboundRequest,
  type NormalizedFields,
  type ProviderContext,
} from '../providers/types';
import { eventTypeOf, payloadEventType, type EventType } from '../shared/catalog';
import {
  BadRequestError,
  HttpError,
  NotFoundError,
  ServiceUnavailableError,
  UnauthorizedError,
} from '../shared/errors';
import {
  EVENT_SOURCE,
  PUT_EVENTS_MAX_BYTES,
  deliveryIdOf,
  putEventsEntrySize,
  queueSafeText,
  type DeliveryRequest,
  type WebhookPayload,
} from '../shared/events';
import { derivedId } from '../shared/ids';
import { getIntegration, type Integration } from '../shared/integrations';
import { METRIC, METRICS_NAMESPACE, PROVIDER_DIMENSION, SERVICE_NAME } from '../shared/metrics';
import { matchingSubscriptions, type Subscription } from '../shared/subscriptions';
import type { ProviderModule } from '../providers/types';
import { inboundEnv } from './env';
import { logger } from '../shared/logger';
import { firstSeenTimes } from './first-seen';
import { defaultProviderContext } from './provider-context';
import { publishAll, type PutBatch } from './publish';

/** One result per parsed event, in the spirit of Novu's inbound-webhook answer. */
export interface InboundResult {
  id: string;
  event: {
    /** OPEN, CLICK, FAILED, or `ignored`. */
    status: string;
    date: string;
    externalId: string | null;
    attempts: number;
    response: null;
    /** The provider's event as received (its first ROW_MAX_CHARS characters of JSON), with `?include=row`. */
    row?: string;
  };
}

export interface IngestOptions {
  putBatch?: PutBatch;
  retryDelayMs?: number;
  /** Network access for provider modules (SNS certificates and confirmations); tests inject their own. */
  context?: ProviderContext;
  /** Adds each event's raw provider content to its result (`?include=row`). */
  includeRow?: boolean;
}

/** Longest provider event id (UTF-8 bytes): far above any provider's, far below DynamoDB's key limits. */
export const MAX_PROVIDER_EVENT_ID_BYTES = 512;
/**
 * Largest serialized payload of one event. Its delivery log item holds it beside every subscriber's
 * attempts, and must stay within DynamoDB's 400 KB item limit.
 */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/** Characters of `row` per result: a 1,000-event batch answers at most about 2 MB of rows. */
export const ROW_MAX_CHARS = 2048;

export class EventTooLargeError extends HttpError {
  constructor(message: string) {
    super(413, 'event_too_large', message);
  }
}

/** The payload a subscriber receives; its text holds only characters the queues accept (queueSafeText). */
function payloadOf(id: string, provider: string, fields: NormalizedFields): WebhookPayload {
  const { notificationId, userId, reason, product } = fields;
  return {
    eventType: payloadEventType(fields.status, fields.channel),
    trackingId: queueSafeText(fields.trackingId),
    notificationId: notificationId === null ? null : queueSafeText(notificationId),
    channel: fields.channel,
    userId: userId === null ? null : queueSafeText(userId),
    id,
    occurredAt: fields.occurredAt,
    provider,
    ...(reason !== undefined && { reason: queueSafeText(reason) }),
    ...(product !== undefined && { product: queueSafeText(product) }),
  };
}

/** An integration whose request passed its provider's verification. */
export interface VerifiedRequest {
  integration: Integration;
  module: ProviderModule;
  context: ProviderContext;
}

let metrics: Metrics | undefined;
function recordMetrics(provider: string, counts: Partial<Record<keyof typeof METRIC, number>>): void {
  metrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  metrics.addDimension(PROVIDER_DIMENSION, provider);
  for (const [name, value] of Object.entries(counts)) {
    metrics.addMetric(METRIC[name as keyof typeof METRIC], MetricUnit.Count, value);
  }
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  else metrics.clearDimensions();
}

/** Handles one inbound request for `integrationId`; throws HttpErrors for the 4xx/5xx answers. */
export async function ingest(
  integrationId: string,
  request: InboundRequest,
  options: IngestOptions = {},
): Promise<InboundResult[]> {
  return publishEvents(await verifyInbound(integrationId, request, options), request, options);
}

/** Finds the integration and checks the request against it (signature, then protocol messages). */
export async function verifyInbound(
  integrationId: string,
  request: InboundRequest,
  options: Pick<IngestOptions, 'context'> = {},
): Promise<VerifiedRequest> {
  const integration = await getIntegration(integrationId);
  const module = integration && providerModule(integration.provider);
  if (!integration || !module) throw new NotFoundError(`No integration ${integrationId}.`);

  // Checked when the integration was created; one stored before a rule was tightened is used as it is,
  // and fails verification (401) rather than the request (500) if it no longer works.
  const parsed = module.credentialsSchema.safeParse(integration.credentials);
  const credentials = parsed.success ? parsed.data : integration.credentials;
  const context = options.context ?? defaultProviderContext();
  try {
    try {
      await module.verify(request, credentials, context);
    } catch (error) {
      if (error instanceof HttpError) throw error;
      logger.error('inbound verification failed', { integrationId, provider: module.name, error });
      throw new UnauthorizedError("The request could not be verified with this integration's credentials.");
    }
  } catch (error) {
    if (error instanceof UnauthorizedError) {
      logger.warn('inbound signature rejected', {
        integrationId,
        provider: module.name,
        reason: error.message,
      });
      recordMetrics(module.name, { inboundRejected: 1 });
    }
    throw error;
  }
  try {
    await module.acknowledge?.(request, credentials, context);
  } catch (error) {
    if (error instanceof HttpError) throw error;
    // A protocol step that reaches out (SNS's subscription confirmation) failed: the sender may retry.
    logger.error('inbound acknowledgement failed', { integrationId, provider: module.name, error });
    throw new ServiceUnavailableError('Could not complete the provider handshake; retry later.');
  }
  return { integration, module, context };
}

/** Normalizes the verified request's events and publishes those with subscribers. */
export async function publishEvents(
  { integration, module }: VerifiedRequest,
  request: InboundRequest,
  options: IngestOptions = {},
): Promise<InboundResult[]> {
  const integrationId = integration.id;
  let providerEvents;
  try {
    providerEvents = module.parse(request);
  } catch (error) {
    throw error instanceof HttpError ? error : new BadRequestError('Body could not be parsed.');
  }

  const { EVENT_BUS_NAME } = inboundEnv();
  const results: InboundResult[] = [];
  const entries: PutEventsRequestEntry[] = [];
  const published: {
    outcome: NormalizedFields;
    eventId: string;
    eventType: EventType;
    /** Its position in the request, for the messages of a refusal. */
    index: number;
    /** The time its delivery id begins with, when not its own (its first arrival's). */
    anchor?: string;
  }[] = [];
  const seen = new Set<string>();
  // A batch (SendGrid, Mandrill: up to 1000 events) mostly repeats a few (event type, product) pairs.
  const subscribersOf = new Map<string, Promise<Subscription[]>>();
  const lookupOf = (eventType: EventType, product: string | undefined) =>
    `${eventType}\u0000${product ?? ''}`;

  providerEvents.forEach((providerEvent, index) => {
    const outcome = module.normalize(providerEvent, request.now);
    if (Buffer.byteLength(outcome.providerEventId, 'utf8') > MAX_PROVIDER_EVENT_ID_BYTES) {
      throw new BadRequestError(
        `event ${index}: its id is longer than ${MAX_PROVIDER_EVENT_ID_BYTES} bytes.`,
        { problems: [{ field: `${index}.id`, message: `at most ${MAX_PROVIDER_EVENT_ID_BYTES} bytes` }] },
        'validation_error',
      );
    }
    const eventId = derivedId('evt', integrationId, outcome.providerEventId);
    const result: InboundResult = {
      id: eventId,
      event: {
        status: isIgnored(outcome) ? 'ignored' : outcome.status,
        date: outcome.occurredAt,
        externalId: outcome.providerMessageId,
        attempts: 1,
        response: null,
      },
    };
    if (options.includeRow) result.event.row = JSON.stringify(providerEvent).slice(0, ROW_MAX_CHARS);
    results.push(result);
    if (isIgnored(outcome) || seen.has(outcome.providerEventId)) return;
    seen.add(outcome.providerEventId);
    const eventType = eventTypeOf(outcome.status, outcome.channel);
    if (!eventType) return;
    published.push({ outcome, eventId, eventType, index });
  });
  for (const { eventType, outcome } of published) {
    const lookup = lookupOf(eventType, outcome.product);
    if (!subscribersOf.has(lookup)) {
      subscribersOf.set(lookup, matchingSubscriptions(integration.tenantId, eventType, outcome.product));
    }
  }

  const subscribers = await Promise.all(
    published.map(({ eventType, outcome }) => subscribersOf.get(lookupOf(eventType, outcome.product))!),
  );
  // Every check that can refuse an event runs before anything is recorded or published.
  const details = published.map(({ outcome, eventId, index }, position) => {
    const subscriptions = subscribers[position]!;
    if (subscriptions.length === 0) return undefined;
    const payload = payloadOf(eventId, module.name, outcome);
    const payloadBytes = Buffer.byteLength(JSON.stringify(payload), 'utf8');
    if (payloadBytes > MAX_PAYLOAD_BYTES) {
      throw new EventTooLargeError(
        `event ${index} is ${payloadBytes} bytes once normalized; an event may take at most ${MAX_PAYLOAD_BYTES}. Nothing was published.`,
      );
    }
    return { payload, subscriptions };
  });

  // An event whose time is this request's arrival had none of its own, and a generic event's time is
  // its sender's to change: their delivery ids begin with the first arrival of the event instead.
  const arrival = request.now.toISOString();
  const anchored = published.filter(
    ({ outcome }, position) =>
      details[position] !== undefined && (module.timeIsVolatile || outcome.occurredAt === arrival),
  );
  const firstArrivals = await firstSeenTimes(
    integrationId,
    anchored.map(({ outcome }) => outcome.providerEventId),
    request.now,
  );
  anchored.forEach((event, position) => {
    event.anchor = firstArrivals[position]!;
  });
  published.forEach(({ outcome, eventType, index, anchor }, position) => {
    const detailed = details[position];
    if (!detailed) return;
    const { payload, subscriptions } = detailed;
    if (outcome.occurredAt === arrival && anchor !== undefined) payload.occurredAt = anchor;
    const detail: DeliveryRequest = {
      deliveryId: deliveryIdOf(integration.tenantId, payload.id, anchor ?? payload.occurredAt),
      tenantId: integration.tenantId,
      subscriptionIds: subscriptions.map((subscription) => subscription.id),
      eventType,
      payload,
    };
    const entry: PutEventsRequestEntry = {
      EventBusName: EVENT_BUS_NAME,
      Source: EVENT_SOURCE,
      DetailType: outcome.status,
      Detail: JSON.stringify(detail),
      Time: request.now,
    };
    const size = putEventsEntrySize(entry);
    if (size > PUT_EVENTS_MAX_BYTES) {
      throw new EventTooLargeError(
        `event ${index} is ${size} bytes as an EventBridge entry (with its ${subscriptions.length} subscriptions); EventBridge takes at most ${PUT_EVENTS_MAX_BYTES}. Nothing was published.`,
      );
    }
    entries.push(entry);
  });

  const accepted = await publishAll(entries, options);
  const publishedCount = accepted.filter(Boolean).length;
  const unpublished = entries.length - publishedCount;
  recordMetrics(module.name, { inboundEvents: results.length, eventsPublished: publishedCount });
  if (unpublished > 0) {
    logger.error('events could not be published', { integrationId, unpublished, published: publishedCount });
    throw new ServiceUnavailableError('Some events could not be published; retry the request.');
  }
  return results;
}
