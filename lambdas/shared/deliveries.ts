/**
 * Delivery logs: one item per delivered event (one `deliveryId`) holding every subscription's status
 * and attempts. Items live in the Deliveries table under `pk = TENANT#<tenantId>`,
 * `sk = DLV#<deliveryId>`; delivery ids begin with the event's time, so key order lists the newest first.
 *
 * One item per event rather than per (event, subscription): the delivery function posts an event to
 * all its subscribers and records the outcome in one write, so five subscribers cost one write of a
 * slightly larger item instead of five (a write costs at least one unit however small the item).
 *
 * Each subscription has two top-level attributes, `status#<subscriptionId>` and
 * `attempts#<subscriptionId>`: top level, because one UpdateItem can then create or extend any of them
 * without reading first (a nested map path needs its parent to exist). A subscription's log is the
 * tenant's items that have its status attribute.
 *
 * Attempts are keyed by `attemptKey` (the SQS message id and its receive count), so recording the
 * same attempt twice, as a redelivered message would, changes nothing.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './aws';
import type { EventType } from './catalog';
import type { DeliveryRequest, WebhookPayload } from './events';
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
  /** The start of the response body (see `RESPONSE_BODY_KEPT`). */
  responseBody?: string;
}

/** One event's delivery to one subscription, as the API shows it. */
export interface DeliveryRecord {
  deliveryId: string;
  tenantId: string;
  subscriptionId: string;
  eventType: EventType;
  status: DeliveryStatus;
  payload: WebhookPayload;
  attempts: DeliveryAttempt[];
  createdAt: string;
  /** The latest attempt's time (the creation time before any). */
  updatedAt: string;
  /** Epoch seconds, the table's TTL attribute. */
  expiresAt: number;
}

/** One event's delivery log item: the event and each subscription's status and attempts. */
export interface EventDeliveryLog {
  deliveryId: string;
  tenantId: string;
  eventType: EventType;
  payload: WebhookPayload;
  createdAt: string;
  expiresAt: number;
  statusOf(subscriptionId: string): DeliveryStatus | undefined;
  recordFor(subscriptionId: string): DeliveryRecord | undefined;
}

/** One subscription's outcome in one attempt round. */
export interface RecordedAttempt {
  subscriptionId: string;
  /** The attempt; `recordAttempts` adds the round's attempt key. */
  attempt: Omit<DeliveryAttempt, 'attemptKey'>;
  status: DeliveryStatus;
}

/** How much of a response body is kept: enough to see why an attempt failed; a success needs less. */
export const RESPONSE_BODY_KEPT = { failed: 1024, succeeded: 256 } as const;

const tableName = () => process.env.DELIVERIES_TABLE!;
const partitionOf = (tenantId: string) => `TENANT#${tenantId}`;
const key = (tenantId: string, deliveryId: string) => ({
  pk: partitionOf(tenantId),
  sk: `DLV#${deliveryId}`,
});
const statusAttribute = (subscriptionId: string) => `status#${subscriptionId}`;
const attemptsAttribute = (subscriptionId: string) => `attempts#${subscriptionId}`;

function toLog(item: Record<string, unknown>): EventDeliveryLog {
  const common = {
    deliveryId: item.deliveryId as string,
    tenantId: item.tenantId as string,
    eventType: item.eventType as EventType,
    payload: item.payload as WebhookPayload,
    createdAt: item.createdAt as string,
    expiresAt: item.expiresAt as number,
  };
  const statusOf = (subscriptionId: string) =>
    item[statusAttribute(subscriptionId)] as DeliveryStatus | undefined;
  return {
    ...common,
    statusOf,
    recordFor(subscriptionId) {
      const status = statusOf(subscriptionId);
      if (!status) return undefined;
      const attempts = (item[attemptsAttribute(subscriptionId)] as DeliveryAttempt[] | undefined) ?? [];
      return {
        ...common,
        subscriptionId,
        status,
        attempts,
        updatedAt: attempts.at(-1)?.at ?? common.createdAt,
      };
    },
  };
}

/**
 * Records one attempt round of an event (the outcome for each subscription it was posted to, or
 * skipped for), creating the item on the first. Returns false when this attempt key was already
 * recorded (nothing changes then).
 */
export async function recordAttempts(
  request: DeliveryRequest,
  attemptKey: string,
  outcomes: readonly RecordedAttempt[],
  ttlSeconds: number,
  now: string = new Date().toISOString(),
): Promise<boolean> {
  const names: Record<string, string> = {
    '#createdAt': 'createdAt',
    '#payload': 'payload',
    '#deliveryId': 'deliveryId',
    '#tenantId': 'tenantId',
    '#eventType': 'eventType',
    '#expiresAt': 'expiresAt',
    '#attemptKeys': 'attemptKeys',
  };
  const values: Record<string, unknown> = {
    ':empty': [],
    ':now': now,
    ':payload': request.payload,
    ':deliveryId': request.deliveryId,
    ':tenantId': request.tenantId,
    ':eventType': request.eventType,
    ':expiresAt': Math.floor(Date.parse(now) / 1000) + ttlSeconds,
    ':attemptKeySet': new Set([attemptKey]),
    ':attemptKey': attemptKey,
  };
  const assignments = [
    '#createdAt = if_not_exists(#createdAt, :now)',
    '#payload = :payload',
    '#deliveryId = :deliveryId',
    '#tenantId = :tenantId',
    '#eventType = :eventType',
    '#expiresAt = :expiresAt',
  ];
  outcomes.forEach(({ subscriptionId, attempt, status }, index) => {
    names[`#s${index}`] = statusAttribute(subscriptionId);
    names[`#a${index}`] = attemptsAttribute(subscriptionId);
    values[`:s${index}`] = status;
    values[`:a${index}`] = [{ ...attempt, attemptKey }];
    assignments.push(
      `#s${index} = :s${index}`,
      `#a${index} = list_append(if_not_exists(#a${index}, :empty), :a${index})`,
    );
  });
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key(request.tenantId, request.deliveryId),
        UpdateExpression: `SET ${assignments.join(', ')} ADD #attemptKeys :attemptKeySet`,
        ConditionExpression: 'attribute_not_exists(#attemptKeys) OR NOT contains(#attemptKeys, :attemptKey)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Sets the status of an existing delivery (e.g. back to `pending` when a tenant retries it). With
 * `expected`, only if the status is still that one; returns whether it changed.
 */
export async function setDeliveryStatus(
  tenantId: string,
  deliveryId: string,
  subscriptionId: string,
  status: DeliveryStatus,
  expected?: DeliveryStatus,
): Promise<boolean> {
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key(tenantId, deliveryId),
        UpdateExpression: 'SET #status = :status',
        ConditionExpression: expected ? '#status = :expected' : 'attribute_exists(#status)',
        ExpressionAttributeNames: { '#status': statusAttribute(subscriptionId) },
        ExpressionAttributeValues: { ':status': status, ...(expected && { ':expected': expected }) },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

async function readItem(
  tenantId: string,
  deliveryId: string,
  consistent: boolean,
): Promise<Record<string, unknown> | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: key(tenantId, deliveryId), ConsistentRead: consistent }),
  );
  return Item;
}

/** One event's delivery log, read consistently (the delivery function decides from it what to send). */
export async function getDeliveryLog(
  tenantId: string,
  deliveryId: string,
): Promise<(EventDeliveryLog & { attemptKeys: ReadonlySet<string> }) | undefined> {
  const item = await readItem(tenantId, deliveryId, true);
  if (!item) return undefined;
  return { ...toLog(item), attemptKeys: new Set((item.attemptKeys as Set<string> | undefined) ?? []) };
}

export async function getDelivery(
  tenantId: string,
  subscriptionId: string,
  deliveryId: string,
): Promise<DeliveryRecord | undefined> {
  const item = await readItem(tenantId, deliveryId, false);
  return item ? toLog(item).recordFor(subscriptionId) : undefined;
}

/** Query rounds one page may take while other subscriptions' deliveries are skipped over. */
const MAX_QUERY_ROUNDS = 10;

/**
 * A subscription's deliveries, newest first, optionally filtered by status and event type. The tenant's
 * log is shared by its subscriptions, so a page may take several query rounds to fill; it stops after
 * `MAX_QUERY_ROUNDS` with a cursor (a short page with a cursor means: more may follow).
 */
export async function listDeliveries(
  tenantId: string,
  subscriptionId: string,
  options: { limit: number; cursor?: string; status?: DeliveryStatus; eventType?: EventType },
): Promise<Page<DeliveryRecord>> {
  let startKey = decodeCursor(options.cursor, ['pk', 'sk']);
  if (startKey && startKey.pk !== partitionOf(tenantId)) decodeCursor('!', []); // foreign cursor: 400
  const filters = ['attribute_exists(#status)'];
  const names: Record<string, string> = { '#status': statusAttribute(subscriptionId) };
  const values: Record<string, unknown> = { ':pk': partitionOf(tenantId), ':prefix': 'DLV#' };
  if (options.status) {
    filters.push('#status = :status');
    values[':status'] = options.status;
  }
  if (options.eventType) {
    filters.push('#eventType = :eventType');
    names['#eventType'] = 'eventType';
    values[':eventType'] = options.eventType;
  }
  const items: DeliveryRecord[] = [];
  for (let round = 0; round < MAX_QUERY_ROUNDS; round++) {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: filters.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        // Never evaluate past what the page can hold, so the last evaluated key is an exact cursor.
        Limit: options.limit - items.length,
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of result.Items ?? []) items.push(toLog(item).recordFor(subscriptionId)!);
    startKey = result.LastEvaluatedKey;
    if (!startKey || items.length >= options.limit) break;
  }
  return { items, nextCursor: encodeCursor(startKey) };
}
