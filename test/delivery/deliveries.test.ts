import { getDelivery, recordAttempt } from '../../lambdas/shared/deliveries';
import type { DeliveryRequest } from '../../lambdas/shared/events';
import { useEmulators } from '../support/emulators';

let emulators: Awaited<ReturnType<typeof useEmulators>>;
beforeAll(async () => {
  emulators = await useEmulators();
});
afterAll(() => emulators.stop());

const request: DeliveryRequest = {
  deliveryId: 'msg_1',
  tenantId: 'tn_1',
  subscriptionId: 'sub_1',
  eventType: 'EMAIL_OPEN',
  payload: {
    eventType: 'OPEN',
    trackingId: 'trk_1',
    notificationId: null,
    channel: 'EMAIL',
    userId: null,
    id: 'evt_1',
    occurredAt: '2025-01-01T00:00:00.000Z',
    provider: 'sendgrid',
  },
};

test('records attempts once per attempt key', async () => {
  const first = { attemptKey: 'm1:1', at: '2025-01-01T00:00:01.000Z', statusCode: 500, durationMs: 5 };
  expect(await recordAttempt(request, first, 'pending', 86400)).toBe(true);
  expect(await recordAttempt(request, first, 'pending', 86400)).toBe(false);
  const second = { attemptKey: 'm1:2', at: '2025-01-01T00:01:01.000Z', statusCode: 200, durationMs: 5 };
  expect(await recordAttempt(request, second, 'succeeded', 86400)).toBe(true);
  const record = await getDelivery('sub_1', 'msg_1');
  expect(record).toMatchObject({
    status: 'succeeded',
    createdAt: first.at,
    updatedAt: second.at,
    attempts: [first, second],
    expiresAt: Math.floor(Date.parse(second.at) / 1000) + 86400,
  });
  expect(record).not.toHaveProperty('attemptKeys');
});
