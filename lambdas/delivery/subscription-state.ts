/**
 * What a batch needs to know about the subscriptions its messages name: each subscription and its
 * endpoint health. Every batch reads each subscription's state item (health + version, on a partition
 * key of its own: endpoint-health.ts) in one strongly consistent BatchGetItem, so the per-batch reads
 * never land on the tenant's partition key, however busy the tenant. The subscription itself comes
 * from this container's cache when the version it was read at is still the stored one; otherwise (a
 * change, a cold container, a state item not yet written) it is read consistently from the tenant's key
 * in a second BatchGetItem, after the version. So a change made through the API (a rotated secret, a new
 * URL, a disabled or deleted subscription), which writes a fresh version after the subscription, applies
 * to every attempt that starts after the API call returned.
 *
 * A subscription whose state item has no version yet (new; or written before this layout, whose health
 * item still sits under the tenant's key) is read from the tenant's key, and its state item gets a
 * version there and then, with the old health item's fields copied: the lazy migration. A deleted
 * subscription has neither item and is read (and found missing) each time.
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../shared/aws';
import {
  HEALTH_FIELDS,
  healthKey,
  healthOf,
  legacyHealthKey,
  type EndpointHealth,
} from '../shared/endpoint-health';
import { logger } from '../shared/logger';
import { fromItem, subscriptionKey, type Subscription } from '../shared/subscriptions';

export interface SubscriptionState {
  subscription: Subscription;
  health: EndpointHealth;
}

/** BatchGetItem takes at most 100 keys. */
const MAX_KEYS = 100;
const UNPROCESSED_RETRIES = 5;
/** Subscriptions this container remembers, with the version they were read at. */
const CACHE_LIMIT = 5_000;
const cache = new Map<string, { version: string; subscription: Subscription }>();

export const stateKey = (tenantId: string, subscriptionId: string) => `${tenantId}/${subscriptionId}`;

type Key = { pk: string; sk: string };
const itemId = (key: Key) => `${key.pk}|${key.sk}`;

/** Consistent reads of `keys`, by `pk|sk`. Throws when DynamoDB cannot answer. */
async function readItems(keys: readonly Key[]): Promise<Map<string, Record<string, unknown>>> {
  const items = new Map<string, Record<string, unknown>>();
  const tableName = process.env.SUBSCRIPTIONS_TABLE!;
  for (let i = 0; i < keys.length; i += MAX_KEYS) {
    let pending: Record<string, unknown>[] = keys.slice(i, i + MAX_KEYS);
    for (let round = 0; pending.length > 0; round++) {
      if (round > UNPROCESSED_RETRIES) throw new Error('subscriptions could not be read (throttled)');
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** round));
      const result = await dynamo().send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      for (const item of result.Responses?.[tableName] ?? []) items.set(itemId(item as Key), item);
      pending = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  return items;
}

/**
 * Gives a subscription's state item a version (creating the item, from the old health item if there
 * is one). Not remembered with the subscription read before it: the next batch reads the version first,
 * then the subscription, which keeps the cache right even if the subscription changed meanwhile.
 */
async function addVersion(
  tenantId: string,
  subscriptionId: string,
  legacy: Record<string, unknown> | undefined,
): Promise<void> {
  const copied = HEALTH_FIELDS.filter((field) => legacy?.[field] !== undefined);
  try {
    await dynamo().send(
      new UpdateCommand({
        TableName: process.env.SUBSCRIPTIONS_TABLE!,
        Key: healthKey(tenantId, subscriptionId),
        UpdateExpression: `SET ${['version = :version', ...copied.map((f) => `#${f} = if_not_exists(#${f}, :${f})`)].join(', ')}`,
        ConditionExpression: 'attribute_not_exists(version)',
        ...(copied.length > 0 && {
          ExpressionAttributeNames: Object.fromEntries(copied.map((f) => [`#${f}`, f])),
        }),
        ExpressionAttributeValues: {
          ':version': randomUUID(),
          ...Object.fromEntries(copied.map((f) => [`:${f}`, legacy![f]])),
        },
      }),
    );
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return;
    logger.warn('could not version a subscription’s state item', { subscriptionId, error: error as Error });
  }
}

/**
 * The state of each named subscription by `stateKey`; a deleted subscription has no entry. Throws when
 * DynamoDB cannot answer (the records then fail and come back).
 */
export async function loadSubscriptionStates(
  wanted: readonly { tenantId: string; subscriptionId: string }[],
): Promise<Map<string, SubscriptionState>> {
  const unique = new Map(wanted.map((entry) => [stateKey(entry.tenantId, entry.subscriptionId), entry]));
  const stateItems = await readItems(
    [...unique.values()].map(({ tenantId, subscriptionId }) => healthKey(tenantId, subscriptionId)),
  );

  const states = new Map<string, SubscriptionState>();
  const toRead: { key: string; tenantId: string; subscriptionId: string; state?: Record<string, unknown> }[] =
    [];
  for (const [key, { tenantId, subscriptionId }] of unique) {
    const state = stateItems.get(itemId(healthKey(tenantId, subscriptionId)));
    const cached = cache.get(key);
    if (state && typeof state.version === 'string' && cached?.version === state.version) {
      remember(key, cached.version, cached.subscription);
      states.set(key, {
        subscription: cached.subscription,
        health: healthOf(state, cached.subscription.url),
      });
    } else {
      toRead.push({ key, tenantId, subscriptionId, state });
    }
  }
  if (toRead.length === 0) return states;

  const items = await readItems(
    toRead.flatMap(({ tenantId, subscriptionId, state }) => [
      subscriptionKey(tenantId, subscriptionId),
      ...(state ? [] : [legacyHealthKey(tenantId, subscriptionId)]),
    ]),
  );
  const versioning: Promise<void>[] = [];
  for (const { key, tenantId, subscriptionId, state } of toRead) {
    const item = items.get(itemId(subscriptionKey(tenantId, subscriptionId)));
    if (!item) {
      cache.delete(key);
      continue;
    }
    const subscription = fromItem(item);
    const legacy = state ? undefined : items.get(itemId(legacyHealthKey(tenantId, subscriptionId)));
    states.set(key, { subscription, health: healthOf(state ?? legacy, subscription.url) });
    if (typeof state?.version === 'string') remember(key, state.version, subscription);
    else versioning.push(addVersion(tenantId, subscriptionId, legacy));
  }
  await Promise.all(versioning);
  return states;
}

function remember(key: string, version: string, subscription: Subscription): void {
  cache.delete(key);
  cache.set(key, { version, subscription });
  // Oldest first: drop the one used longest ago.
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value!);
}

/** Forgets every cached subscription (tests only). */
export function clearSubscriptionCache(): void {
  cache.clear();
}
