import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import { Webhook } from 'standardwebhooks';
import { sqs } from '../../lambdas/shared/aws';
import { redrive } from '../../scripts/redrive';
import { getDelivery, readParked } from '../../lambdas/shared/deliveries';
import { envelopeFor } from '../../lambdas/shared/events';
import { deleteSubscription, statusPatch, updateSubscription } from '../../lambdas/shared/subscriptions';
import {
  createQueues,
  createTestSubscription,
  deliveryRequestFor,
  drain,
  enqueue,
  pollOnce,
  receiveAll,
  type TestQueues,
} from './support/harness';
import { startReceiver, type Receiver } from './support/receiver';
import { useDeliverySuite, type Emulators } from './support/suite';

let emulators: Emulators;
let receiver: Receiver;
let queues: TestQueues;

useDeliverySuite(
  {
    RETRY_SCHEDULE: '0,0,0',
    ALLOW_PRIVATE_TARGETS: 'true',
    DELIVERY_TIMEOUT_MS: '300',
    DELIVERY_LOG_TTL_DAYS: '30',
    // The retry tests here fail the same endpoint more often than a breaker allows (see isolation.test.ts).
    BREAKER_FAILURE_THRESHOLD: '100',
  },
  (made) => ({ emulators, receiver, queues } = made),
);

test('500, 500, 200: three attempts recorded, one success, message gone', async () => {
  receiver.reply({ status: 500, body: 'boom' }, { status: 500, body: 'boom' }, { status: 200, body: 'ok' });
  const subscription = await createTestSubscription({ url: `${receiver.url}/hook` });
  const request = deliveryRequestFor(subscription);
  await enqueue(queues, request);

  const rounds = await drain(queues);

  expect(rounds.map((round) => round.response.batchItemFailures.length)).toEqual([1, 1, 0]);
  const record = await getDelivery(request.tenantId, subscription.id, request.deliveryId);
  expect(record).toMatchObject({
    status: 'succeeded',
    tenantId: subscription.tenantId,
    eventType: 'EMAIL_OPEN',
    payload: request.payload,
  });
  expect(record!.attempts.map((attempt) => [attempt.statusCode, attempt.responseBody])).toEqual([
    [500, 'boom'],
    [500, 'boom'],
    [200, 'ok'],
  ]);
  expect(record!.attempts.map((attempt) => attempt.attemptKey.split(':')[1])).toEqual(['1', '2', '3']);
  // The record expires the TTL after its latest attempt (each attempt refreshes it).
  expect(record!.expiresAt).toBe(Math.floor(Date.parse(record!.updatedAt) / 1000) + 30 * 86_400);
  // Every attempt carries the same webhook-id and a valid signature.
  expect(new Set(receiver.requests.map((r) => r.headers['webhook-id']))).toEqual(
    new Set([request.deliveryId]),
  );
  for (const received of receiver.requests) {
    expect(received.body).toBe(JSON.stringify(request.payload));
    expect(
      new Webhook(subscription.secret).verify(received.body, received.headers as Record<string, string>),
    ).toEqual(request.payload);
  }
  expect(await receiveAll(queues.dlqUrl)).toHaveLength(0);
});

test('an endpoint that always fails: four attempts, marked failed, message in the dead-letter queue', async () => {
  receiver.reply({ status: 500 });
  const subscription = await createTestSubscription({ url: receiver.url });
  const request = deliveryRequestFor(subscription);
  await enqueue(queues, request);

  const rounds = await drain(queues);

  expect(rounds).toHaveLength(4);
  expect(receiver.requests).toHaveLength(4);
  const record = await getDelivery(request.tenantId, subscription.id, request.deliveryId);
  expect(record!.status).toBe('failed');
  expect(record!.attempts).toHaveLength(4);
  const dead = await receiveAll(queues.dlqUrl);
  expect(dead).toHaveLength(1);
  expect(JSON.parse(dead[0]!.Body!).detail).toEqual(request);
});

test('a dead-lettered delivery redriven by the operator starts a fresh schedule', async () => {
  receiver.reply({ status: 500 });
  const subscription = await createTestSubscription({ url: receiver.url });
  const request = deliveryRequestFor(subscription);
  await enqueue(queues, request);
  await drain(queues);

  receiver.reply({ status: 500 }, { status: 200 });
  expect(await redrive(queues.dlqUrl, queues.queueUrl, 10)).toEqual({ moved: 1, failed: 0 });
  const rounds = await drain(queues);

  expect(rounds).toHaveLength(2);
  const record = await getDelivery(request.tenantId, subscription.id, request.deliveryId);
  expect(record!.status).toBe('succeeded');
  expect(record!.attempts.map((attempt) => attempt.attemptKey.split(':')[1])).toEqual([
    '1',
    '2',
    '3',
    '4',
    '1',
    '2',
  ]);
  expect(await receiveAll(queues.dlqUrl)).toHaveLength(0);
});

test('a failed attempt with retries left is recorded as pending and hidden for the next delay', async () => {
  process.env.RETRY_SCHEDULE = '120,300';
  queues = await createQueues();
  receiver.reply({ status: 503 });
  const subscription = await createTestSubscription({ url: receiver.url });
  const request = deliveryRequestFor(subscription);
  await enqueue(queues, request);

  const first = await pollOnce(queues);

  expect(first.response.batchItemFailures).toHaveLength(1);
  expect((await getDelivery(request.tenantId, subscription.id, request.deliveryId))!.status).toBe('pending');
  // Hidden for the first delay (120 s), not for the queue's 30 s visibility timeout.
  const [inflight] = emulators.sqs.server.inspectQueue(queues.name)!.messages.inflight;
  expect(inflight!.visibilityDeadline - Date.now()).toBeGreaterThan(60_000);
  expect((await pollOnce(queues)).received).toBe(0);
});

test('an endpoint that hangs: the timeout is a failed attempt, then the retry succeeds', async () => {
  receiver.reply('hang', { status: 204 });
  const subscription = await createTestSubscription({ url: receiver.url });
  const request = deliveryRequestFor(subscription);
  await enqueue(queues, request);

  await drain(queues);

  const record = await getDelivery(request.tenantId, subscription.id, request.deliveryId);
  expect(record!.status).toBe('succeeded');
  expect(record!.attempts[0]).toMatchObject({ error: 'timed out after 300 ms' });
  expect(record!.attempts[0]!.statusCode).toBeUndefined();
  expect(record!.attempts[1]).toMatchObject({ statusCode: 204 });
});

test('a redirect is a failed attempt and is not followed', async () => {
  receiver.reply({ status: 302, headers: { location: `${receiver.url}/elsewhere` } }, { status: 200 });
  const subscription = await createTestSubscription({ url: receiver.url });
  const request = deliveryRequestFor(subscription);
  await enqueue(queues, request);

  await drain(queues);

  const record = await getDelivery(request.tenantId, subscription.id, request.deliveryId);
  expect(record!.attempts[0]).toMatchObject({
    statusCode: 302,
    error: `redirect not followed (HTTP 302 to ${receiver.url}/elsewhere)`,
  });
  expect(receiver.requests.map((r) => r.path)).toEqual(['/', '/']);
});

test.each([
  [
    'deleted',
    async (id: string) => void (await deleteSubscription('tn_test', id)),
    { status: 'skipped', attempts: [{ error: 'skipped: subscription was deleted' }] },
  ],
  [
    'disabled',
    async (id: string) => void (await updateSubscription('tn_test', id, statusPatch('disabled', 'test'))),
    // Kept for a catch-up, not attempted (docs/lifecycle.md).
    { status: 'parked', attempts: [] },
  ],
])('a %s subscription: nothing sent, not retried, recorded as %j', async (_, change, recorded) => {
  const subscription = await createTestSubscription({ url: receiver.url });
  const request = deliveryRequestFor(subscription);
  await change(subscription.id);
  await enqueue(queues, request);

  const rounds = await drain(queues);

  expect(rounds).toHaveLength(1);
  expect(rounds[0]!.response.batchItemFailures).toHaveLength(0);
  expect(receiver.requests).toHaveLength(0);
  const record = await getDelivery(request.tenantId, subscription.id, request.deliveryId);
  expect(record).toMatchObject(recorded);
  const parked = await readParked(request.tenantId, subscription.id, { limit: 10 });
  expect(parked.items.map((item) => item.deliveryId)).toEqual(
    recorded.status === 'parked' ? [request.deliveryId] : [],
  );
});

test('one event to three subscriptions: each gets the same webhook-id; only the failing one is retried', async () => {
  const failing = await startReceiver({ status: 500 }, { status: 500 }, { status: 200 });
  try {
    const first = await createTestSubscription({ url: `${receiver.url}/a` });
    const second = await createTestSubscription({ url: `${receiver.url}/b` });
    const flaky = await createTestSubscription({ url: failing.url });
    const request = deliveryRequestFor([first, second, flaky]);
    await enqueue(queues, request);

    const rounds = await drain(queues);

    expect(rounds.map((round) => round.response.batchItemFailures.length)).toEqual([1, 1, 0]);
    expect(receiver.requests.map((r) => r.path).sort()).toEqual(['/a', '/b']);
    expect(failing.requests).toHaveLength(3);
    expect(new Set([...receiver.requests, ...failing.requests].map((r) => r.headers['webhook-id']))).toEqual(
      new Set([request.deliveryId]),
    );
    for (const subscription of [first, second]) {
      expect(await getDelivery(request.tenantId, subscription.id, request.deliveryId)).toMatchObject({
        status: 'succeeded',
        attempts: [{ statusCode: 200 }],
      });
    }
    const flakyRecord = await getDelivery(request.tenantId, flaky.id, request.deliveryId);
    expect(flakyRecord!.status).toBe('succeeded');
    expect(flakyRecord!.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 500, 200]);
  } finally {
    await failing.close();
  }
});

test('the same event queued again (a provider retry) is not posted to subscriptions that got it', async () => {
  const subscription = await createTestSubscription({ url: receiver.url });
  const request = deliveryRequestFor(subscription);
  await enqueue(queues, request);
  await drain(queues);
  await enqueue(queues, request);

  const rounds = await drain(queues);

  expect(rounds).toMatchObject([{ received: 1, response: { batchItemFailures: [] } }]);
  expect(receiver.requests).toHaveLength(1);
  expect((await getDelivery(request.tenantId, subscription.id, request.deliveryId))!.attempts).toHaveLength(
    1,
  );
});

test('two copies of one event in the same batch are posted once', async () => {
  const subscription = await createTestSubscription({ url: receiver.url });
  const request = deliveryRequestFor(subscription);
  await enqueue(queues, request);
  await enqueue(queues, request);

  const rounds = await drain(queues);

  expect(rounds).toMatchObject([{ received: 2, response: { batchItemFailures: [] } }]);
  expect(receiver.requests).toHaveLength(1);
});

test('a long response body is kept to 1 KB for a failure and 256 bytes for a success', async () => {
  receiver.reply({ status: 500, body: 'e'.repeat(5000) }, { status: 200, body: 's'.repeat(5000) });
  const subscription = await createTestSubscription({ url: receiver.url });
  const request = deliveryRequestFor(subscription);
  await enqueue(queues, request);

  await drain(queues);

  const record = await getDelivery(request.tenantId, subscription.id, request.deliveryId);
  expect(record!.attempts.map((attempt) => attempt.responseBody!.length)).toEqual([1024, 256]);
});

test('in a batch, only the failing record is retried', async () => {
  const failing = await startReceiver({ status: 500 }, { status: 200 });
  try {
    const good = await createTestSubscription({ url: receiver.url });
    const bad = await createTestSubscription({ url: failing.url });
    const goodRequest = deliveryRequestFor(good);
    const badRequest = deliveryRequestFor(bad);
    await enqueue(queues, goodRequest);
    await enqueue(queues, badRequest);

    const rounds = await drain(queues);

    expect(rounds[0]).toMatchObject({ received: 2 });
    expect(rounds[0]!.response.batchItemFailures).toHaveLength(1);
    expect(receiver.requests).toHaveLength(1);
    expect(failing.requests).toHaveLength(2);
    expect((await getDelivery(goodRequest.tenantId, good.id, goodRequest.deliveryId))!.attempts).toHaveLength(
      1,
    );
    expect(await getDelivery(badRequest.tenantId, bad.id, badRequest.deliveryId)).toMatchObject({
      status: 'succeeded',
    });
  } finally {
    await failing.close();
  }
});

test('a redelivered message that already succeeded is not sent again', async () => {
  const subscription = await createTestSubscription({ url: receiver.url });
  const request = deliveryRequestFor(subscription);
  await enqueue(queues, request);

  // The invocation "dies" after the POST and the record, before SQS deletes the message; the message
  // comes back once its visibility timeout ends (made immediate here).
  const first = await pollOnce(queues, { deleteSuccesses: false });
  await sqs().send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queues.queueUrl,
      ReceiptHandle: first.records[0]!.receiptHandle,
      VisibilityTimeout: 0,
    }),
  );
  const rounds = await drain(queues);

  expect(rounds).toHaveLength(1);
  expect(rounds[0]!.records[0]!.attributes.ApproximateReceiveCount).toBe('2');
  expect(rounds[0]!.response.batchItemFailures).toHaveLength(0);
  expect(receiver.requests).toHaveLength(1);
  expect((await getDelivery(request.tenantId, subscription.id, request.deliveryId))!.attempts).toHaveLength(
    1,
  );
});

test('a private address is refused when private targets are not allowed', async () => {
  process.env.ALLOW_PRIVATE_TARGETS = 'false';
  const port = new URL(receiver.url).port;
  const subscription = await createTestSubscription({ url: `https://localhost:${port}/hook` });
  const request = deliveryRequestFor(subscription);
  await enqueue(queues, request);

  await pollOnce(queues);

  expect(receiver.requests).toHaveLength(0);
  const record = await getDelivery(request.tenantId, subscription.id, request.deliveryId);
  expect(record!.status).toBe('pending');
  expect(record!.attempts[0]!.error).toMatch(/^refused to connect to private address (127\.0\.0\.1|::1)$/);
});

test('a message that is not a delivery request is dropped, not retried', async () => {
  await enqueue(queues, 'not json');
  await enqueue(
    queues,
    JSON.stringify({ ...envelopeFor(deliveryRequestFor(await createTestSubscription())), detail: {} }),
  );

  const rounds = await drain(queues);

  expect(rounds).toHaveLength(1);
  expect(rounds[0]).toMatchObject({ received: 2, response: { batchItemFailures: [] } });
  expect(await receiveAll(queues.dlqUrl)).toHaveLength(0);
});
