/**
 * Issue 16: retries that wait longer than SQS can hold, through the real delivery handler against the
 * SQS and DynamoDB emulators, the local EventBridge Scheduler (local/scheduler.ts) and a real receiver.
 * The schedule is compressed: its 3-second delay is beyond the (test-lowered) threshold of 1 second.
 */
import { clearQueueUrls } from '../../lambdas/delivery/queue-urls';
import { scheduleName } from '../../lambdas/delivery/retry-scheduler';
import { resetClients, sqs } from '../../lambdas/shared/aws';
import { getDelivery } from '../../lambdas/shared/deliveries';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { startLocalScheduler, type LocalScheduler } from '../../local/scheduler';
import { useEmulators } from '../support/emulators';
import {
  createQueues,
  createTestSubscription,
  deliveryRequestFor,
  enqueue,
  pollOnce,
  receiveAll,
  type TestQueues,
} from './support/harness';
import { startReceiver, type Receiver } from './support/receiver';

const GROUP = 'test-retries';
const DEFERRED = 'deferred: the endpoint’s circuit breaker is open (not sent)';

let emulators: Awaited<ReturnType<typeof useEmulators>>;
let receiver: Receiver;
let queues: TestQueues;
let scheduler: LocalScheduler;

beforeAll(async () => {
  emulators = await useEmulators();
});
afterAll(async () => {
  await emulators.stop();
});

beforeEach(async () => {
  Object.assign(process.env, {
    // 0 s, then 3 s (beyond the 1-second threshold: the Scheduler), then 0 s: four attempts.
    RETRY_SCHEDULE: JSON.stringify({ delays: [0, 3, 0], jitter: 0.2, schedulerAfterSeconds: 1 }),
    ALLOW_PRIVATE_TARGETS: 'true',
    DELIVERY_TIMEOUT_MS: '2000',
    DELIVERY_LOG_TTL_DAYS: '30',
    BREAKER_FAILURE_THRESHOLD: '100',
    BREAKER_COOLDOWN_SECONDS: '60',
  });
  clearQueueUrls();
  receiver = await startReceiver();
  queues = await createQueues(undefined, { slowLane: true });
  const urls = new Map([
    [queues.queueArn, queues.queueUrl],
    [queues.slowLane!.queueArn, queues.slowLane!.queueUrl],
    [`${queues.queueArn}-dlq`, queues.dlqUrl],
  ]);
  scheduler = await startLocalScheduler({
    region: 'us-east-1',
    accountId: '000000000000',
    groups: [GROUP],
    queueUrlOf: (arn) => urls.get(arn),
    send: async (queueUrl, body) => {
      await sqs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    },
  });
  process.env.AWS_ENDPOINT_URL_SCHEDULER = scheduler.endpoint;
  process.env.RETRY_SCHEDULER = JSON.stringify({
    groupName: GROUP,
    roleArn: 'arn:aws:iam::000000000000:role/scheduler',
    deadLetterQueueArn: `${queues.queueArn}-dlq`,
  });
  resetClients();
});
afterEach(async () => {
  delete process.env.RETRY_SCHEDULER;
  delete process.env.AWS_ENDPOINT_URL_SCHEDULER;
  await scheduler.stop();
  await receiver.close();
});

/** Polls the fast lane until a round receives something, or `ms` pass. */
async function pollUntilReceived(ms: number) {
  const deadline = Date.now() + ms;
  for (;;) {
    const round = await pollOnce(queues);
    if (round.received > 0 || Date.now() > deadline) return round;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('a wait beyond the threshold leaves the queue for a schedule, which brings the message back at its attempt', async () => {
  receiver.reply({ status: 500 });
  const subscription = await createTestSubscription({ url: receiver.url });
  const request = deliveryRequestFor(subscription);
  await enqueue(queues, request);

  await pollOnce(queues); // attempt 1: 500, retry after 0 s in the queue
  const second = await pollOnce(queues); // attempt 2: 500, retry after 3 s: a schedule
  expect(second.response.batchItemFailures).toEqual([]);
  expect(scheduler.schedules()).toEqual([
    `${GROUP}/${scheduleName({ deliveryId: request.deliveryId, subscriptionIds: request.subscriptionIds, attempt: 2, queueArn: queues.queueArn })}`,
  ]);
  // Nothing in the queue meanwhile (deleted, not waiting invisible).
  expect((await pollOnce(queues)).received).toBe(0);

  const sentBack = Date.now();
  const third = await pollUntilReceived(6_000);
  expect(third.received).toBe(1);
  expect(Date.now() - sentBack).toBeGreaterThanOrEqual(1_500);
  expect(JSON.parse(third.records[0]!.body)).toMatchObject({
    attemptsMade: 2,
    detail: { deliveryId: request.deliveryId },
  });
  expect(scheduler.schedules()).toEqual([]); // deleted after completion

  await pollOnce(queues); // attempt 4, the last: failed, and moved to the dead-letter queue by the function
  const record = await getDelivery(request.tenantId, subscription.id, request.deliveryId);
  expect(record!.status).toBe('failed');
  expect(record!.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 500, 500, 500]);
  expect(receiver.requests).toHaveLength(4);
  const [dead] = await receiveAll(queues.dlqUrl);
  expect(dead).toBeDefined();
  // A redrive starts afresh: the copy in the dead-letter queue does not carry the attempts.
  expect(JSON.parse(dead!.Body!)).not.toHaveProperty('attemptsMade');
  expect((await pollOnce(queues)).received).toBe(0);
}, 20_000);

test('with the breaker open, a deferral takes its slot’s attempt and its slot’s long wait, through the Scheduler too', async () => {
  process.env.BREAKER_FAILURE_THRESHOLD = '1';
  receiver.reply({ status: 500 });
  const subscription = await createTestSubscription({ url: receiver.url });
  const request = deliveryRequestFor(subscription);
  await enqueue(queues, request);

  await pollOnce(queues); // attempt 1: 500, the breaker opens
  await pollOnce(queues); // attempt 2: deferred; its slot's wait (3 s) goes to the Scheduler
  expect(scheduler.schedules()).toHaveLength(1);
  const third = await pollUntilReceived(6_000); // attempt 3: deferred
  expect(third.received).toBe(1);
  await pollOnce(queues); // attempt 4: deferred, the last

  const record = await getDelivery(request.tenantId, subscription.id, request.deliveryId);
  expect(record!.status).toBe('failed');
  expect(record!.attempts.map((attempt) => attempt.statusCode ?? attempt.error)).toEqual([
    500,
    DEFERRED,
    DEFERRED,
    DEFERRED,
  ]);
  expect(receiver.requests).toHaveLength(1);
}, 20_000);

test('a schedule the Scheduler refuses leaves the message waiting in its queue instead', async () => {
  process.env.RETRY_SCHEDULER = JSON.stringify({
    groupName: 'no-such-group',
    roleArn: 'arn:aws:iam::000000000000:role/scheduler',
    deadLetterQueueArn: `${queues.queueArn}-dlq`,
  });
  receiver.reply({ status: 500 });
  const subscription = await createTestSubscription({ url: receiver.url });
  await enqueue(queues, deliveryRequestFor(subscription));

  await pollOnce(queues);
  const second = await pollOnce(queues);
  // Kept (a batch item failure), invisible for the wait, and back after it.
  expect(second.response.batchItemFailures).toHaveLength(1);
  expect(scheduler.schedules()).toEqual([]);
  expect((await pollOnce(queues)).received).toBe(0);
  const third = await pollUntilReceived(6_000);
  expect(third.received).toBe(1);
  expect(third.records[0]!.attributes.ApproximateReceiveCount).toBe('3');
}, 20_000);
