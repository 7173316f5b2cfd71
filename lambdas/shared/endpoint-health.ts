/**
 * Endpoint health and the subscription's version, shared by every delivery container: one item per
 * subscription in the Subscriptions table, on a partition key of its own (`pk =
 * TENANT#<tenantId>#SUB#<subscriptionId>`, `sk = STATE`), so the delivery function's consistent read
 * of it in every batch never lands on the tenant's key (`TENANT#<tenantId>`, where the subscriptions
 * themselves live and the inbound function queries them). It holds the circuit breaker (consecutive
 * failures; open until a time; the lease of the one half-open probe), whether the endpoint is known to
 * answer slower than the fast lane's budget, and `version`: a fresh value written after every change
 * of the subscription (subscriptions.ts), which tells a container whether the subscription it read
 * earlier is still current. A healthy, unchanged endpoint's item is never written: only failures,
 * state changes, recoveries and subscription changes write. One counter item (`pk = SYSTEM`, `sk =
 * OPEN_BREAKERS`) counts the open breakers for the dashboard.
 *
 * Items written before this layout (`pk = TENANT#<tenantId>`, `sk = HEALTH#<subscriptionId>`) are
 * migrated lazily: a batch that finds no state item reads the old one and copies it (subscription-state.ts).
 */
import { randomUUID } from 'node:crypto';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { conditionHolds, dynamo } from './aws';

export interface EndpointHealth {
  /** The URL the record is about: a subscription whose URL changed starts healthy. */
  url: string;
  /** Failed attempts since the last success (410 and receiver-requested waits excluded). */
  failures: number;
  /** `open`: attempts are deferred without dialling until `openUntil`, then one probe is let through. */
  breaker: 'closed' | 'open';
  openUntil?: number;
  /** The half-open probe in flight holds this lease (epoch ms) so that only one container dials. */
  probeUntil?: number;
  /** The last attempt got no answer within the fast lane's budget: later ones go to the slow lane. */
  slow: boolean;
  /** The stored item is about another URL: the first write replaces it. */
  stale?: boolean;
  /** When the current run of failures began (epoch ms); absent while the endpoint answers. */
  failingSince?: number;
}

const tableName = () => process.env.SUBSCRIPTIONS_TABLE!;
export const healthKey = (tenantId: string, subscriptionId: string) => ({
  pk: `TENANT#${tenantId}#SUB#${subscriptionId}`,
  sk: 'STATE',
});
/** Where health items lived before they had a partition key of their own. */
export const legacyHealthKey = (tenantId: string, subscriptionId: string) => ({
  pk: `TENANT#${tenantId}`,
  sk: `HEALTH#${subscriptionId}`,
});
/** The fields of a health item (what a lazy migration copies). */
export const HEALTH_FIELDS = [
  'url',
  'failures',
  'breaker',
  'openUntil',
  'probeUntil',
  'slow',
  'lastFailureAt',
];
const OPEN_BREAKERS_KEY = { pk: 'SYSTEM', sk: 'OPEN_BREAKERS' };

/**
 * The health record of a stored item for `url`; a record about another URL (or none, or an item that
 * holds only the subscription's version) is a fresh one.
 */
export function healthOf(item: Record<string, unknown> | undefined, url: string): EndpointHealth {
  if (item?.url === undefined || item.url !== url) {
    return {
      url,
      failures: 0,
      breaker: 'closed',
      slow: false,
      ...(item?.url !== undefined && { stale: true }),
    };
  }
  return {
    url,
    failures: Number(item.failures ?? 0),
    breaker: item.breaker === 'open' ? 'open' : 'closed',
    ...(typeof item.openUntil === 'number' && { openUntil: item.openUntil }),
    ...(typeof item.probeUntil === 'number' && { probeUntil: item.probeUntil }),
    ...(typeof item.failingSince === 'number' && { failingSince: item.failingSince }),
    slow: item.slow === true,
  };
}

/** Adds `delta` to the open-breaker count; the new count. */
async function countOpenBreakers(delta: 1 | -1): Promise<number> {
  const { Attributes } = await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: OPEN_BREAKERS_KEY,
      UpdateExpression: 'ADD #count :delta',
      ExpressionAttributeNames: { '#count': 'count' },
      ExpressionAttributeValues: { ':delta': delta },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Math.max(0, Number(Attributes?.count ?? 0));
}

export interface BreakerChange {
  /** The breaker opened (or closed) with this write. */
  transition?: 'opened' | 'closed';
  /** The open-breaker count after the transition. */
  openBreakers?: number;
  /** After a failure: when the endpoint's current run of failures began (epoch ms). */
  failingSince?: number;
}

/**
 * Records failed attempts (`failures` of them, one batch's): more consecutive failures; at `threshold` the breaker opens for
 * `cooldownMs`. A failed probe re-opens it. Conditional writes make each transition happen once however
 * many containers see the failures.
 */
export async function recordFailure(
  tenantId: string,
  subscriptionId: string,
  known: EndpointHealth,
  options: { threshold: number; cooldownMs: number; failures: number; slow: boolean; now: number },
): Promise<BreakerChange> {
  const key = healthKey(tenantId, subscriptionId);
  let attributes: Record<string, unknown> | undefined;
  try {
    ({ Attributes: attributes } = await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        // A record about an older URL starts over rather than adding to its count.
        UpdateExpression:
          'SET #url = :url, slow = :slow, failures = if_not_exists(failures, :zero) + :failures, lastFailureAt = :now, failingSince = if_not_exists(failingSince, :now)',
        ConditionExpression: 'attribute_not_exists(#url) OR #url = :url',
        ExpressionAttributeNames: { '#url': 'url' },
        ExpressionAttributeValues: {
          ':url': known.url,
          ':slow': options.slow,
          ':zero': 0,
          ':failures': options.failures,
          ':now': options.now,
        },
        ReturnValues: 'ALL_NEW',
      }),
    ));
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const { Attributes: previous } = await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression:
          'SET #url = :url, slow = :slow, failures = :failures, breaker = :closed, lastFailureAt = :now, failingSince = :now REMOVE openUntil, probeUntil',
        ExpressionAttributeNames: { '#url': 'url' },
        ExpressionAttributeValues: {
          ':url': known.url,
          ':slow': options.slow,
          ':failures': options.failures,
          ':closed': 'closed',
          ':now': options.now,
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    if (previous?.breaker === 'open') await countOpenBreakers(-1);
    attributes = { failures: options.failures, failingSince: options.now };
  }
  const failures = Number(attributes?.failures ?? 1);
  const wasOpen = attributes?.breaker === 'open';
  const failingSince = Number(attributes?.failingSince ?? options.now);
  if (!wasOpen && failures < options.threshold) return { failingSince };
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key,
        UpdateExpression: 'SET breaker = :open, openUntil = :until REMOVE probeUntil',
        ConditionExpression: wasOpen
          ? 'breaker = :open'
          : 'attribute_not_exists(breaker) OR breaker <> :open',
        ExpressionAttributeValues: { ':open': 'open', ':until': options.now + options.cooldownMs },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return { failingSince };
    throw error;
  }
  if (wasOpen) return { failingSince };
  return { transition: 'opened', openBreakers: await countOpenBreakers(1), failingSince };
}

/**
 * Records an answered attempt that says the endpoint works (or at least answers): failures reset, the
 * breaker closes, `slow` as measured. Writes only when that changes something.
 */
export async function recordRecovery(
  tenantId: string,
  subscriptionId: string,
  known: EndpointHealth,
  slow: boolean,
): Promise<BreakerChange> {
  if (!known.stale && known.failures === 0 && known.breaker === 'closed' && known.slow === slow) return {};
  const { Attributes } = await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: healthKey(tenantId, subscriptionId),
      UpdateExpression:
        'SET #url = :url, failures = :zero, breaker = :closed, slow = :slow REMOVE openUntil, probeUntil, failingSince',
      ExpressionAttributeNames: { '#url': 'url' },
      ExpressionAttributeValues: { ':url': known.url, ':zero': 0, ':closed': 'closed', ':slow': slow },
      ReturnValues: 'ALL_OLD',
    }),
  );
  if (Attributes?.breaker !== 'open') return {};
  return { transition: 'closed', openBreakers: await countOpenBreakers(-1) };
}

/** Marks the endpoint slow (no answer within the fast lane's budget) without counting a failure. */
export async function recordSlow(
  tenantId: string,
  subscriptionId: string,
  known: EndpointHealth,
): Promise<void> {
  if (known.stale) return void (await recordRecovery(tenantId, subscriptionId, known, true));
  if (known.slow) return;
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: healthKey(tenantId, subscriptionId),
      UpdateExpression: 'SET #url = :url, slow = :slow',
      ExpressionAttributeNames: { '#url': 'url' },
      ExpressionAttributeValues: { ':url': known.url, ':slow': true },
    }),
  );
}

/**
 * Counts a fast-lane batch that has waited on the endpoint longer than the fast lane's patience: the
 * number of such batches within the last `windowMs` (the fast lane's time limit, the longest any of
 * them can still be waiting), this one included. An old window is started afresh, so a count never
 * outlives the batches it counts. Only a POST that is slow writes: a healthy endpoint costs nothing.
 */
export async function countWaitingBatch(
  tenantId: string,
  subscriptionId: string,
  now: number,
  windowMs: number,
): Promise<number> {
  const key = healthKey(tenantId, subscriptionId);
  for (let round = 0; round < 2; round++) {
    try {
      const { Attributes } = await dynamo().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: key,
          UpdateExpression: 'ADD waitingBatches :one',
          ConditionExpression: 'waitingSince > :windowStart',
          ExpressionAttributeValues: { ':one': 1, ':windowStart': now - windowMs },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(Attributes?.waitingBatches ?? 1);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const startedWindow = await conditionHolds(
      dynamo().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: key,
          UpdateExpression: 'SET waitingBatches = :one, waitingSince = :now',
          ConditionExpression: 'attribute_not_exists(waitingSince) OR waitingSince <= :windowStart',
          ExpressionAttributeValues: { ':one': 1, ':now': now, ':windowStart': now - windowMs },
        }),
      ),
    );
    // Otherwise another batch started the window meanwhile: count in it.
    if (startedWindow) return 1;
  }
  return 2;
}

/**
 * Takes the lease of the half-open probe: true for the one caller that may dial, until `leaseUntil`.
 */
export async function claimProbe(
  tenantId: string,
  subscriptionId: string,
  now: number,
  leaseUntil: number,
): Promise<boolean> {
  return conditionHolds(
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: healthKey(tenantId, subscriptionId),
        UpdateExpression: 'SET probeUntil = :lease',
        ConditionExpression:
          'breaker = :open AND openUntil <= :now AND (attribute_not_exists(probeUntil) OR probeUntil <= :now)',
        ExpressionAttributeValues: { ':open': 'open', ':now': now, ':lease': leaseUntil },
      }),
    ),
  );
}

/**
 * Records that the subscription changed: a fresh version, so every container reads it anew before its
 * next attempt. Called after the subscription's own write (a container that reads the new version
 * then reads the new subscription).
 */
export async function touchSubscriptionVersion(tenantId: string, subscriptionId: string): Promise<void> {
  await dynamo().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: healthKey(tenantId, subscriptionId),
      UpdateExpression: 'SET version = :version',
      ExpressionAttributeValues: { ':version': randomUUID() },
    }),
  );
}

/** Forgets a subscription's health and version (it was deleted), keeping the open-breaker count right. */
export async function forgetHealth(tenantId: string, subscriptionId: string): Promise<void> {
  for (const key of [healthKey(tenantId, subscriptionId), legacyHealthKey(tenantId, subscriptionId)]) {
    const { Attributes } = await dynamo().send(
      new DeleteCommand({ TableName: tableName(), Key: key, ReturnValues: 'ALL_OLD' }),
    );
    if (Attributes?.breaker === 'open') await countOpenBreakers(-1);
  }
}
