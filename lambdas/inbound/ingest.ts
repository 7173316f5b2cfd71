/**
 * The inbound core: verify a provider's request, normalize its events, and put one EventBridge event
 * per event with subscribers on the bus, naming the subscriptions it matched.
 *
 * Nothing is deduplicated here. The ids are deterministic (event id from integration + provider event
 * id, delivery id from tenant + event + the event's time, sent as `webhook-id`), so a provider's retry
 * of a request publishes the same deliveries again, and the delivery function, which reads each
 * event's delivery log before posting, posts nothing to the subscriptions that already got it. That
 * costs a read per event there instead of a dedupe write and read per event here. Only an event with
 * no time of its own needs a record here, of its first arrival (see first-seen.ts).
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
import { EVENT_SOURCE, deliveryIdOf, type DeliveryRequest, type WebhookPayload } from '../shared/events';
import { derivedId } from '../shared/ids';
import { getIntegration } from '../shared/integrations';
import { METRIC, METRICS_NAMESPACE, PROVIDER_DIMENSION, SERVICE_NAME } from '../shared/metrics';
import { matchingSubscriptions, type Subscription } from '../shared/subscriptions';
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
  };
}

export interface IngestOptions {
  putBatch?: PutBatch;
  retryDelayMs?: number;
  /** Network access for provider modules (SNS certificates and confirmations); tests inject their own. */
  context?: ProviderContext;
}

function payloadOf(id: string, provider: string, fields: NormalizedFields): WebhookPayload {
  return {
    eventType: payloadEventType(fields.status, fields.channel),
    trackingId: fields.trackingId,
    notificationId: fields.notificationId,
    channel: fields.channel,
    userId: fields.userId,
    id,
    occurredAt: fields.occurredAt,
    provider,
    ...(fields.reason !== undefined && { reason: fields.reason }),
    ...(fields.product !== undefined && { product: fields.product }),
  };
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
  const integration = await getIntegration(integrationId);
  const module = integration && providerModule(integration.provider);
  if (!integration || !module) throw new NotFoundError(`No integration ${integrationId}.`);

  const credentials = module.credentialsSchema.parse(integration.credentials);
  const context = options.context ?? defaultProviderContext();
  try {
    await module.verify(request, credentials, context);
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
  await module.acknowledge?.(request, credentials, context);

  let providerEvents;
  try {
    providerEvents = module.parse(request);
  } catch (error) {
    throw error instanceof HttpError ? error : new BadRequestError('Body could not be parsed.');
  }

  const { EVENT_BUS_NAME } = inboundEnv();
  const results: InboundResult[] = [];
  const entries: PutEventsRequestEntry[] = [];
  const published: { outcome: NormalizedFields; eventId: string; eventType: EventType }[] = [];
  const seen = new Set<string>();
  // A batch (SendGrid, Mandrill: up to 1000 events) mostly repeats a few (event type, product) pairs.
  const subscribersOf = new Map<string, Promise<Subscription[]>>();
  const lookupOf = (eventType: EventType, product: string | undefined) =>
    `${eventType}\u0000${product ?? ''}`;

  for (const providerEvent of providerEvents) {
    const outcome = module.normalize(providerEvent);
    const eventId = derivedId('evt', integrationId, outcome.providerEventId);
    results.push({
      id: eventId,
      event: {
        status: isIgnored(outcome) ? 'ignored' : outcome.status,
        date: outcome.occurredAt,
        externalId: outcome.providerMessageId,
        attempts: 1,
        response: null,
      },
    });
    if (isIgnored(outcome) || seen.has(outcome.providerEventId)) continue;
    seen.add(outcome.providerEventId);
    const eventType = eventTypeOf(outcome.status, outcome.channel);
    if (!eventType) continue;
    const lookup = lookupOf(eventType, outcome.product);
    if (!subscribersOf.has(lookup)) {
      subscribersOf.set(lookup, matchingSubscriptions(integration.tenantId, eventType, outcome.product));
    }
    published.push({ outcome, eventId, eventType });
  }

  const subscribers = await Promise.all(
    published.map(({ eventType, outcome }) => subscribersOf.get(lookupOf(eventType, outcome.product))!),
  );
  // An event whose time is this request's arrival had none of its own: give it its first arrival's.
  const arrival = request.now.toISOString();
  const untimed = published.filter(
    ({ outcome }, index) => subscribers[index]!.length > 0 && outcome.occurredAt === arrival,
  );
  const firstArrivals = await firstSeenTimes(
    integrationId,
    untimed.map(({ outcome }) => outcome.providerEventId),
    request.now,
  );
  untimed.forEach((event, index) => {
    event.outcome = { ...event.outcome, occurredAt: firstArrivals[index]! };
  });
  published.forEach(({ outcome, eventId, eventType }, index) => {
    const subscriptions = subscribers[index]!;
    if (subscriptions.length === 0) return;
    const payload = payloadOf(eventId, module.name, outcome);
    const detail: DeliveryRequest = {
      deliveryId: deliveryIdOf(integration.tenantId, eventId, payload.occurredAt),
      tenantId: integration.tenantId,
      subscriptionIds: subscriptions.map((subscription) => subscription.id),
      eventType,
      payload,
    };
    entries.push({
      EventBusName: EVENT_BUS_NAME,
      Source: EVENT_SOURCE,
      DetailType: outcome.status,
      Detail: JSON.stringify(detail),
      Time: request.now,
    });
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
