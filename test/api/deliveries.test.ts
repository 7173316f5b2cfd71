import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { sqs } from '../../lambdas/shared/aws';
import type { EventType } from '../../lambdas/shared/catalog';
import { getDelivery, recordAttempts, type DeliveryStatus } from '../../lambdas/shared/deliveries';
import { envelopeFor, type DeliveryRequest } from '../../lambdas/shared/events';
import { samplePayload } from '../../lambdas/api/samples';
import { useEmulators } from '../support/emulators';
import { call, useDeliveryQueues, validWebhook } from './support';

function deliveryRequest(
  tenantId: string,
  subscriptionId: string,
  deliveryId: string,
  eventType: EventType,
): DeliveryRequest {
  return {
    deliveryId,
    tenantId,
    subscriptionIds: [subscriptionId],
    eventType,
    payload: samplePayload(eventType, { id: `evt_${deliveryId}` }),
  };
}

/** Seeds a delivery with its attempts as the delivery engine records them; minute `n` orders them. */
async function seedDelivery(
  request: DeliveryRequest,
  minute: number,
  attempts: { statusCode?: number; error?: string; responseBody?: string }[],
  status: DeliveryStatus,
): Promise<void> {
  for (const [index, attempt] of attempts.entries()) {
    const at = new Date(Date.UTC(2025, 0, 1, 0, minute, index)).toISOString();
    await recordAttempts(
      request,
      `m-${request.deliveryId}:${index + 1}`,
      [
        {
          subscriptionId: request.subscriptionIds[0]!,
          attempt: { at, durationMs: 12, ...attempt },
          status: index === attempts.length - 1 ? status : 'pending',
        },
      ],
      86_400,
      at,
    );
  }
}

describe('delivery logs and retry', () => {
  let emulators: Awaited<ReturnType<typeof useEmulators>>;
  let queues: Awaited<ReturnType<typeof useDeliveryQueues>>;
  let webhookId: string;
  const tenantId = 'tn_logs';

  beforeAll(async () => {
    emulators = await useEmulators();
    queues = await useDeliveryQueues();
    const created = await call('POST', '/v1/webhooks', {
      tenantId,
      body: validWebhook({ events: ['EMAIL_OPEN', 'EMAIL_FAILED'] }),
    });
    webhookId = created.body.id;
    await seedDelivery(
      deliveryRequest(tenantId, webhookId, 'msg_1', 'EMAIL_OPEN'),
      1,
      [{ statusCode: 200, responseBody: 'ok' }],
      'succeeded',
    );
    await seedDelivery(
      deliveryRequest(tenantId, webhookId, 'msg_2', 'EMAIL_FAILED'),
      2,
      [
        { statusCode: 500, responseBody: 'boom' },
        { error: 'timeout after 10000 ms' },
        { statusCode: 503 },
        { statusCode: 502 },
      ],
      'failed',
    );
    await seedDelivery(
      deliveryRequest(tenantId, webhookId, 'msg_3', 'EMAIL_OPEN'),
      3,
      [{ statusCode: 500 }],
      'pending',
    );
    await seedDelivery(
      deliveryRequest(tenantId, webhookId, 'msg_4', 'EMAIL_FAILED'),
      4,
      [{ statusCode: 204 }],
      'succeeded',
    );
    // The tenant's other webhook shares the log table's partition; its deliveries are not listed here.
    await seedDelivery(
      deliveryRequest(tenantId, 'wh_other', 'msg_5', 'EMAIL_OPEN'),
      5,
      [{ statusCode: 200 }],
      'succeeded',
    );
  });
  afterAll(() => emulators.stop());

  it('lists deliveries newest first with every attempt', async () => {
    const answer = await call('GET', `/v1/webhooks/${webhookId}/logs`, { tenantId });
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((d: { deliveryId: string }) => d.deliveryId)).toEqual([
      'msg_4',
      'msg_3',
      'msg_2',
      'msg_1',
    ]);
    expect(answer.body.nextCursor).toBeUndefined();
    const failed = answer.body.items[2];
    expect(failed).toEqual({
      deliveryId: 'msg_2',
      eventType: 'EMAIL_FAILED',
      status: 'failed',
      event: expect.objectContaining({ eventType: 'EMAIL_FAILED', channel: 'EMAIL', id: 'evt_msg_2' }),
      attempts: [
        { at: '2025-01-01T00:02:00.000Z', statusCode: 500, durationMs: 12, responseBody: 'boom' },
        { at: '2025-01-01T00:02:01.000Z', durationMs: 12, error: 'timeout after 10000 ms' },
        { at: '2025-01-01T00:02:02.000Z', statusCode: 503, durationMs: 12 },
        { at: '2025-01-01T00:02:03.000Z', statusCode: 502, durationMs: 12 },
      ],
      createdAt: '2025-01-01T00:02:00.000Z',
      updatedAt: '2025-01-01T00:02:03.000Z',
    });
  });

  it('pages with limit and cursor', async () => {
    const first = await call('GET', `/v1/webhooks/${webhookId}/logs`, { tenantId, query: { limit: '3' } });
    expect(first.body.items.map((d: { deliveryId: string }) => d.deliveryId)).toEqual([
      'msg_4',
      'msg_3',
      'msg_2',
    ]);
    const second = await call('GET', `/v1/webhooks/${webhookId}/logs`, {
      tenantId,
      query: { limit: '3', cursor: first.body.nextCursor },
    });
    expect(second.body.items.map((d: { deliveryId: string }) => d.deliveryId)).toEqual(['msg_1']);
  });

  it('filters by status and event type', async () => {
    const succeeded = await call('GET', `/v1/webhooks/${webhookId}/logs`, {
      tenantId,
      query: { status: 'succeeded' },
    });
    expect(succeeded.body.items.map((d: { deliveryId: string }) => d.deliveryId)).toEqual(['msg_4', 'msg_1']);
    const failedEmails = await call('GET', `/v1/webhooks/${webhookId}/logs`, {
      tenantId,
      query: { eventType: 'EMAIL_FAILED', status: 'failed' },
    });
    expect(failedEmails.body.items.map((d: { deliveryId: string }) => d.deliveryId)).toEqual(['msg_2']);
  });

  it.each([
    [{ status: 'lost' }, 'status'],
    [{ eventType: 'EMAIL_BOUNCE' }, 'eventType'],
    [{ limit: '500' }, 'limit'],
  ])('refuses query %j naming %s', async (query, field) => {
    const answer = await call('GET', `/v1/webhooks/${webhookId}/logs`, { tenantId, query });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toMatch(new RegExp(`^${field}: `));
  });

  it('answers 404 for the logs of an unknown webhook', async () => {
    expect((await call('GET', '/v1/webhooks/wh_nope/logs', { tenantId })).status).toBe(404);
  });

  it('re-queues a finished delivery to its status queue and marks it pending', async () => {
    const answer = await call('POST', `/v1/webhooks/${webhookId}/deliveries/msg_2/retry`, { tenantId });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ deliveryId: 'msg_2', status: 'pending' });

    const { Messages } = await sqs().send(
      new ReceiveMessageCommand({ QueueUrl: queues.FAILED, WaitTimeSeconds: 1 }),
    );
    expect(Messages).toHaveLength(1);
    const envelope = JSON.parse(Messages![0]!.Body!);
    const record = await getDelivery(tenantId, webhookId, 'msg_2');
    expect(envelope).toEqual({
      ...envelopeFor(deliveryRequest(tenantId, webhookId, 'msg_2', 'EMAIL_FAILED')),
      time: expect.any(String),
    });
    expect(envelope['detail-type']).toBe('FAILED');
    expect(record?.status).toBe('pending');
    expect(record?.attempts).toHaveLength(4);
  });

  it('answers 409 for a delivery that is still pending', async () => {
    const answer = await call('POST', `/v1/webhooks/${webhookId}/deliveries/msg_3/retry`, { tenantId });
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe('delivery_pending');
  });

  it('answers 404 for an unknown delivery', async () => {
    const answer = await call('POST', `/v1/webhooks/${webhookId}/deliveries/msg_none/retry`, { tenantId });
    expect(answer.status).toBe(404);
  });

  it('answers 503, and changes nothing, when the queue cannot be reached', async () => {
    const saved = process.env.DELIVERY_QUEUE_URLS!;
    process.env.DELIVERY_QUEUE_URLS = JSON.stringify({ ...queues, OPEN: `${queues.OPEN}-missing` });
    try {
      const answer = await call('POST', `/v1/webhooks/${webhookId}/deliveries/msg_1/retry`, { tenantId });
      expect(answer.status).toBe(503);
      expect(answer.body.error.code).toBe('unavailable');
      expect((await getDelivery(tenantId, webhookId, 'msg_1'))?.status).toBe('succeeded');
    } finally {
      process.env.DELIVERY_QUEUE_URLS = saved;
    }
  });
});
