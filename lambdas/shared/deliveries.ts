/**
 * Delivery logs: one item per delivered event (one `deliveryId`) holding every subscription's status
 * and attempts. Items live in the Deliveries table under `pk = TENANT#<tenantId>#<shard>`,
 * `sk = DLV#<deliveryId>`; delivery ids begin with the event's time, so within a shard key order is
 * time order.
 *
 * Write sharding: a tenant's items are spread over `LOG_SHARDS` partition keys by a hash of the
 * delivery id. One partition key is served by one DynamoDB partition (1,000 write units, 3,000 read
 * units a second), and time-ordered sort keys send every new write to the end of its key range, where
 * DynamoDB's split for heat cannot help; so one key would cap a tenant near 500 events/s at five
 * subscribers. The shard follows from the delivery id alone, so the delivery function reads and
 * writes an event's item in one request as before; listing a subscription's log merges the shards
 * (`readLog`). docs/capacity.md has the model.
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
import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { conditionHolds, dynamo } from './aws';
import type { EventType } from './catalog';
import type { DeliveryRequest, WebhookPayload } from './events';
import { idTimePrefix } from './ids';
import { decodeCursor, encodeCursor, type Page } from './pagination';

/**
 * `parked`: the subscription was disabled when the event came, so it was kept, not attempted: a
 * catch-up (re-enabling with `catchUp`) or a replay sends it later.
 */
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed', 'skipped', 'parked'] as const;
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
  /** Which re-send (a replay or catch-up id) last set this subscription's delivery back to pending. */
  claimOf(subscriptionId: string): string | undefined;
  recordFor(subscriptionId: string): DeliveryRecord | undefined;
}

/** One subscription's outcome in one attempt round. */
export interface RecordedAttempt {
  subscriptionId: string;
  /** The attempt; `recordAttempts` adds the round's attempt key. None for a `parked` delivery. */
  attempt?: Omit<DeliveryAttempt, 'attemptKey'>;
  status: DeliveryStatus;
}

/** How much of a response body is kept: enough to see why an attempt failed; a success needs less. */
export const RESPONSE_BODY_KEPT = { failed: 1024, succeeded: 256 } as const;

const tableName = () => process.env.DELIVERIES_TABLE!;

/**
 * Partition keys per tenant. Fixed: an item's key is derived from it, so changing it moves every item.
 * 32 keys carry 10,000 events/s at five subscribers with a third of each partition to spare
 * (docs/capacity.md); a page of logs reads from each of them.
 */
export const LOG_SHARDS = 32;

/** The shard of a delivery id: FNV-1a (32-bit) of the id, modulo `LOG_SHARDS`. */
export function logShardOf(deliveryId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < deliveryId.length; i++) {
    hash ^= deliveryId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % LOG_SHARDS;
}

const shardPartition = (tenantId: string, shard: number) =>
  `TENANT#${tenantId}#${String(shard).padStart(2, '0')}`;

/** The partition key of a delivery's log item. */
export const logPartitionOf = (tenantId: string, deliveryId: string): string =>
  shardPartition(tenantId, logShardOf(deliveryId));

const SK_PREFIX = 'DLV#';
const key = (tenantId: string, deliveryId: string) => ({
  pk: logPartitionOf(tenantId, deliveryId),
  sk: `${SK_PREFIX}${deliveryId}`,
});
const statusAttribute = (subscriptionId: string) => `status#${subscriptionId}`;
const attemptsAttribute = (subscriptionId: string) => `attempts#${subscriptionId}`;
const claimAttribute = (subscriptionId: string) => `claim#${subscriptionId}`;

/**
 * Parked deliveries of a subscription, one small item each beside the log item (which says `parked`
 * too), so a catch-up reads the subscription's parked events rather than the tenant's whole log:
 * `pk = PARKED#<tenantId>#<subscriptionId>#<shard>`, `sk = DLV#<deliveryId>`, sharded like the log.
 */
const parkedPartition = (tenantId: string, subscriptionId: string, shard: number) =>
  `PARKED#${tenantId}#${subscriptionId}#${String(shard).padStart(2, '0')}`;
const parkedKey = (tenantId: string, subscriptionId: string, deliveryId: string) => ({
  pk: parkedPartition(tenantId, subscriptionId, logShardOf(deliveryId)),
  sk: `${SK_PREFIX}${deliveryId}`,
});

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
    claimOf: (subscriptionId) => item[claimAttribute(subscriptionId)] as string | undefined,
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
    assignments.push(`#s${index} = :s${index}`);
    if (attempt) {
      values[`:a${index}`] = [{ ...attempt, attemptKey }];
      assignments.push(`#a${index} = list_append(if_not_exists(#a${index}, :empty), :a${index})`);
    } else {
      assignments.push(`#a${index} = if_not_exists(#a${index}, :empty)`);
    }
  });
  // Parked markers first: should the log write below not happen, the message comes back and parks
  // again (a marker is the same item each time); a marker without a parked log entry is skipped.
  const parked = outcomes.filter((outcome) => outcome.status === 'parked');
  await Promise.all(
    parked.map(({ subscriptionId }) =>
      dynamo().send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...parkedKey(request.tenantId, subscriptionId, request.deliveryId),
            eventType: request.eventType,
            payload: request.payload,
            parkedAt: now,
            expiresAt: values[':expiresAt'],
          },
        }),
      ),
    ),
  );
  return conditionHolds(
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key(request.tenantId, request.deliveryId),
        UpdateExpression: `SET ${assignments.join(', ')} ADD #attemptKeys :attemptKeySet`,
        ConditionExpression: 'attribute_not_exists(#attemptKeys) OR NOT contains(#attemptKeys, :attemptKey)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    ),
  );
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
  return conditionHolds(
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key(tenantId, deliveryId),
        UpdateExpression: 'SET #status = :status',
        ConditionExpression: expected ? '#status = :expected' : 'attribute_exists(#status)',
        ExpressionAttributeNames: { '#status': statusAttribute(subscriptionId) },
        ExpressionAttributeValues: { ':status': status, ...(expected && { ':expected': expected }) },
      }),
    ),
  );
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

/** A filter on log items: FilterExpression terms (joined with AND) and the names and values they use. */
export interface LogFilter {
  expressions: string[];
  names: Record<string, string>;
  values: Record<string, unknown>;
}

/** A stretch of a tenant's log, in delivery id (time) order. */
export interface LogRange {
  /** Only deliveries after this id (exclusive). */
  after?: string;
  /** Only deliveries before this id (exclusive). */
  before?: string;
  newestFirst: boolean;
  limit: number;
  filter?: LogFilter;
}

/** Items one read may evaluate (before its filter) across all shards: the cost bound of a page. */
export const MAX_EVALUATED_PER_READ = 2_000;
/** Query rounds one read may take (each round queries, in parallel, the shards that hold it back). */
const MAX_QUERY_ROUNDS = 10;

interface ShardReader {
  pk: string;
  /** Items read and kept by the filter, not yet returned, in order. */
  buffer: Record<string, unknown>[];
  startKey?: Record<string, unknown>;
  /** Id of the last item this shard evaluated: everything up to it (in order) has been seen. */
  frontier?: string;
  done: boolean;
  pageSize: number;
}

const idOf = (item: Record<string, unknown>) => (item.sk as string).slice(SK_PREFIX.length);
/** Beyond every `DLV#` sort key ('$' follows '#'). */
const SK_END = 'DLV$';

/**
 * Reads up to `limit` log items of a tenant in id order, merging the tenant's shards so the order is
 * exact across them. An item is returned only once every shard that could still hold an earlier one
 * has been read past it; so `next`, the id to continue after, never skips or repeats an item. A read
 * stops at `limit` items, or when it has evaluated `MAX_EVALUATED_PER_READ` items or taken
 * `MAX_QUERY_ROUNDS` rounds (a selective filter): then it returns what it has, possibly nothing,
 * with a `next`. `next` is absent when the range is exhausted.
 */
export async function readLog(
  tenantId: string,
  range: LogRange,
): Promise<{ items: EventDeliveryLog[]; next?: string }> {
  const { items, next } = await mergeShards((shard) => shardPartition(tenantId, shard), range);
  return { items: items.map(toLog), ...(next !== undefined && { next }) };
}

/** The merge behind `readLog`, over any family of `LOG_SHARDS` sharded partitions. */
async function mergeShards(
  partitionOf: (shard: number) => string,
  range: LogRange,
): Promise<{ items: Record<string, unknown>[]; next?: string }> {
  const { newestFirst, limit, filter } = range;
  const precedes = (a: string, b: string) => (newestFirst ? a > b : a < b);
  const values: Record<string, unknown> = {
    ':lower': `${SK_PREFIX}${range.after ?? ''}`,
    ':upper': range.before === undefined ? SK_END : `${SK_PREFIX}${range.before}`,
    ...filter?.values,
  };
  const names = filter && Object.keys(filter.names).length > 0 ? filter.names : undefined;
  const filterExpression = filter?.expressions.length ? filter.expressions.join(' AND ') : undefined;
  const shards: ShardReader[] = Array.from({ length: LOG_SHARDS }, (_, shard) => ({
    pk: partitionOf(shard),
    buffer: [],
    done: false,
    // About this shard's share of the page, and a little over.
    pageSize: Math.ceil(limit / LOG_SHARDS) + 1,
  }));
  let evaluated = 0;

  const read = async (shard: ShardReader, pageSize: number) => {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :lower AND :upper',
        FilterExpression: filterExpression,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ...values, ':pk': shard.pk },
        ScanIndexForward: !newestFirst,
        Limit: pageSize,
        ExclusiveStartKey: shard.startKey,
      }),
    );
    evaluated += result.ScannedCount ?? 0;
    for (const item of result.Items ?? []) {
      const id = idOf(item);
      if (id !== range.after && id !== range.before) shard.buffer.push(item);
    }
    shard.startKey = result.LastEvaluatedKey;
    if (shard.startKey) shard.frontier = idOf(shard.startKey);
    else shard.done = true;
    shard.pageSize = Math.min(pageSize * 2, MAX_EVALUATED_PER_READ);
  };

  const items: Record<string, unknown>[] = [];
  let lastId: string | undefined;
  for (let round = 0; ; round++) {
    let blocking: ShardReader[] = [];
    while (items.length < limit) {
      let best: ShardReader | undefined;
      for (const shard of shards) {
        if (shard.buffer.length > 0 && (!best || precedes(idOf(shard.buffer[0]!), idOf(best.buffer[0]!))))
          best = shard;
      }
      const bestId = best && idOf(best.buffer[0]!);
      blocking = shards.filter(
        (shard) =>
          !shard.done &&
          (shard.frontier === undefined || bestId === undefined || precedes(shard.frontier, bestId)),
      );
      if (blocking.length > 0 || !best) break;
      items.push(best.buffer.shift()!);
      lastId = bestId;
    }
    const exhausted = shards.every((shard) => shard.done && shard.buffer.length === 0);
    if (items.length >= limit) return { items, ...(!exhausted && { next: lastId }) };
    if (blocking.length === 0) return { items };
    const budget = MAX_EVALUATED_PER_READ - evaluated;
    const share = Math.floor(budget / blocking.length);
    if (round >= MAX_QUERY_ROUNDS || share < 1) {
      // Continue from the shard read least far: every shard has been read past that point.
      let next: string | undefined;
      for (const shard of shards) {
        if (
          !shard.done &&
          shard.frontier !== undefined &&
          (next === undefined || precedes(shard.frontier, next))
        )
          next = shard.frontier;
      }
      return { items, ...(next !== undefined && { next }) };
    }
    await Promise.all(blocking.map((shard) => read(shard, Math.min(shard.pageSize, share))));
  }
}

/**
 * A subscription's deliveries, newest first, optionally filtered by status and event type. The
 * tenant's log is shared by its subscriptions, so a page may be short (or empty) and still have a
 * cursor: more may follow (see `readLog`).
 */
export async function listDeliveries(
  tenantId: string,
  subscriptionId: string,
  options: {
    limit: number;
    cursor?: string;
    status?: DeliveryStatus;
    eventType?: EventType;
    /** Events from this time on (epoch ms), by the time their delivery id begins with. */
    since?: number;
    /** Events before this time (epoch ms). */
    until?: number;
  },
): Promise<Page<DeliveryRecord>> {
  // The cursor is a position in the caller's own log, never a key: it cannot reach another tenant's.
  // Delivery ids begin with their event's time, so a time range is an id range: `msg_<time>` sorts
  // before every id of that millisecond.
  const cursor = decodeCursor(options.cursor, ['before'])?.before;
  const until = options.until === undefined ? undefined : idTimePrefix('msg', options.until);
  const before = cursor === undefined || (until !== undefined && until < cursor) ? until : cursor;
  const after = options.since === undefined ? undefined : idTimePrefix('msg', options.since);
  const filter = subscriptionFilter(subscriptionId, {
    status: options.status,
    eventTypes: options.eventType ? [options.eventType] : undefined,
  });
  const { items, next } = await readLog(tenantId, {
    before,
    ...(after !== undefined && { after }),
    newestFirst: true,
    limit: options.limit,
    filter,
  });
  return {
    items: items.map((log) => log.recordFor(subscriptionId)!),
    nextCursor: encodeCursor(next === undefined ? undefined : { before: next }),
  };
}

/** A parked delivery as its marker holds it. */
export interface ParkedDelivery {
  deliveryId: string;
  eventType: EventType;
  payload: WebhookPayload;
  parkedAt: string;
}

/** A subscription's parked deliveries, oldest first, after `after` (see `readLog` for `next`). */
export async function readParked(
  tenantId: string,
  subscriptionId: string,
  options: { after?: string; limit: number },
): Promise<{ items: ParkedDelivery[]; next?: string }> {
  const { items, next } = await mergeShards((shard) => parkedPartition(tenantId, subscriptionId, shard), {
    after: options.after,
    newestFirst: false,
    limit: options.limit,
  });
  return {
    items: items.map((item) => ({
      deliveryId: idOf(item),
      eventType: item.eventType as EventType,
      payload: item.payload as WebhookPayload,
      parkedAt: item.parkedAt as string,
    })),
    ...(next !== undefined && { next }),
  };
}

/** How many deliveries of a subscription are parked (a count over its markers). */
export async function countParked(tenantId: string, subscriptionId: string): Promise<number> {
  const counts = await Promise.all(
    Array.from({ length: LOG_SHARDS }, async (_, shard) => {
      let count = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        const result = await dynamo().send(
          new QueryCommand({
            TableName: tableName(),
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': parkedPartition(tenantId, subscriptionId, shard) },
            Select: 'COUNT',
            ExclusiveStartKey: startKey,
          }),
        );
        count += result.Count ?? 0;
        startKey = result.LastEvaluatedKey;
      } while (startKey);
      return count;
    }),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}

/** Removes parked markers (their deliveries were queued again, or are no longer parked). */
export async function removeParked(
  tenantId: string,
  subscriptionId: string,
  deliveryIds: readonly string[],
): Promise<void> {
  for (let start = 0; start < deliveryIds.length; start += 25) {
    let requests = deliveryIds.slice(start, start + 25).map((deliveryId) => ({
      DeleteRequest: { Key: parkedKey(tenantId, subscriptionId, deliveryId) as Record<string, unknown> },
    }));
    for (let tries = 0; requests.length > 0 && tries < 5; tries++) {
      const { UnprocessedItems } = await dynamo().send(
        new BatchWriteCommand({ RequestItems: { [tableName()]: requests } }),
      );
      requests = (UnprocessedItems?.[tableName()] ?? []) as typeof requests;
    }
  }
}

/**
 * Sets a delivery back to `pending` for a re-send (replay, catch-up) named `claimId`: only if its
 * status is still `expected`, or it is pending under this same claim already (a re-send step that is
 * retried sends again what it claimed; the delivery function posts a repeat only if the first has not
 * settled). Returns whether this claim holds it.
 */
export async function claimForResend(
  tenantId: string,
  deliveryId: string,
  subscriptionId: string,
  expected: DeliveryStatus,
  claimId: string,
): Promise<boolean> {
  return conditionHolds(
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key(tenantId, deliveryId),
        UpdateExpression: 'SET #status = :pending, #claim = :claim',
        ConditionExpression: '#status = :expected OR (#status = :pending AND #claim = :claim)',
        ExpressionAttributeNames: {
          '#status': statusAttribute(subscriptionId),
          '#claim': claimAttribute(subscriptionId),
        },
        ExpressionAttributeValues: { ':pending': 'pending', ':expected': expected, ':claim': claimId },
      }),
    ),
  );
}

/** The filter of one subscription's deliveries in the tenant's log, optionally by status and event types. */
export function subscriptionFilter(
  subscriptionId: string,
  options: { status?: DeliveryStatus; eventTypes?: readonly EventType[] } = {},
): LogFilter {
  const filter: LogFilter = {
    expressions: ['attribute_exists(#status)'],
    names: { '#status': statusAttribute(subscriptionId) },
    values: {},
  };
  if (options.status) {
    filter.expressions.push('#status = :status');
    filter.values[':status'] = options.status;
  }
  if (options.eventTypes?.length) {
    const placeholders = options.eventTypes.map((eventType, index) => {
      filter.values[`:eventType${index}`] = eventType;
      return `:eventType${index}`;
    });
    filter.expressions.push(`#eventType IN (${placeholders.join(', ')})`);
    filter.names['#eventType'] = 'eventType';
  }
  return filter;
}
