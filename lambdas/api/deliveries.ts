/**
 * A subscription's delivery log, and re-queuing one delivery. The subscription is looked up in the
 * caller's partition first, so another tenant's logs are a 404 like any unknown id.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqs } from '../shared/aws';
import { splitEventType, type EventType } from '../shared/catalog';
import {
  getDelivery,
  listDeliveries,
  setDeliveryStatus,
  type DeliveryRecord,
  type DeliveryStatus,
} from '../shared/deliveries';
import { ConflictError, NotFoundError, ServiceUnavailableError } from '../shared/errors';
import { envelopeFor, type DeliveryRequest } from '../shared/events';
import { json } from '../shared/http';
import { apiEnv } from './env';
import { logger } from '../shared/logger';
import { deliveryHeaders } from '../delivery/send';
import { signingSecrets, type Subscription } from '../shared/subscriptions';
import {
  DeliveryDetailSchema,
  DeliverySchema,
  ErrorSchema,
  LogsQuerySchema,
  RetryResultSchema,
  STATS_BUCKETS,
  StatsQuerySchema,
  WebhookStatsSchema,
  pageOf,
} from './schemas';
import { readStats } from '../shared/delivery-stats';
import type { ApiRequest, ApiRoute } from './types';
import { errorResponses, notFoundResponse, requireSubscription } from './webhooks';

const TAG = 'Webhooks';

export function toDeliveryView(record: DeliveryRecord) {
  return {
    deliveryId: record.deliveryId,
    eventType: record.eventType,
    status: record.status,
    event: record.payload,
    attempts: record.attempts.map((attempt) => ({
      at: attempt.at,
      ...(attempt.statusCode !== undefined && { statusCode: attempt.statusCode }),
      durationMs: attempt.durationMs,
      ...(attempt.error !== undefined && { error: attempt.error }),
      ...(attempt.responseBody !== undefined && { responseBody: attempt.responseBody }),
    })),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

interface LogsQuery {
  limit: number;
  cursor?: string;
  status?: DeliveryStatus;
  eventType?: EventType;
  since?: number;
  until?: number;
}

const REDACTED_HEADERS: Readonly<Record<string, string>> = {
  'webhook-signature': 'v1,<signature per secret>',
  'x-webhook-signature': 'sha256=<signature>',
  authorization: 'Basic <credentials>',
  'webhook-timestamp': '<time of the attempt>',
};

/** The headers an attempt of this delivery sends, built by the sender itself, secrets redacted. */
export function requestHeaders(subscription: Subscription, record: DeliveryRecord): Record<string, string> {
  const body = JSON.stringify(record.payload);
  const headers = deliveryHeaders(
    {
      url: subscription.url,
      secrets: signingSecrets(subscription),
      auth: subscription.auth,
      headers: subscription.headers,
    },
    body,
    record.deliveryId,
    new Date(),
  );
  for (const name of Object.keys(headers)) {
    const redacted = REDACTED_HEADERS[name];
    if (redacted) headers[name] = redacted;
  }
  return headers;
}

const logs: ApiRoute = {
  method: 'GET',
  path: '/v1/webhooks/{id}/logs',
  summary: 'The deliveries to this webhook, newest first, with every attempt',
  tag: TAG,
  query: LogsQuerySchema,
  responses: {
    200: {
      description:
        'One page of deliveries. Filters apply within a page, so a page may be short and still have a next one.',
      schema: pageOf(DeliverySchema),
    },
    ...errorResponses,
    ...notFoundResponse,
  },
  async handle({ tenantId, pathParameters, query }: ApiRequest<unknown, LogsQuery>) {
    const subscription = await requireSubscription(tenantId, pathParameters.id!);
    const page = await listDeliveries(tenantId, subscription.id, query);
    return json(200, {
      items: page.items.map(toDeliveryView),
      ...(page.nextCursor && { nextCursor: page.nextCursor }),
    });
  },
};

const detail: ApiRoute = {
  method: 'GET',
  path: '/v1/webhooks/{id}/deliveries/{deliveryId}',
  summary: 'One delivery: every attempt, the body sent and the headers an attempt sends',
  tag: TAG,
  responses: {
    200: { description: 'The delivery', schema: DeliveryDetailSchema },
    ...errorResponses,
    404: { description: 'No such webhook or delivery for this tenant', schema: ErrorSchema },
  },
  async handle({ tenantId, pathParameters }: ApiRequest) {
    const subscription = await requireSubscription(tenantId, pathParameters.id!);
    const record = await getDelivery(tenantId, subscription.id, pathParameters.deliveryId!);
    if (!record) throw new NotFoundError(`No delivery ${pathParameters.deliveryId}.`);
    return json(200, {
      ...toDeliveryView(record),
      request: { url: subscription.url, headers: requestHeaders(subscription, record) },
    });
  },
};

const retry: ApiRoute = {
  method: 'POST',
  path: '/v1/webhooks/{id}/deliveries/{deliveryId}/retry',
  summary: 'Queue a delivery again (a new sequence of attempts)',
  tag: TAG,
  responses: {
    202: { description: 'Queued', schema: RetryResultSchema },
    ...errorResponses,
    ...notFoundResponse,
    409: { description: 'The delivery is still pending (its attempts are not over)', schema: ErrorSchema },
    503: {
      description: 'The queue could not be reached; retry with the same Idempotency-Key',
      schema: ErrorSchema,
    },
  },
  async handle({ tenantId, pathParameters }: ApiRequest) {
    const subscription = await requireSubscription(tenantId, pathParameters.id!);
    const deliveryId = pathParameters.deliveryId!;
    const record = await getDelivery(tenantId, subscription.id, deliveryId);
    if (!record) throw new NotFoundError(`No delivery ${deliveryId}.`);
    // Pending first, so the delivery function cannot see a settled status and skip the retry; the
    // condition makes two concurrent retries queue it once.
    const claimed =
      record.status !== 'pending' &&
      (await setDeliveryStatus(tenantId, deliveryId, subscription.id, 'pending', record.status));
    if (!claimed) {
      throw new ConflictError(
        `Delivery ${deliveryId} is still pending; retry it once it has succeeded or failed.`,
        'delivery_pending',
      );
    }
    const request: DeliveryRequest = {
      deliveryId,
      tenantId,
      subscriptionIds: [subscription.id],
      eventType: record.eventType,
      payload: record.payload,
    };
    try {
      await sqs().send(
        new SendMessageCommand({
          QueueUrl: apiEnv().DELIVERY_QUEUE_URLS[splitEventType(record.eventType).status],
          MessageBody: JSON.stringify(envelopeFor(request)),
        }),
      );
    } catch (error) {
      logger.error('could not queue a delivery retry', { deliveryId, error: error as Error });
      await setDeliveryStatus(tenantId, deliveryId, subscription.id, record.status, 'pending');
      throw new ServiceUnavailableError('Could not queue the delivery; retry later.');
    }
    return json(202, { deliveryId, status: 'pending' });
  },
};

const stats: ApiRoute = {
  method: 'GET',
  path: '/v1/webhooks/{id}/stats',
  summary: 'Deliveries per hour (or day): succeeded, failed and retried',
  tag: TAG,
  query: StatsQuerySchema,
  responses: {
    200: { description: 'Every bucket of the range, oldest first', schema: WebhookStatsSchema },
    ...errorResponses,
    ...notFoundResponse,
  },
  async handle({
    tenantId,
    pathParameters,
    query,
  }: ApiRequest<unknown, { since?: number; until?: number; bucket: 'hour' | 'day' }>) {
    const subscription = await requireSubscription(tenantId, pathParameters.id!);
    const until = query.until ?? Date.now();
    const since = query.since ?? until - 86_400_000;
    const buckets = await readStats(tenantId, subscription.id, {
      since,
      until,
      bucketHours: STATS_BUCKETS[query.bucket],
    });
    const totals = { succeeded: 0, failed: 0, retried: 0 };
    for (const bucket of buckets) {
      totals.succeeded += bucket.succeeded;
      totals.failed += bucket.failed;
      totals.retried += bucket.retried;
    }
    const settled = totals.succeeded + totals.failed;
    return json(200, {
      since: new Date(since).toISOString(),
      until: new Date(until).toISOString(),
      bucket: query.bucket,
      totals,
      successRate: settled ? totals.succeeded / settled : null,
      buckets,
    });
  },
};

export const deliveryRoutes: ApiRoute[] = [logs, detail, retry, stats];
