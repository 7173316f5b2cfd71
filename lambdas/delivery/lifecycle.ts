/**
 * What the delivery function changes in a subscription's lifecycle besides posting (docs/lifecycle.md):
 * it disables a subscription whose endpoint has failed without a break for `DISABLE_AFTER_FAILING_SECONDS`,
 * and counts the deliveries it parks for a disabled one into the tenant's activity feed, aggregated per
 * batch and subscription (one write, not one per delivery), with a `Deliveries Parked` event when the
 * disabled period's count reaches 1, 10, 100, ….
 */
import type { BreakerChange } from '../shared/endpoint-health';
import { logger } from '../shared/logger';
import { OPERATIONAL_DETAIL_TYPES, recordParked, type OperationalEvent } from '../shared/operations';
import { disableSubscription, type Subscription } from '../shared/subscriptions';

/** The reason recorded when the system disables a subscription whose endpoint keeps failing. */
export function failingReason(windowSeconds: number): string {
  const days = windowSeconds / 86_400;
  const span = Number.isInteger(days)
    ? `${days} day${days === 1 ? '' : 's'}`
    : `${windowSeconds} second${windowSeconds === 1 ? '' : 's'}`;
  return `the endpoint failed every attempt for ${span}`;
}

/**
 * After a failure: when the endpoint's run of failures (`change.failingSince`) is at least the window
 * long, disables the subscription (once, however many containers see it) and returns the event.
 */
export async function disableIfFailingTooLong(
  subscription: Subscription,
  change: BreakerChange | undefined,
  windowSeconds: number,
  now: number = Date.now(),
): Promise<OperationalEvent | undefined> {
  if (!windowSeconds || change?.failingSince === undefined) return undefined;
  if (now - change.failingSince < windowSeconds * 1000) return undefined;
  const reason = failingReason(windowSeconds);
  const disabledAt = new Date(now).toISOString();
  try {
    if (!(await disableSubscription(subscription.tenantId, subscription.id, reason, disabledAt))) return;
  } catch (error) {
    logger.warn('could not disable a subscription whose endpoint keeps failing', {
      subscriptionId: subscription.id,
      error: error as Error,
    });
    return undefined;
  }
  return {
    detailType: OPERATIONAL_DETAIL_TYPES.subscriptionDisabled,
    detail: {
      tenantId: subscription.tenantId,
      subscriptionId: subscription.id,
      reason,
      disabledAt,
      by: 'system',
    },
  };
}

/** A batch's newly parked deliveries, by subscription. */
export class ParkedTally {
  private readonly counts = new Map<string, { subscription: Subscription; count: number }>();

  add(subscription: Subscription, count = 1): void {
    const key = `${subscription.tenantId}/${subscription.id}`;
    const entry = this.counts.get(key) ?? { subscription, count: 0 };
    entry.count += count;
    this.counts.set(key, entry);
  }

  /** Records the counts in the activity feeds; the `Deliveries Parked` events due. Never throws. */
  async flush(ttlSeconds: number): Promise<OperationalEvent[]> {
    const events = await Promise.all(
      [...this.counts.values()].map(({ subscription, count }) =>
        recordParked(
          { tenantId: subscription.tenantId, subscriptionId: subscription.id },
          // Items from before `disabledAt` existed: one period for all their parking.
          subscription.disabledAt ?? subscription.updatedAt,
          count,
          ttlSeconds,
        ),
      ),
    );
    return events.filter((event) => event !== undefined);
  }
}
