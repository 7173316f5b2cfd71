import { getDelivery, getDeliveryLog, listDeliveries, recordAttempts } from '../../lambdas/shared/deliveries';
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
  subscriptionIds: ['sub_1', 'sub_2'],
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

test('records an attempt round once per attempt key, each subscription apart, in one item', async () => {
  const failed = { at: '2025-01-01T00:00:01.000Z', statusCode: 500, durationMs: 5 };
  const ok = { at: '2025-01-01T00:00:01.000Z', statusCode: 200, durationMs: 4 };
  const round1 = [
    { subscriptionId: 'sub_1', attempt: failed, status: 'pending' as const },
    { subscriptionId: 'sub_2', attempt: ok, status: 'succeeded' as const },
  ];
  expect(await recordAttempts(request, 'm1:1', round1, 86400, failed.at)).toBe(true);
  expect(await recordAttempts(request, 'm1:1', round1, 86400, failed.at)).toBe(false);
  const retried = { at: '2025-01-01T00:01:01.000Z', statusCode: 200, durationMs: 5 };
  expect(
    await recordAttempts(
      request,
      'm1:2',
      [{ subscriptionId: 'sub_1', attempt: retried, status: 'succeeded' }],
      86400,
      retried.at,
    ),
  ).toBe(true);

  expect(await getDelivery('tn_1', 'sub_1', 'msg_1')).toEqual({
    deliveryId: 'msg_1',
    tenantId: 'tn_1',
    subscriptionId: 'sub_1',
    eventType: 'EMAIL_OPEN',
    status: 'succeeded',
    payload: request.payload,
    createdAt: failed.at,
    updatedAt: retried.at,
    attempts: [
      { ...failed, attemptKey: 'm1:1' },
      { ...retried, attemptKey: 'm1:2' },
    ],
    expiresAt: Math.floor(Date.parse(retried.at) / 1000) + 86400,
  });
  expect(await getDelivery('tn_1', 'sub_2', 'msg_1')).toMatchObject({
    status: 'succeeded',
    attempts: [{ ...ok, attemptKey: 'm1:1' }],
  });
  // Not a subscription of this event, and not this tenant's event.
  expect(await getDelivery('tn_1', 'sub_3', 'msg_1')).toBeUndefined();
  expect(await getDelivery('tn_2', 'sub_1', 'msg_1')).toBeUndefined();
  const log = await getDeliveryLog('tn_1', 'msg_1');
  expect([...log!.attemptKeys].sort()).toEqual(['m1:1', 'm1:2']);
});

test("lists one subscription's deliveries newest first across the tenant's shared log, page by page", async () => {
  const at = '2025-01-02T00:00:00.000Z';
  const attempt = { at, statusCode: 200, durationMs: 1 };
  // 30 events; sub_a is on every third, sub_b on all.
  for (let n = 0; n < 30; n++) {
    const deliveryId = `msg_${String(n).padStart(2, '0')}`;
    const subscriptionIds = n % 3 === 0 ? ['sub_a', 'sub_b'] : ['sub_b'];
    await recordAttempts(
      { ...request, tenantId: 'tn_list', deliveryId, subscriptionIds },
      `m${n}:1`,
      subscriptionIds.map((subscriptionId) => ({ subscriptionId, attempt, status: 'succeeded' as const })),
      86400,
      at,
    );
  }
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listDeliveries('tn_list', 'sub_a', { limit: 4, cursor });
    expect(page.items.length).toBeLessThanOrEqual(4);
    seen.push(...page.items.map((item) => item.deliveryId));
    cursor = page.nextCursor;
  } while (cursor);
  expect(seen).toEqual([
    'msg_27',
    'msg_24',
    'msg_21',
    'msg_18',
    'msg_15',
    'msg_12',
    'msg_09',
    'msg_06',
    'msg_03',
    'msg_00',
  ]);
  const firstPage = await listDeliveries('tn_list', 'sub_a', { limit: 4 });
  expect(firstPage.items.map((item) => item.deliveryId)).toEqual(['msg_27', 'msg_24', 'msg_21', 'msg_18']);
  expect((await listDeliveries('tn_list', 'sub_b', { limit: 50 })).items).toHaveLength(30);
});
