import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../lambdas/shared/aws';
import { hourOf, readStats, recordStats } from '../../lambdas/shared/delivery-stats';
import { useEmulators } from '../support/emulators';
import { call, useDeliveryQueues, validWebhook } from './support';

const HOUR = 3_600_000;

describe('delivery counters and GET /v1/webhooks/{id}/stats', () => {
  let emulators: Awaited<ReturnType<typeof useEmulators>>;
  beforeAll(async () => {
    emulators = await useEmulators();
    await useDeliveryQueues();
    process.env.ALLOW_PRIVATE_TARGETS = 'true';
  });
  afterAll(async () => {
    delete process.env.ALLOW_PRIVATE_TARGETS;
    await emulators.stop();
  });

  it("writes a batch's outcomes once per tenant and hour, whatever the number of subscriptions", async () => {
    const at = Date.parse('2026-03-01T10:15:00Z');
    const iso = (ms: number) => new Date(ms).toISOString();
    const writes = await recordStats(
      [
        { tenantId: 'tn_batch', subscriptionId: 'wh_a', status: 'succeeded', at: iso(at) },
        { tenantId: 'tn_batch', subscriptionId: 'wh_a', status: 'succeeded', at: iso(at + 60_000) },
        { tenantId: 'tn_batch', subscriptionId: 'wh_b', status: 'pending', at: iso(at) },
        { tenantId: 'tn_batch', subscriptionId: 'wh_b', status: 'failed', at: iso(at) },
        { tenantId: 'tn_batch', subscriptionId: 'wh_b', status: 'skipped', at: iso(at) },
        { tenantId: 'tn_batch', subscriptionId: 'wh_a', status: 'succeeded', at: iso(at + HOUR) },
      ],
      86_400,
    );
    expect(writes).toBe(2); // 10:00 and 11:00
    const { Items } = await dynamo().send(
      new QueryCommand({
        TableName: process.env.DELIVERIES_TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'STATS#tn_batch' },
      }),
    );
    expect(Items).toEqual([
      expect.objectContaining({
        sk: '2026-03-01T10',
        'succeeded#wh_a': 2,
        'retried#wh_b': 1,
        'failed#wh_b': 1,
      }),
      expect.objectContaining({ sk: '2026-03-01T11', 'succeeded#wh_a': 1 }),
    ]);
    const buckets = await readStats('tn_batch', 'wh_b', {
      since: at - HOUR,
      until: Date.parse('2026-03-01T12:00:00Z'),
      bucketHours: 1,
    });
    expect(buckets).toEqual([
      { start: '2026-03-01T09:00:00.000Z', succeeded: 0, failed: 0, retried: 0 },
      { start: '2026-03-01T10:00:00.000Z', succeeded: 0, failed: 1, retried: 1 },
      { start: '2026-03-01T11:00:00.000Z', succeeded: 0, failed: 0, retried: 0 },
    ]);
    expect(hourOf(at)).toBe('2026-03-01T10');
  });

  it("answers every bucket of the range with totals and the success rate, for the tenant's own webhook only", async () => {
    const created = await call('POST', '/v1/webhooks', {
      body: validWebhook({ url: 'http://127.0.0.1:1/down' }),
    });
    const id = created.body.id as string;
    await call('POST', `/v1/webhooks/${id}/test`); // refused connection: one failed delivery
    const now = Date.now();
    await recordStats(
      [{ tenantId: 'tn_default', subscriptionId: id, status: 'succeeded', at: new Date(now).toISOString() }],
      86_400,
    );
    const stats = await call('GET', `/v1/webhooks/${id}/stats`);
    expect(stats.status).toBe(200);
    expect(stats.body.bucket).toBe('hour');
    expect(stats.body.buckets.length).toBeGreaterThanOrEqual(24);
    expect(stats.body.totals).toEqual({ succeeded: 1, failed: 1, retried: 0 });
    expect(stats.body.successRate).toBe(0.5);

    const daily = await call('GET', `/v1/webhooks/${id}/stats`, {
      query: { since: new Date(now - 7 * 86_400_000).toISOString(), bucket: 'day' },
    });
    expect(daily.body.buckets.length).toBeGreaterThanOrEqual(7);
    expect(daily.body.buckets.length).toBeLessThanOrEqual(8);

    const inverted = await call('GET', `/v1/webhooks/${id}/stats`, {
      query: { since: new Date(now).toISOString(), until: new Date(now - HOUR).toISOString() },
    });
    expect(inverted.status).toBe(400);
    expect(inverted.body.error.details.problems[0].field).toBe('since');
    const tooLong = await call('GET', `/v1/webhooks/${id}/stats`, {
      query: { since: new Date(now - 60 * 86_400_000).toISOString() },
    });
    expect(tooLong.status).toBe(400);
    expect((await call('GET', `/v1/webhooks/${id}/stats`, { tenantId: 'tn_other' })).status).toBe(404);
  });

  it('filters the delivery log by time range', async () => {
    const created = await call('POST', '/v1/webhooks', {
      body: validWebhook({ url: 'http://127.0.0.1:1/down' }),
    });
    const id = created.body.id as string;
    const before = new Date(Date.now() - 1000).toISOString();
    const test = await call('POST', `/v1/webhooks/${id}/test`);
    const after = new Date(Date.now() + 1000).toISOString();
    const inRange = await call('GET', `/v1/webhooks/${id}/logs`, { query: { since: before, until: after } });
    expect(inRange.body.items.map((item: { deliveryId: string }) => item.deliveryId)).toEqual([
      test.body.deliveryId,
    ]);
    const earlier = await call('GET', `/v1/webhooks/${id}/logs`, { query: { until: before } });
    expect(earlier.body.items).toEqual([]);
    const later = await call('GET', `/v1/webhooks/${id}/logs`, { query: { since: after } });
    expect(later.body.items).toEqual([]);
    const detail = await call('GET', `/v1/webhooks/${id}/deliveries/${test.body.deliveryId}`);
    expect(detail.body.request.headers).toMatchObject({
      'webhook-id': test.body.deliveryId,
      'webhook-signature': 'v1,<signature per secret>',
      'x-webhook-signature': 'sha256=<signature>',
      'content-type': 'application/json',
    });
    expect(JSON.stringify(detail.body)).not.toContain(created.body.secret);
  });
});
