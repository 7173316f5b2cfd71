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
import { DeliverySchema, ErrorSchema, LogsQuerySchema, RetryResultSchema, pageOf } from './schemas';
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

export const deliveryRoutes: ApiRoute[] = [logs, retry];
