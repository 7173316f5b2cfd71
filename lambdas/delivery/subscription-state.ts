/**
 * What a batch needs to know about the subscriptions its messages name: each subscription and its
 * endpoint health, read in one strongly consistent BatchGetItem per batch (both live in the
 * Subscriptions table). Read per batch rather than cached per container, a change made through the API
 * (a rotated secret, a new URL, a disabled or deleted subscription) applies to every attempt that starts
 * after the API call returned; the cost is one read unit per distinct subscription per batch.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../shared/aws';
import { healthKey, healthOf, type EndpointHealth } from '../shared/endpoint-health';
import { fromItem, subscriptionKey, type Subscription } from '../shared/subscriptions';

export interface SubscriptionState {
  subscription: Subscription;
  health: EndpointHealth;
}

/** BatchGetItem takes at most 100 keys. */
const MAX_KEYS = 100;
const UNPROCESSED_RETRIES = 5;

export const stateKey = (tenantId: string, subscriptionId: string) => `${tenantId}/${subscriptionId}`;

/**
 * The state of each named subscription by `stateKey`; a deleted subscription has no entry. Throws when
 * DynamoDB cannot answer (the records then fail and come back).
 */
export async function loadSubscriptionStates(
  wanted: readonly { tenantId: string; subscriptionId: string }[],
): Promise<Map<string, SubscriptionState>> {
  const unique = new Map(wanted.map((entry) => [stateKey(entry.tenantId, entry.subscriptionId), entry]));
  const keys = [...unique.values()].flatMap(({ tenantId, subscriptionId }) => [
    subscriptionKey(tenantId, subscriptionId),
    healthKey(tenantId, subscriptionId),
  ]);
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
      for (const item of result.Responses?.[tableName] ?? []) items.set(`${item.pk}|${item.sk}`, item);
      pending = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
  }
  const states = new Map<string, SubscriptionState>();
  for (const [key, { tenantId, subscriptionId }] of unique) {
    const sub = subscriptionKey(tenantId, subscriptionId);
    const item = items.get(`${sub.pk}|${sub.sk}`);
    if (!item) continue;
    const subscription = fromItem(item);
    const health = healthKey(tenantId, subscriptionId);
    states.set(key, {
      subscription,
      health: healthOf(items.get(`${health.pk}|${health.sk}`), subscription.url),
    });
  }
  return states;
}
