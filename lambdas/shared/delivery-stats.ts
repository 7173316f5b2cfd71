/**
 * Hourly delivery counters per subscription, for the portal's activity chart and success rates. Items
 * live in the Deliveries table beside the logs, under `pk = STATS#<tenantId>#<subscriptionId>`,
 * `sk = <YYYY-MM-DDTHH>` (UTC hour), with numeric `succeeded`, `failed` (the last attempt failed),
 * `retried` (an attempt failed, another follows) and the table's TTL `expiresAt`. One partition key per
 * subscription, apart from the log's shards: a subscription's counters see at most one write per
 * delivery batch, far below a partition's 1,000 writes a second.
 *
 * Counted per batch, not per delivery: the delivery function adds up a batch's outcomes and writes one
 * `ADD` per (subscription, hour) it touched, so at ten messages a batch the counters cost about a tenth
 * of a write per event. The counts are best effort: a failed counter write is logged, not retried (the
 * deliveries themselves are unaffected), and a redelivered message may be counted twice.
 */
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './aws';
import type { DeliveryStatus } from './deliveries';

export const COUNTED = ['succeeded', 'failed', 'retried'] as const;
export type CountedOutcome = (typeof COUNTED)[number];
export type Counts = Record<CountedOutcome, number>;

export interface OutcomeToCount {
  tenantId: string;
  subscriptionId: string;
  /** The recorded status of the attempt: `pending` counts as retried; `skipped` is not counted. */
  status: DeliveryStatus;
  /** ISO time of the attempt. */
  at: string;
}

const HOUR_MS = 3_600_000;
const tableName = () => process.env.DELIVERIES_TABLE!;
/** `2026-01-15T10` for any time in that UTC hour. */
export const hourOf = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 13);
const partitionOf = (tenantId: string, subscriptionId: string) => `STATS#${tenantId}#${subscriptionId}`;

function counted(status: DeliveryStatus): CountedOutcome | undefined {
  if (status === 'succeeded' || status === 'failed') return status;
  return status === 'pending' ? 'retried' : undefined;
}

/** Adds a batch's outcomes to the counters: one write per (tenant, subscription, hour). */
export async function recordStats(outcomes: readonly OutcomeToCount[], ttlSeconds: number): Promise<number> {
  const groups = new Map<
    string,
    { tenantId: string; subscriptionId: string; hour: string; counts: Counts }
  >();
  for (const outcome of outcomes) {
    const kind = counted(outcome.status);
    if (!kind) continue;
    const hour = hourOf(Date.parse(outcome.at));
    const id = `${outcome.tenantId}\u0000${outcome.subscriptionId}\u0000${hour}`;
    let group = groups.get(id);
    if (!group) {
      group = { ...outcome, hour, counts: { succeeded: 0, failed: 0, retried: 0 } };
      groups.set(id, group);
    }
    group.counts[kind] += 1;
  }
  await Promise.all(
    [...groups.values()].map(({ tenantId, subscriptionId, hour, counts }) => {
      const kinds = COUNTED.filter((kind) => counts[kind] > 0);
      return dynamo().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: { pk: partitionOf(tenantId, subscriptionId), sk: hour },
          UpdateExpression: `SET expiresAt = :expiresAt ADD ${kinds.map((kind) => `${kind} :${kind}`).join(', ')}`,
          ExpressionAttributeValues: {
            ':expiresAt': Math.floor(Date.parse(`${hour}:00:00Z`) / 1000) + 3600 + ttlSeconds,
            ...Object.fromEntries(kinds.map((kind) => [`:${kind}`, counts[kind]])),
          },
        }),
      );
    }),
  );
  return groups.size;
}

export interface StatsBucket extends Counts {
  /** ISO start of the bucket. */
  start: string;
}

/**
 * The counters of `[since, until)` in buckets of `bucketHours`, every bucket present (zeros where
 * nothing happened), oldest first. `since` is rounded down to its bucket.
 */
export async function readStats(
  tenantId: string,
  subscriptionId: string,
  range: { since: number; until: number; bucketHours: number },
): Promise<StatsBucket[]> {
  const bucketMs = range.bucketHours * HOUR_MS;
  const first = Math.floor(range.since / bucketMs) * bucketMs;
  const buckets: StatsBucket[] = [];
  for (let start = first; start < range.until; start += bucketMs) {
    buckets.push({ start: new Date(start).toISOString(), succeeded: 0, failed: 0, retried: 0 });
  }
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: {
          ':pk': partitionOf(tenantId, subscriptionId),
          ':from': hourOf(first),
          ':to': hourOf(range.until - 1),
        },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of result.Items ?? []) {
      const hour = Date.parse(`${String(item.sk)}:00:00Z`);
      const bucket = buckets[Math.floor((hour - first) / bucketMs)];
      if (!bucket) continue;
      for (const kind of COUNTED) bucket[kind] += typeof item[kind] === 'number' ? item[kind] : 0;
    }
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return buckets;
}
