import { disableIfFailingTooLong, failingReason } from '../../lambdas/delivery/lifecycle';
import type { Subscription } from '../../lambdas/shared/subscriptions';
import { crossesPowerOfTen } from '../../lambdas/shared/operations';

const subscription = { id: 'wh_1', tenantId: 'tn_1', status: 'active' } as Subscription;

describe('disabling after continuous failure', () => {
  it('names the window in the reason', () => {
    expect(failingReason(432_000)).toBe('the endpoint failed every attempt for 5 days');
    expect(failingReason(86_400)).toBe('the endpoint failed every attempt for 1 day');
    expect(failingReason(1)).toBe('the endpoint failed every attempt for 1 second');
    expect(failingReason(90)).toBe('the endpoint failed every attempt for 90 seconds');
  });

  it('never disables with a window of 0, nor before the window has passed, nor without a failure', async () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    const longAgo = { failingSince: now - 30 * 86_400_000 };
    expect(await disableIfFailingTooLong(subscription, longAgo, 0, now)).toBeUndefined();
    expect(
      await disableIfFailingTooLong(subscription, { failingSince: now - 4 * 86_400_000 }, 432_000, now),
    ).toBeUndefined();
    expect(await disableIfFailingTooLong(subscription, undefined, 432_000, now)).toBeUndefined();
    expect(await disableIfFailingTooLong(subscription, {}, 432_000, now)).toBeUndefined();
  });
});

describe('parked counts on the bus', () => {
  it('emit when the count reaches 1, 10, 100, …', () => {
    expect(crossesPowerOfTen(0, 1)).toBe(true);
    expect(crossesPowerOfTen(0, 12)).toBe(true);
    expect(crossesPowerOfTen(1, 9)).toBe(false);
    expect(crossesPowerOfTen(9, 10)).toBe(true);
    expect(crossesPowerOfTen(10, 99)).toBe(false);
    expect(crossesPowerOfTen(95, 105)).toBe(true);
    expect(crossesPowerOfTen(999_999, 1_000_000)).toBe(true);
    expect(crossesPowerOfTen(5, 5)).toBe(false);
  });
});
