/**
 * The inbound core: verify a provider's request, normalize its events, drop the ones already
 * published, and put one EventBridge event per (event, matching subscription) on the bus.
 *
 * Dedupe: each routable provider event has a marker in the Idempotency table,
 * `id = inbound#<integrationId>#<providerEventId>`, expiring 7 days later, written only after
 * publishing. It records the subscriptions already published to and whether the event is complete, so
 * a provider retry after a partial failure publishes only what is missing, and a retry after success
 * publishes nothing. The remaining edge (the function dies between PutEvents and the marker write) can
 * publish an event twice; the ids are deterministic (event id from integration + provider event id,
 * delivery id from event + subscription, sent as `webhook-id`), so receivers dedupe it.
 */
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { providerModule } from '../providers/registry';
import {
  isIgnored,
  type InboundRequest,
  type NormalizedFields,
  type ProviderContext,
} from '../providers/types';
import { dynamo } from '../shared/aws';
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
import { defaultProviderContext } from './provider-context';
import { publishAll, type PutBatch } from './publish';

export const DEDUPE_TTL_SECONDS = 7 * 24 * 60 * 60;

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

const markerId = (integrationId: string, providerEventId: string) =>
  `inbound#${integrationId}#${providerEventId}`;

/** Dedupe-marker reads and writes in flight at once for one request (a batch holds up to 1000 events). */
const MARKER_CONCURRENCY = 25;

/** `fn` over `items` with at most `limit` calls in flight; results in the order of `items`. */
async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

interface Marker {
  complete: boolean;
  published: Set<string>;
}

async function readMarker(id: string): Promise<Marker | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: inboundEnv().IDEMPOTENCY_TABLE, Key: { id }, ConsistentRead: true }),
  );
  if (!Item) return undefined;
  return { complete: Item.complete === true, published: new Set((Item.published as Set<string>) ?? []) };
}

async function writeMarker(id: string, published: string[], complete: boolean, now: Date): Promise<void> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: inboundEnv().IDEMPOTENCY_TABLE,
        Key: { id },
        UpdateExpression: `SET #complete = :complete, #expiration = if_not_exists(#expiration, :expiration)${
          published.length ? ' ADD #published :published' : ''
        }`,
        // A concurrent delivery of the same request may have completed the event first.
        ConditionExpression: 'attribute_not_exists(#complete) OR #complete = :false',
        ExpressionAttributeNames: {
          '#complete': 'complete',
          '#expiration': 'expiration',
          ...(published.length && { '#published': 'published' }),
        },
        ExpressionAttributeValues: {
          ':complete': complete,
          ':false': false,
          ':expiration': Math.floor(now.getTime() / 1000) + DEDUPE_TTL_SECONDS,
          ...(published.length && { ':published': new Set(published) }),
        },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
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

/** An event with subscribers still to publish to, and its entries' positions in the batch. */
interface PendingEvent {
  markerId: string;
  alreadyPublished: Set<string>;
  deliveries: { subscriptionId: string; entryIndex: number }[];
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
  const forwarded: { outcome: NormalizedFields; eventId: string; eventType: EventType; markerId: string }[] =
    [];
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
    forwarded.push({
      outcome,
      eventId,
      eventType,
      markerId: markerId(integrationId, outcome.providerEventId),
    });
  }

  // Only events someone subscribed to need their dedupe marker; read them concurrently, not one by one.
  const subscribers = await Promise.all(
    forwarded.map(({ eventType, outcome }) => subscribersOf.get(lookupOf(eventType, outcome.product))!),
  );
  const markers = await mapConcurrently(forwarded, MARKER_CONCURRENCY, (event, index) =>
    subscribers[index]!.length > 0 ? readMarker(event.markerId) : Promise.resolve(undefined),
  );

  const entries: PutEventsRequestEntry[] = [];
  const pending: PendingEvent[] = [];
  forwarded.forEach(({ outcome, eventId, eventType, markerId: id }, index) => {
    const subscriptions = subscribers[index]!;
    const marker = markers[index];
    if (subscriptions.length === 0 || marker?.complete) return;
    const event: PendingEvent = {
      markerId: id,
      alreadyPublished: marker?.published ?? new Set(),
      deliveries: [],
    };
    const payload = payloadOf(eventId, module.name, outcome);
    for (const subscription of subscriptions) {
      if (event.alreadyPublished.has(subscription.id)) continue;
      const detail: DeliveryRequest = {
        deliveryId: deliveryIdOf(integration.tenantId, eventId, subscription.id, payload.occurredAt),
        tenantId: integration.tenantId,
        subscriptionId: subscription.id,
        eventType,
        payload,
      };
      event.deliveries.push({ subscriptionId: subscription.id, entryIndex: entries.length });
      entries.push({
        EventBusName: EVENT_BUS_NAME,
        Source: EVENT_SOURCE,
        DetailType: outcome.status,
        Detail: JSON.stringify(detail),
        Time: request.now,
      });
    }
    pending.push(event);
  });

  const accepted = await publishAll(entries, options);
  let unpublished = 0;
  await mapConcurrently(pending, MARKER_CONCURRENCY, async (event) => {
    const published = event.deliveries.filter((d) => accepted[d.entryIndex]).map((d) => d.subscriptionId);
    const complete = published.length === event.deliveries.length;
    unpublished += event.deliveries.length - published.length;
    if (published.length > 0 || complete) {
      await writeMarker(event.markerId, published, complete, request.now);
    }
  });
  const publishedCount = accepted.filter(Boolean).length;
  recordMetrics(module.name, { inboundEvents: results.length, eventsPublished: publishedCount });
  if (unpublished > 0) {
    logger.error('events could not be published', { integrationId, unpublished, published: publishedCount });
    throw new ServiceUnavailableError('Some events could not be published; retry the request.');
  }
  return results;
}
