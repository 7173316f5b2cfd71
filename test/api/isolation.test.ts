import { getDelivery, recordAttempts } from '../../lambdas/shared/deliveries';
import { getSubscription } from '../../lambdas/shared/subscriptions';
import { samplePayload } from '../../lambdas/api/samples';
import { useEmulators } from '../support/emulators';
import { call, useDeliveryQueues, validWebhook } from './support';

describe('tenant isolation', () => {
  let emulators: Awaited<ReturnType<typeof useEmulators>>;
  let webhookOfA: string;
  const A = 'tn_alice';
  const B = 'tn_bob';

  beforeAll(async () => {
    emulators = await useEmulators();
    await useDeliveryQueues();
    webhookOfA = (await call('POST', '/v1/webhooks', { tenantId: A, body: validWebhook() })).body.id;
    await recordAttempts(
      {
        deliveryId: 'msg_a1',
        tenantId: A,
        subscriptionIds: [webhookOfA],
        eventType: 'EMAIL_OPEN',
        payload: samplePayload('EMAIL_OPEN'),
      },
      'm1:1',
      [
        {
          subscriptionId: webhookOfA,
          attempt: { at: new Date().toISOString(), durationMs: 5, statusCode: 500 },
          status: 'failed',
        },
      ],
      3600,
    );
  });
  afterAll(() => emulators.stop());

  it.each([
    ['GET', ''],
    ['PUT', ''],
    ['DELETE', ''],
    ['POST', '/test'],
    ['POST', '/secret/rotate'],
    ['GET', '/logs'],
    ['POST', '/deliveries/msg_a1/retry'],
    ['GET', '/parked'],
    ['GET', '/activity'],
  ])("tenant B gets 404 for %s on tenant A's webhook%s", async (method, suffix) => {
    const body = method === 'PUT' ? { url: 'https://evil.example.com/' } : undefined;
    const answer = await call(method, `/v1/webhooks/${webhookOfA}${suffix}`, { tenantId: B, body });
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('not_found');
    expect(answer.body.error.message).not.toContain(A);
  });

  it("leaves tenant A's webhook and delivery untouched, and B's list empty", async () => {
    const stored = await getSubscription(A, webhookOfA);
    expect(stored?.url).toBe('https://hooks.example.com/events');
    expect(stored?.retiredSecrets).toEqual([]);
    expect((await getDelivery(A, webhookOfA, 'msg_a1'))?.status).toBe('failed');
    expect((await call('GET', '/v1/webhooks', { tenantId: B })).body.items).toEqual([]);
    expect((await call('GET', `/v1/webhooks/${webhookOfA}`, { tenantId: A })).status).toBe(200);
  });

  it("does not show a delivery of tenant A through a webhook id of tenant B's", async () => {
    const webhookOfB = (await call('POST', '/v1/webhooks', { tenantId: B, body: validWebhook() })).body.id;
    const retry = await call('POST', `/v1/webhooks/${webhookOfB}/deliveries/msg_a1/retry`, { tenantId: B });
    expect(retry.status).toBe(404);
  });
});
