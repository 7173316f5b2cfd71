/**
 * Delivery logs: one record per delivery (one event to one subscription) with every attempt.
 * Items live in the Deliveries table under `pk = SUB#<subscriptionId>`, `sk = DLV#<deliveryId>`; delivery
 * ids begin with the event's time, so the key order lists a subscription's deliveries newest first.
 * Records expire through TTL.
 *
 * Attempts are keyed by `attemptKey` (the SQS message id and its receive count), so recording the
 * same attempt twice, as a redelivered message would, changes nothing.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './aws';
import type { EventType } from './catalog';
import type { DeliveryRequest } from './events';
import { decodeCursor, encodeCursor, type Page } from './pagination';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryAttempt {
  /** `<sqs message id>:<receive count>`: unique per attempt, stable across redeliveries of it. */
  attemptKey: string;
  at: string;
  statusCode?: number;
  durationMs: number;
  error?: string;
  /** The first 1 KB of the response body. */
  responseBody?: string;
}

export interface DeliveryRecord {
  deliveryId: string;
  tenantId: string;
  subscriptionId: string;
  eventType: EventType;
  status: DeliveryStatus;
  /** What was queued: the event payload and its routing, enough to queue the delivery again. */
  request: DeliveryRequest;
  attempts: DeliveryAttempt[];
  createdAt: string;
  updatedAt: string;
  /** Epoch seconds, the table's TTL attribute. */
  expiresAt: number;
}

const tableName = () => process.env.DELIVERIES_TABLE!;
const key = (subscriptionId: string, deliveryId: string) => ({
  pk: `SUB#${subscriptionId}`,
  sk: `DLV#${deliveryId}`,
});

function fromItem(item: Record<string, unknown>): DeliveryRecord {
  const { pk: _pk, sk: _sk, attemptKeys: _keys, ...record } = item;
  return { attempts: [], ...record } as unknown as DeliveryRecord;
}

/**
 * Appends one attempt and sets the delivery's status, creating the record on its first attempt.
 * Returns false when this attempt was already recorded (nothing changes then).
 */
export async function recordAttempt(
  request: DeliveryRequest,
  attempt: DeliveryAttempt,
  status: DeliveryStatus,
  ttlSeconds: number,
): Promise<boolean> {
  const now = attempt.at;
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key(request.subscriptionId, request.deliveryId),
        UpdateExpression:
          'SET #attempts = list_append(if_not_exists(#attempts, :empty), :attempt), #status = :status, ' +
          '#updatedAt = :now, #createdAt = if_not_exists(#createdAt, :now), #request = :request, ' +
          '#deliveryId = :deliveryId, #tenantId = :tenantId, #subscriptionId = :subscriptionId, ' +
          '#eventType = :eventType, #expiresAt = :expiresAt ADD #attemptKeys :attemptKeySet',
        ConditionExpression: 'attribute_not_exists(#attemptKeys) OR NOT contains(#attemptKeys, :attemptKey)',
        ExpressionAttributeNames: {
          '#attempts': 'attempts',
          '#status': 'status',
          '#updatedAt': 'updatedAt',
          '#createdAt': 'createdAt',
          '#request': 'request',
          '#deliveryId': 'deliveryId',
          '#tenantId': 'tenantId',
          '#subscriptionId': 'subscriptionId',
          '#eventType': 'eventType',
          '#expiresAt': 'expiresAt',
          '#attemptKeys': 'attemptKeys',
        },
        ExpressionAttributeValues: {
          ':empty': [],
          ':attempt': [attempt],
          ':status': status,
          ':now': now,
          ':request': request,
          ':deliveryId': request.deliveryId,
          ':tenantId': request.tenantId,
          ':subscriptionId': request.subscriptionId,
          ':eventType': request.eventType,
          ':expiresAt': Math.floor(Date.parse(now) / 1000) + ttlSeconds,
          ':attemptKeySet': new Set([attempt.attemptKey]),
          ':attemptKey': attempt.attemptKey,
        },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Sets the status of an existing delivery (e.g. back to `pending` when a tenant retries it). */
export async function setDeliveryStatus(
  subscriptionId: string,
  deliveryId: string,
  status: DeliveryStatus,
  now: string = new Date().toISOString(),
): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key(subscriptionId, deliveryId),
        UpdateExpression: 'SET #status = :status, #updatedAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#status': 'status', '#updatedAt': 'updatedAt' },
        ExpressionAttributeValues: { ':status': status, ':now': now },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export async function getDelivery(
  subscriptionId: string,
  deliveryId: string,
): Promise<DeliveryRecord | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: key(subscriptionId, deliveryId) }),
  );
  return Item ? fromItem(Item) : undefined;
}

/** A subscription's deliveries, newest first, optionally filtered by status and event type. */
export async function listDeliveries(
  subscriptionId: string,
  options: { limit: number; cursor?: string; status?: DeliveryStatus; eventType?: EventType },
): Promise<Page<DeliveryRecord>> {
  const startKey = decodeCursor(options.cursor, ['pk', 'sk']);
  if (startKey && startKey.pk !== `SUB#${subscriptionId}`) decodeCursor('!', []); // foreign cursor: 400
  const filters: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':pk': `SUB#${subscriptionId}`, ':prefix': 'DLV#' };
  if (options.status) {
    filters.push('#status = :status');
    names['#status'] = 'status';
    values[':status'] = options.status;
  }
  if (options.eventType) {
    filters.push('#eventType = :eventType');
    names['#eventType'] = 'eventType';
    values[':eventType'] = options.eventType;
  }
  const result = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      FilterExpression: filters.length ? filters.join(' AND ') : undefined,
      ExpressionAttributeNames: filters.length ? names : undefined,
      ExpressionAttributeValues: values,
      ScanIndexForward: false,
      Limit: options.limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return { items: (result.Items ?? []).map(fromItem), nextCursor: encodeCursor(result.LastEvaluatedKey) };
}
