/**
 * Operational events: what operators (and the platform) alert on, and what a tenant sees of its
 * subscriptions' lifecycle. Each is, at once, an event on the stack's bus with its own detail-type
 * (source `event-relay.operations`, which no delivery rule or the archive matches) and a structured
 * log line; the delivery function also counts them in metrics. Every state change of a subscription
 * (not `Delivery Failed`, which the delivery log already holds per delivery) is also recorded for its
 * tenant as an activity entry, read by `GET /v1/webhooks/{id}/activity` (see `listActivity`).
 *
 * Emitting never fails the work it reports: a bus or table error is logged, the work goes on.
 *
 * Activity entries live in the Deliveries table (it has the TTL) under
 * `pk = ACTIVITY#<tenantId>#<subscriptionId>`, `sk = ACT#<activityId>`. The id begins with the time of
 * the change and is derived from what changed, so recording the same change twice (a retried request
 * or step) writes the same item; the partition names the tenant, so no read can cross tenants.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo, eventBridge } from './aws';
import { derivedTimeId } from './ids';
import { logger } from './logger';
import { decodeCursor, encodeCursor, type Page } from './pagination';

export const OPERATIONS_SOURCE = 'event-relay.operations';

export const OPERATIONAL_DETAIL_TYPES = {
  /** A delivery was marked failed: after its last attempt, or at once on 410 Gone. */
  deliveryFailed: 'Delivery Failed',
  /** A subscription was disabled: by its tenant, or by the system (410 Gone, failing for too long). */
  subscriptionDisabled: 'Subscription Disabled',
  /** A disabled subscription was enabled again by its tenant. */
  subscriptionReEnabled: 'Subscription Re-enabled',
  /** A disabled subscription's parked deliveries reached 1, 10, 100, … in this disabled period. */
  deliveriesParked: 'Deliveries Parked',
  /** A replay or catch-up started. */
  replayStarted: 'Replay Started',
  /** A replay or catch-up has queued everything it selected. */
  replayFinished: 'Replay Finished',
} as const;
export type OperationalDetailType = (typeof OPERATIONAL_DETAIL_TYPES)[keyof typeof OPERATIONAL_DETAIL_TYPES];

/** Who made a change: the tenant through the API (an API key) or the portal (a session), or the system. */
export type ChangedBy = 'system' | 'api' | 'portal';

interface SubscriptionRef {
  tenantId: string;
  subscriptionId: string;
}

export interface DeliveryFailedDetail extends SubscriptionRef {
  deliveryId: string;
  eventType: string;
  attempts: number;
  statusCode?: number;
  error?: string;
}

export interface SubscriptionDisabledDetail extends SubscriptionRef {
  reason: string;
  disabledAt: string;
  by: ChangedBy;
}

export interface SubscriptionReEnabledDetail extends SubscriptionRef {
  enabledAt: string;
  by: Exclude<ChangedBy, 'system'>;
  /** Deliveries parked while it was disabled (what a catch-up would send). */
  parked: number;
  /** Whether the re-enabling started a catch-up. */
  catchUp: boolean;
}

export interface DeliveriesParkedDetail extends SubscriptionRef {
  /** Deliveries parked since `disabledAt` (this disabled period), at `lastParkedAt`. */
  parked: number;
  disabledAt: string;
  lastParkedAt: string;
}

export interface ReplayStartedDetail extends SubscriptionRef {
  replayId: string;
  kind: 'replay' | 'catch-up';
  /** `failed`, `all` (a replay) or `parked` (a catch-up). */
  status: string;
  since?: string;
  until?: string;
  /** A catch-up's parked deliveries when it started. */
  total?: number;
  ratePerSecond: number;
  startedAt: string;
}

export interface ReplayFinishedDetail extends SubscriptionRef {
  replayId: string;
  kind: 'replay' | 'catch-up';
  queued: number;
  skipped: number;
  startedAt: string;
  finishedAt: string;
}

export type OperationalEvent =
  | { detailType: typeof OPERATIONAL_DETAIL_TYPES.deliveryFailed; detail: DeliveryFailedDetail }
  | { detailType: typeof OPERATIONAL_DETAIL_TYPES.subscriptionDisabled; detail: SubscriptionDisabledDetail }
  | { detailType: typeof OPERATIONAL_DETAIL_TYPES.subscriptionReEnabled; detail: SubscriptionReEnabledDetail }
  | { detailType: typeof OPERATIONAL_DETAIL_TYPES.deliveriesParked; detail: DeliveriesParkedDetail }
  | { detailType: typeof OPERATIONAL_DETAIL_TYPES.replayStarted; detail: ReplayStartedDetail }
  | { detailType: typeof OPERATIONAL_DETAIL_TYPES.replayFinished; detail: ReplayFinishedDetail };

/** The detail types recorded in the tenant's activity feed (every one but `Delivery Failed`). */
export const ACTIVITY_TYPES = [
  OPERATIONAL_DETAIL_TYPES.subscriptionDisabled,
  OPERATIONAL_DETAIL_TYPES.subscriptionReEnabled,
  OPERATIONAL_DETAIL_TYPES.deliveriesParked,
  OPERATIONAL_DETAIL_TYPES.replayStarted,
  OPERATIONAL_DETAIL_TYPES.replayFinished,
] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/** One entry of a subscription's activity feed: the event's detail without the tenant, and when. */
export type ActivityEntry = {
  activityId: string;
  type: ActivityType;
  at: string;
  webhookId: string;
} & Record<string, unknown>;

const tableName = () => process.env.DELIVERIES_TABLE!;
const activityPartition = (tenantId: string, subscriptionId: string) =>
  `ACTIVITY#${tenantId}#${subscriptionId}`;
const ACTIVITY_PREFIX = 'ACT#';

/** When the event happened, as the activity entry is ordered by (epoch ms). */
function timeOf(event: OperationalEvent): string {
  switch (event.detailType) {
    case OPERATIONAL_DETAIL_TYPES.subscriptionDisabled:
      return event.detail.disabledAt;
    case OPERATIONAL_DETAIL_TYPES.subscriptionReEnabled:
      return event.detail.enabledAt;
    case OPERATIONAL_DETAIL_TYPES.deliveriesParked:
      return event.detail.disabledAt;
    case OPERATIONAL_DETAIL_TYPES.replayStarted:
      return event.detail.startedAt;
    case OPERATIONAL_DETAIL_TYPES.replayFinished:
      return event.detail.finishedAt;
    default:
      return new Date().toISOString();
  }
}

/**
 * The id of a change's activity entry: its time, then a hash of what changed. The parked count of a
 * disabled period is one entry (updated as it grows), placed just after the disabling.
 */
export function activityIdOf(event: OperationalEvent): string {
  const { detail } = event;
  const at = Date.parse(timeOf(event));
  switch (event.detailType) {
    case OPERATIONAL_DETAIL_TYPES.deliveriesParked:
      return derivedTimeId('act', at + 1, 'parked', detail.subscriptionId, event.detail.disabledAt);
    case OPERATIONAL_DETAIL_TYPES.replayStarted:
    case OPERATIONAL_DETAIL_TYPES.replayFinished:
      return derivedTimeId('act', at, event.detailType, event.detail.replayId);
    default:
      return derivedTimeId('act', at, event.detailType, detail.subscriptionId, timeOf(event));
  }
}

const activityKey = (tenantId: string, subscriptionId: string, activityId: string) => ({
  pk: activityPartition(tenantId, subscriptionId),
  sk: `${ACTIVITY_PREFIX}${activityId}`,
});

/** Logs each event and puts them on the bus (10 per call, the PutEvents limit). Never throws. */
export async function putOperationalEvents(
  events: readonly OperationalEvent[],
  busName: string | undefined,
): Promise<void> {
  for (const event of events) {
    const log = event.detailType === OPERATIONAL_DETAIL_TYPES.deliveryFailed ? logger.error : logger.warn;
    log.call(logger, `operational event: ${event.detailType}`, {
      operationalEvent: event.detailType,
      ...event.detail,
    });
  }
  if (!busName || events.length === 0) return;
  for (let i = 0; i < events.length; i += 10) {
    const chunk = events.slice(i, i + 10);
    try {
      const result = await eventBridge().send(
        new PutEventsCommand({
          Entries: chunk.map((event) => ({
            EventBusName: busName,
            Source: OPERATIONS_SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
          })),
        }),
      );
      if (result.FailedEntryCount) {
        logger.warn('operational events not put on the bus', { failed: result.FailedEntryCount });
      }
    } catch (error) {
      logger.warn('operational events not put on the bus', { error: error as Error });
    }
  }
}

/** The activity item of an event (its detail without the tenant), expiring after `ttlSeconds`. */
function activityItem(event: OperationalEvent, ttlSeconds: number): Record<string, unknown> {
  const { tenantId, subscriptionId, ...fields } = event.detail;
  const activityId = activityIdOf(event);
  return {
    ...activityKey(tenantId, subscriptionId, activityId),
    ...fields,
    activityId,
    type: event.detailType,
    at: timeOf(event),
    webhookId: subscriptionId,
    expiresAt: Math.floor(Date.now() / 1000) + ttlSeconds,
  };
}

/** Records the lifecycle events among `events` in their tenants' activity feeds. Never throws. */
export async function recordActivity(events: readonly OperationalEvent[], ttlSeconds: number): Promise<void> {
  const lifecycle = events.filter((event) =>
    (ACTIVITY_TYPES as readonly string[]).includes(event.detailType),
  );
  await Promise.all(
    lifecycle.map(async (event) => {
      try {
        await dynamo().send(
          new PutCommand({ TableName: tableName(), Item: activityItem(event, ttlSeconds) }),
        );
      } catch (error) {
        logger.warn('could not record an activity entry', {
          operationalEvent: event.detailType,
          subscriptionId: event.detail.subscriptionId,
          error: error as Error,
        });
      }
    }),
  );
}

/**
 * Puts the events on the bus and records the lifecycle ones for their tenants (when a table is
 * configured). Never throws.
 */
export async function emitOperationalEvents(
  events: readonly OperationalEvent[],
  options: { busName: string | undefined; ttlSeconds: number },
): Promise<void> {
  if (events.length === 0) return;
  await Promise.all([
    putOperationalEvents(events, options.busName),
    process.env.DELIVERIES_TABLE ? recordActivity(events, options.ttlSeconds) : undefined,
  ]);
}

/** Whether the parked count went from `before` to `after` past a power of ten (1, 10, 100, …). */
export function crossesPowerOfTen(before: number, after: number): boolean {
  if (after <= before || after < 1) return false;
  return before < 1 || Math.floor(Math.log10(after)) > Math.floor(Math.log10(before));
}

/**
 * Adds `count` newly parked deliveries to the subscription's parked entry for the disabled period that
 * began at `disabledAt`. Returns the `Deliveries Parked` event to put on the bus when the period's
 * count reaches 1, 10, 100, … (so a period parking a million deliveries emits seven), else undefined.
 * The entry itself always shows the current count. Never throws.
 */
export async function recordParked(
  ref: SubscriptionRef,
  disabledAt: string,
  count: number,
  ttlSeconds: number,
  now: string = new Date().toISOString(),
): Promise<OperationalEvent | undefined> {
  const event: OperationalEvent = {
    detailType: OPERATIONAL_DETAIL_TYPES.deliveriesParked,
    detail: { ...ref, parked: count, disabledAt, lastParkedAt: now },
  };
  const item = activityItem(event, ttlSeconds);
  try {
    const { Attributes } = await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression:
          'SET activityId = :activityId, #type = :type, #at = :at, webhookId = :webhookId, disabledAt = :disabledAt, lastParkedAt = :now, expiresAt = :expiresAt ADD parked :count',
        ExpressionAttributeNames: { '#type': 'type', '#at': 'at' },
        ExpressionAttributeValues: {
          ':activityId': item.activityId,
          ':type': item.type,
          ':at': item.at,
          ':webhookId': item.webhookId,
          ':disabledAt': disabledAt,
          ':now': now,
          ':expiresAt': item.expiresAt,
          ':count': count,
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const parked = Number(Attributes?.parked ?? count);
    if (!crossesPowerOfTen(parked - count, parked)) return undefined;
    return { ...event, detail: { ...event.detail, parked } };
  } catch (error) {
    logger.warn('could not record parked deliveries', {
      subscriptionId: ref.subscriptionId,
      error: error as Error,
    });
    return undefined;
  }
}

/** A subscription's activity, newest first. The cursor is a position in the caller's own feed. */
export async function listActivity(
  tenantId: string,
  subscriptionId: string,
  options: { limit: number; cursor?: string },
): Promise<Page<ActivityEntry>> {
  const before = decodeCursor(options.cursor, ['before'])?.before;
  const result = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression:
        before === undefined
          ? 'pk = :pk AND begins_with(sk, :prefix)'
          : 'pk = :pk AND sk BETWEEN :prefix AND :before',
      ExpressionAttributeValues: {
        ':pk': activityPartition(tenantId, subscriptionId),
        ':prefix': ACTIVITY_PREFIX,
        // BETWEEN is inclusive: the cursor's own entry is dropped below.
        ...(before !== undefined && { ':before': `${ACTIVITY_PREFIX}${before}` }),
      },
      ScanIndexForward: false,
      Limit: options.limit + (before === undefined ? 0 : 1),
    }),
  );
  const items = (result.Items ?? [])
    .filter((item) => item.activityId !== before)
    .slice(0, options.limit)
    .map(({ pk: _pk, sk: _sk, expiresAt: _expiresAt, ...entry }) => entry as ActivityEntry);
  const last = items.at(-1);
  return {
    items,
    nextCursor: result.LastEvaluatedKey && last ? encodeCursor({ before: last.activityId }) : undefined,
  };
}
