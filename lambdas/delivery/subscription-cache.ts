import { getSubscription, type Subscription } from '../shared/subscriptions';

/**
 * How long a loaded subscription (or its absence) is reused. Short, because a change a tenant makes
 * (deactivation, new URL, secret rotation) reaches deliveries only after it.
 */
export const SUBSCRIPTION_CACHE_MS = 30_000;

const cache = new Map<string, { expiresAt: number; subscription: Promise<Subscription | undefined> }>();

/** `getSubscription` through a per-container cache; concurrent loads of one subscription share a read. */
export function cachedSubscription(
  tenantId: string,
  subscriptionId: string,
  now: number = Date.now(),
): Promise<Subscription | undefined> {
  const key = `${tenantId}/${subscriptionId}`;
  const hit = cache.get(key);
  if (hit && hit.expiresAt > now) return hit.subscription;
  const subscription = getSubscription(tenantId, subscriptionId);
  cache.set(key, { expiresAt: now + SUBSCRIPTION_CACHE_MS, subscription });
  subscription.catch(() => cache.delete(key));
  return subscription;
}

export function clearSubscriptionCache(): void {
  cache.clear();
}
