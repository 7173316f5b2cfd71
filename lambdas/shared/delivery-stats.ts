/**
 * Hourly delivery counters, for the portal's activity chart and success rates. One item per tenant and
 * UTC hour in the Deliveries table, beside the logs: `pk = STATS#<tenantId>`, `sk = <YYYY-MM-DDTHH>`,
 * with three numbers per subscription, `succeeded#<id>`, `failed#<id>` (the last attempt failed) and
 * `retried#<id>` (an attempt failed, another follows), and the table's TTL `expiresAt`.
 *
 * Counted per batch, not per delivery: the delivery function adds up a batch's outcomes and writes one
 * `ADD` per tenant and hour it touched, however many subscriptions, so at ten messages a batch the
 * counters cost about a tenth of a write per event (bench/cost.ts). An item grows by about 100 bytes
 * per subscription that had deliveries that hour, so it stays within one write unit up to about ten
 * such subscriptions. One partition key per tenant sees at most one write per delivery batch, far below
 * a partition's 1,000 writes a second.
 *
 * The counts are best effort: a failed counter write is logged, not retried (the deliveries themselves
 * are unaffected), and a redelivered message may be counted twice.
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
const partitionOf = (tenantId: string) => `STATS#${tenantId}`;
const attribute = (kind: CountedOutcome, subscriptionId: string) => `${kind}#${subscriptionId}`;

function counted(status: DeliveryStatus): CountedOutcome | undefined {
  if (status === 'succeeded' || status === 'failed') return status;
  return status === 'pending' ? 'retried' : undefined;
}

/** Adds a batch's outcomes to the counters: one write per (tenant, hour). Returns the number of writes. */
export async function recordStats(outcomes: readonly OutcomeToCount[], ttlSeconds: number): Promise<number> {
  const groups = new Map<string, { tenantId: string; hour: string; counts: Map<string, number> }>();
  for (const outcome of outcomes) {
    const kind = counted(outcome.status);
    if (!kind) continue;
    const hour = hourOf(Date.parse(outcome.at));
    const id = `${outcome.tenantId}\u0000${hour}`;
    let group = groups.get(id);
    if (!group) {
      group = { tenantId: outcome.tenantId, hour, counts: new Map() };
      groups.set(id, group);
    }
    const name = attribute(kind, outcome.subscriptionId);
    group.counts.set(name, (group.counts.get(name) ?? 0) + 1);
  }
  await Promise.all(
    [...groups.values()].map(({ tenantId, hour, counts }) => {
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {
        ':expiresAt': Math.floor(Date.parse(`${hour}:00:00Z`) / 1000) + 3600 + ttlSeconds,
      };
      const adds = [...counts].map(([name, count], index) => {
        names[`#c${index}`] = name;
        values[`:c${index}`] = count;
        return `#c${index} :c${index}`;
      });
      return dynamo().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: { pk: partitionOf(tenantId), sk: hour },
          UpdateExpression: `SET expiresAt = :expiresAt ADD ${adds.join(', ')}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
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
 * One subscription's counters over `[since, until)` in buckets of `bucketHours`, every bucket present
 * (zeros where nothing happened), oldest first. `since` is rounded down to its bucket.
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
  const names: Record<string, string> = { '#sk': 'sk' };
  COUNTED.forEach((kind) => (names[`#${kind}`] = attribute(kind, subscriptionId)));
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND #sk BETWEEN :from AND :to',
        ProjectionExpression: ['#sk', ...COUNTED.map((kind) => `#${kind}`)].join(', '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ':pk': partitionOf(tenantId),
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
      for (const kind of COUNTED) {
        const value = item[attribute(kind, subscriptionId)];
        if (typeof value === 'number') bucket[kind] += value;
      }
    }
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return buckets;
}
