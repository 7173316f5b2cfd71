/**
 * End to end, retries on the queue with RETRY_SCHEDULE=1,2,3: attempts recorded in `/logs`, the move to
 * the dead-letter queue after the last attempt, and the operator's redrive bringing it back.
 */
import { redrive } from '../../scripts/redrive';
import {
  deadLetterCount,
  eventually,
  genericIntegration,
  postGeneric,
  startE2E,
  type E2E,
} from './support/harness';

let e2e: E2E;
let inboundUrl: string;

beforeAll(async () => {
  e2e = await startE2E({ retrySchedule: [1, 2, 3] });
  inboundUrl = await genericIntegration(e2e);
});

afterAll(async () => {
  await e2e?.stop();
});

async function subscribe(path: string): Promise<string> {
  const created = await e2e.call('POST', '/v1/webhooks', {
    url: `${e2e.receiver.url}${path}`,
    events: ['PUSH_FAILED'],
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

/** The subscription's only delivery once its status is `status`. */
async function deliveryWithStatus(subscriptionId: string, status: string, timeoutMs = 30_000) {
  return eventually(
    `a ${status} delivery`,
    async () => {
      const logs = await e2e.call('GET', `/v1/webhooks/${subscriptionId}/logs`);
      const [delivery] = logs.body.items as { status: string; attempts: { statusCode?: number }[] }[];
      return delivery?.status === status ? delivery : undefined;
    },
    timeoutMs,
  );
}

it('retries a receiver that fails twice, succeeding on the third attempt', async () => {
  const subscriptionId = await subscribe('/flaky');
  e2e.receiver.script('/flaky', 500, 503, 200);

  await postGeneric(inboundUrl, { id: 'flaky-1', status: 'FAILED', channel: 'PUSH', trackingId: 'flaky' });

  const delivery = await deliveryWithStatus(subscriptionId, 'succeeded');
  expect(delivery.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 503, 200]);
  const received = e2e.receiver.received('/flaky');
  expect(received).toHaveLength(3);
  expect(new Set(received.map((request) => request.headers['webhook-id'])).size).toBe(1);
});

it('gives up after four attempts, leaves the message in the dead-letter queue, and redrive delivers it', async () => {
  const subscriptionId = await subscribe('/down');
  e2e.receiver.script('/down', 500);

  await postGeneric(inboundUrl, { id: 'down-1', status: 'FAILED', channel: 'PUSH', trackingId: 'down' });

  const failed = await deliveryWithStatus(subscriptionId, 'failed');
  expect(failed.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 500, 500, 500]);
  await eventually('the message in the dead-letter queue', async () =>
    (await deadLetterCount(e2e, 'FAILED')) === 1 ? true : undefined,
  );
  expect(e2e.receiver.received('/down')).toHaveLength(4);

  e2e.receiver.script('/down', 200);
  const { DELIVERY_QUEUE_URLS, DEAD_LETTER_QUEUE_URLS } = e2e.local.operatorEnv;
  const moved = await redrive(
    (JSON.parse(DEAD_LETTER_QUEUE_URLS!) as Record<string, string>).FAILED!,
    (JSON.parse(DELIVERY_QUEUE_URLS!) as Record<string, string>).FAILED!,
    10,
  );

  expect(moved).toEqual({ moved: 1, failed: 0 });
  const redelivered = await deliveryWithStatus(subscriptionId, 'succeeded');
  expect(redelivered.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 500, 500, 500, 200]);
  expect(await deadLetterCount(e2e, 'FAILED')).toBe(0);
});
