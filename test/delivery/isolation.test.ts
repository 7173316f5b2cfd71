/**
 * Issue 14: one endpoint's faults stay its own. The circuit breaker shared through DynamoDB, the fast
 * and slow lanes, Retry-After, 410 Gone, the operational events and immediate subscription changes,
 * each driven through the real delivery handler against the SQS and DynamoDB emulators, a real
 * receiver on 127.0.0.1 and a test EventBridge endpoint.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { dynamo, resetClients } from '../../lambdas/shared/aws';
import { getDelivery } from '../../lambdas/shared/deliveries';
import { healthKey, legacyHealthKey } from '../../lambdas/shared/endpoint-health';
import { listActivity } from '../../lambdas/shared/operations';
import { deleteSubscription, getSubscription, updateSubscription } from '../../lambdas/shared/subscriptions';
import { startEventBus, type TestEventBus } from '../inbound/support/event-bus';
import {
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

let bus: TestEventBus;
let emulators: Emulators;
let receiver: Receiver;
let queues: TestQueues;

useDeliverySuite(
  {
    RETRY_SCHEDULE: '0,0,0',
    ALLOW_PRIVATE_TARGETS: 'true',
    DELIVERY_TIMEOUT_MS: '2000',
    FAST_LANE_TIMEOUT_MS: '300',
    FAST_LANE_PATIENCE_MS: '250',
    DELIVERY_LOG_TTL_DAYS: '30',
    BREAKER_FAILURE_THRESHOLD: '2',
    BREAKER_COOLDOWN_SECONDS: '60',
  },
  (made) => ({ emulators, receiver, queues } = made),
  { slowLane: true },
);

beforeAll(async () => {
  bus = await startEventBus();
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = bus.endpoint;
  process.env.EVENT_BUS_NAME = 'test-bus';
  resetClients();
});
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
  delete process.env.EVENT_BUS_NAME;
  await bus.stop();
});

beforeEach(() => {
  bus.accepted.length = 0;
});
const afterTest: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of afterTest.splice(0)) await cleanup();
});

const health = async (tenantId: string, subscriptionId: string) =>
  (
    await dynamo().send(
      new GetCommand({
        TableName: process.env.SUBSCRIPTIONS_TABLE!,
        Key: healthKey(tenantId, subscriptionId),
      }),
    )
  ).Item;
const operational = (detailType: string) =>
  bus.accepted
    .filter((entry) => entry.Source === 'event-relay.operations' && entry.DetailType === detailType)
    .map((entry) => JSON.parse(entry.Detail) as Record<string, unknown>);

describe('circuit breaker', () => {
  test('opens after the threshold; later attempts of any event are deferred without dialling, each using up its slot', async () => {
    receiver.reply({ status: 500 });
    const subscription = await createTestSubscription({ url: receiver.url });
    const first = deliveryRequestFor(subscription);
    await enqueue(queues, first);
    await pollOnce(queues); // attempt 1: 500
    await pollOnce(queues); // attempt 2: 500, the breaker opens
    expect(await health(subscription.tenantId, subscription.id)).toMatchObject({
      breaker: 'open',
      failures: 2,
    });

    // Another event to the same endpoint, in another batch (as another container would get it).
    const second = deliveryRequestFor(subscription);
    await enqueue(queues, second);
    await drain(queues);

    expect(receiver.requests).toHaveLength(2);
    const firstRecord = await getDelivery(first.tenantId, subscription.id, first.deliveryId);
    expect(firstRecord!.status).toBe('failed');
    expect(firstRecord!.attempts.map((attempt) => attempt.statusCode ?? attempt.error)).toEqual([
      500,
      500,
      'deferred: the endpoint’s circuit breaker is open (not sent)',
      'deferred: the endpoint’s circuit breaker is open (not sent)',
    ]);
    const secondRecord = await getDelivery(second.tenantId, subscription.id, second.deliveryId);
    expect(secondRecord!.status).toBe('failed');
    // Four slots of the schedule (first attempt and three retries), none of them dialled.
    expect(secondRecord!.attempts).toHaveLength(4);
    expect(secondRecord!.attempts.every((attempt) => attempt.error?.startsWith('deferred'))).toBe(true);
    // Finally failed: both in the dead-letter queue, and one operational event each.
    expect(await receiveAll(queues.dlqUrl)).toHaveLength(2);
    expect(
      operational('Delivery Failed')
        .map((detail) => detail.deliveryId)
        .sort(),
    ).toEqual([first.deliveryId, second.deliveryId].sort());
    expect(operational('Delivery Failed')[0]).toMatchObject({
      tenantId: subscription.tenantId,
      subscriptionId: subscription.id,
      eventType: 'EMAIL_OPEN',
      attempts: 4,
    });
  });

  test('after the cooldown, one probe at a time; its success closes the breaker for everyone', async () => {
    process.env.BREAKER_COOLDOWN_SECONDS = '0';
    receiver.reply({ status: 500 }, { status: 500 }, { status: 200 });
    const subscription = await createTestSubscription({ url: receiver.url });
    await enqueue(queues, deliveryRequestFor(subscription));
    await pollOnce(queues);
    await pollOnce(queues); // open, cooldown 0: the next receive is half-open
    expect(await health(subscription.tenantId, subscription.id)).toMatchObject({ breaker: 'open' });

    const waiting = [1, 2, 3].map(() => deliveryRequestFor(subscription));
    for (const request of waiting) await enqueue(queues, request);
    const round = await pollOnce(queues);

    // One batch of four records for the endpoint: exactly one probe was sent, and it succeeded.
    expect(round.received).toBe(4);
    expect(receiver.requests).toHaveLength(3);
    expect(await health(subscription.tenantId, subscription.id)).toMatchObject({
      breaker: 'closed',
      failures: 0,
    });
    await drain(queues);
    for (const request of waiting) {
      expect((await getDelivery(request.tenantId, subscription.id, request.deliveryId))!.status).toBe(
        'succeeded',
      );
    }
  });

  test('one endpoint’s open breaker defers nothing of another subscription in the same batch', async () => {
    receiver.reply({ status: 200 });
    const broken = await createTestSubscription({ url: `${receiver.url}/broken` });
    const healthy = await createTestSubscription({ url: `${receiver.url}/healthy` });
    await dynamo().send(
      new (await import('@aws-sdk/lib-dynamodb')).PutCommand({
        TableName: process.env.SUBSCRIPTIONS_TABLE!,
        Item: {
          ...healthKey(broken.tenantId, broken.id),
          url: broken.url,
          failures: 9,
          breaker: 'open',
          openUntil: Date.now() + 60_000,
          slow: false,
        },
      }),
    );
    const request = deliveryRequestFor([broken, healthy]);
    await enqueue(queues, request);
    await pollOnce(queues);

    expect(receiver.requests.map((r) => r.path)).toEqual(['/healthy']);
    expect((await getDelivery(request.tenantId, healthy.id, request.deliveryId))!.status).toBe('succeeded');
    expect((await getDelivery(request.tenantId, broken.id, request.deliveryId))!.attempts[0]!.error).toMatch(
      /^deferred/,
    );
  });
});

describe('fast and slow lanes', () => {
  test('an endpoint slower than the fast lane’s limit is handed to the slow lane, delivered there, and skips the fast lane afterwards', async () => {
    const slowReceiver = await startReceiver({ status: 200, delayMs: 1200 });
    afterTest.push(() => slowReceiver.close());
    const slow = await createTestSubscription({ url: `${slowReceiver.url}/slow` });
    const healthy = await createTestSubscription({ url: `${receiver.url}/healthy` });
    const request = deliveryRequestFor([slow, healthy]);
    await enqueue(queues, request);

    const started = performance.now();
    const fast = await pollOnce(queues);
    const fastRoundMs = performance.now() - started;

    // The batch waited for the fast lane's 300 ms, not for the slow endpoint's 1,200 ms.
    expect(fastRoundMs).toBeLessThan(1_000);
    expect(fast.response.batchItemFailures).toHaveLength(0);
    expect((await getDelivery(request.tenantId, healthy.id, request.deliveryId))!.status).toBe('succeeded');
    const marked = await health(slow.tenantId, slow.id);
    expect(marked).toMatchObject({ slow: true, url: slow.url });
    expect(marked!.failures ?? 0).toBe(0);

    const slowRound = await pollOnce(queues, { lane: 'slow' });
    expect(slowRound.received).toBe(1);
    const record = await getDelivery(request.tenantId, slow.id, request.deliveryId);
    expect(record!.status).toBe('succeeded');
    // The hand-off used up no attempt: the slow lane's attempt is the first recorded, numbered 1.
    expect(record!.attempts).toHaveLength(1);
    expect(record!.attempts[0]!.attemptKey).toMatch(/:1$/);

    // Known slow now: the next event goes to the slow lane without a fast-lane try.
    const next = deliveryRequestFor(slow);
    await enqueue(queues, next);
    const before = slowReceiver.requests.length;
    await pollOnce(queues);
    expect(slowReceiver.requests).toHaveLength(before);
    await pollOnce(queues, { lane: 'slow' });
    expect((await getDelivery(next.tenantId, slow.id, next.deliveryId))!.status).toBe('succeeded');
  });

  test('past the fast lane’s patience only one invocation waits on an endpoint; another cuts its POST off and hands it on', async () => {
    Object.assign(process.env, { FAST_LANE_TIMEOUT_MS: '1500', FAST_LANE_PATIENCE_MS: '100' });
    receiver.reply('hang');
    const subscription = await createTestSubscription({ url: receiver.url });
    const timed = async () => {
      const started = performance.now();
      const round = await pollOnce(queues);
      return { ms: performance.now() - started, round };
    };
    // Two invocations (two containers in AWS) each get one event for the same hanging endpoint.
    await enqueue(queues, deliveryRequestFor(subscription));
    const first = timed();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await enqueue(queues, deliveryRequestFor(subscription));
    const second = await timed();

    expect(second.round.received).toBe(1);
    expect(second.ms).toBeLessThan(1_000);
    expect((await first).ms).toBeGreaterThanOrEqual(1_400);
    // Neither used up an attempt: both wait in the slow lane; the endpoint is known slow.
    expect((await first).round.response.batchItemFailures).toHaveLength(0);
    expect(await receiveAll(queues.slowLane!.queueUrl)).toHaveLength(2);
    expect(await health(subscription.tenantId, subscription.id)).toMatchObject({ slow: true });
  });

  test('a hanging endpoint: handed off, timed out in the slow lane, retried there, dead-lettered after the last attempt', async () => {
    process.env.BREAKER_FAILURE_THRESHOLD = '100';
    process.env.DELIVERY_TIMEOUT_MS = '1000';
    receiver.reply('hang');
    const subscription = await createTestSubscription({ url: receiver.url });
    const request = deliveryRequestFor(subscription);
    await enqueue(queues, request);

    await drain(queues);

    const record = await getDelivery(request.tenantId, subscription.id, request.deliveryId);
    expect(record!.status).toBe('failed');
    expect(record!.attempts.map((attempt) => attempt.error)).toEqual(
      Array(4).fill('timed out after 1000 ms'),
    );
    expect(record!.attempts.map((attempt) => attempt.attemptKey.split(':')[1])).toEqual(['1', '2', '3', '4']);
    const dead = await receiveAll(queues.dlqUrl);
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0]!.Body!).detail.subscriptionIds).toEqual([subscription.id]);
  });
});

describe('receiver-driven control', () => {
  test.each([429, 503])(
    '%i with Retry-After: the next attempt waits that long, clamped to the schedule',
    async (status) => {
      process.env.RETRY_SCHEDULE = '60,120';
      receiver.reply({ status, headers: { 'retry-after': '90' } });
      const subscription = await createTestSubscription({ url: receiver.url });
      await enqueue(queues, deliveryRequestFor(subscription));
      await pollOnce(queues);
      const [inflight] = emulators.sqs.server.inspectQueue(queues.name)!.messages.inflight;
      const hiddenFor = inflight!.visibilityDeadline - Date.now();
      expect(hiddenFor).toBeGreaterThan(80_000);
      expect(hiddenFor).toBeLessThanOrEqual(90_000);
    },
  );

  test('Retry-After beyond the schedule is clamped to its longest delay, and a date works as well', async () => {
    process.env.RETRY_SCHEDULE = '60,120';
    receiver.reply({
      status: 503,
      headers: { 'retry-after': new Date(Date.now() + 86_400_000).toUTCString() },
    });
    const subscription = await createTestSubscription({ url: receiver.url });
    await enqueue(queues, deliveryRequestFor(subscription));
    await pollOnce(queues);
    const [inflight] = emulators.sqs.server.inspectQueue(queues.name)!.messages.inflight;
    const hiddenFor = inflight!.visibilityDeadline - Date.now();
    expect(hiddenFor).toBeGreaterThan(110_000);
    expect(hiddenFor).toBeLessThanOrEqual(120_000);
  });

  test('410 Gone disables the subscription: visible in the API, an operational event, no more attempts', async () => {
    receiver.reply({ status: 410 });
    const gone = await createTestSubscription({ url: `${receiver.url}/gone` });
    const other = await createTestSubscription({ url: `${receiver.url}/other` });
    const request = deliveryRequestFor(gone);
    await enqueue(queues, request);

    await drain(queues);

    expect(receiver.requests).toHaveLength(1);
    expect(await getSubscription(gone.tenantId, gone.id)).toMatchObject({
      status: 'disabled',
      disabledReason: 'the endpoint answered 410 Gone',
      disabledAt: expect.any(String),
    });
    expect(await getSubscription(other.tenantId, other.id)).toMatchObject({ status: 'active' });
    const record = await getDelivery(request.tenantId, gone.id, request.deliveryId);
    expect(record).toMatchObject({ status: 'failed', attempts: [{ statusCode: 410 }] });
    expect(await receiveAll(queues.dlqUrl)).toHaveLength(1);
    expect(operational('Subscription Disabled')).toEqual([
      {
        tenantId: gone.tenantId,
        subscriptionId: gone.id,
        reason: 'the endpoint answered 410 Gone',
        disabledAt: expect.any(String),
        by: 'system',
      },
    ]);
    expect(operational('Delivery Failed')).toEqual([
      expect.objectContaining({ deliveryId: request.deliveryId, attempts: 1, statusCode: 410 }),
    ]);

    // A later event for it is skipped, never posted.
    const later = deliveryRequestFor(gone);
    await enqueue(queues, later);
    await drain(queues);
    expect(receiver.requests).toHaveLength(1);
    // Later events are parked for a catch-up (docs/lifecycle.md), not attempted.
    expect((await getDelivery(later.tenantId, gone.id, later.deliveryId))!.status).toBe('parked');
  });

  test('parked deliveries are counted per disabled period: one activity entry, an event at 1, 10, 100, …', async () => {
    const disabledAt = '2026-01-01T00:00:00.000Z';
    const subscription = await createTestSubscription({
      url: receiver.url,
      status: 'disabled',
      disabledReason: 'disabled through the API',
      disabledAt,
    });
    await enqueue(queues, deliveryRequestFor(subscription));
    await drain(queues);
    for (let i = 0; i < 11; i++) await enqueue(queues, deliveryRequestFor(subscription));
    await drain(queues);
    // A redelivered message parks nothing new.
    const repeat = deliveryRequestFor(subscription);
    await enqueue(queues, repeat);
    await enqueue(queues, repeat);
    await drain(queues);

    expect(receiver.requests).toHaveLength(0);
    const events = operational('Deliveries Parked');
    expect(events.map((detail) => detail.parked)).toEqual([1, expect.any(Number)]);
    expect(events[1]!.parked).toBeGreaterThanOrEqual(10);
    expect(events[0]).toEqual({
      tenantId: subscription.tenantId,
      subscriptionId: subscription.id,
      parked: 1,
      disabledAt,
      lastParkedAt: expect.any(String),
    });
    const { items } = await listActivity(subscription.tenantId, subscription.id, { limit: 10 });
    expect(items).toEqual([
      expect.objectContaining({
        type: 'Deliveries Parked',
        parked: 13,
        disabledAt,
        webhookId: subscription.id,
      }),
    ]);
  });

  test('an endpoint failing every attempt for DISABLE_AFTER_FAILING_SECONDS is disabled by the system, and its retry parked', async () => {
    process.env.DISABLE_AFTER_FAILING_SECONDS = '1';
    afterTest.push(async () => void delete process.env.DISABLE_AFTER_FAILING_SECONDS);
    receiver.reply({ status: 500 });
    const subscription = await createTestSubscription({ url: receiver.url });
    const request = deliveryRequestFor(subscription);
    await enqueue(queues, request);
    await pollOnce(queues); // attempt 1 fails: the run of failures begins
    expect(await health(subscription.tenantId, subscription.id)).toMatchObject({
      failures: 1,
      failingSince: expect.any(Number),
    });
    expect((await getSubscription(subscription.tenantId, subscription.id))!.status).toBe('active');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await pollOnce(queues); // attempt 2 fails over a second later: disabled
    expect(await getSubscription(subscription.tenantId, subscription.id)).toMatchObject({
      status: 'disabled',
      disabledReason: 'the endpoint failed every attempt for 1 second',
    });
    expect(operational('Subscription Disabled')).toEqual([
      expect.objectContaining({ subscriptionId: subscription.id, by: 'system' }),
    ]);
    await drain(queues); // attempt 3 is not made: parked
    expect(receiver.requests).toHaveLength(2);
    expect((await getDelivery(request.tenantId, subscription.id, request.deliveryId))!.status).toBe('parked');
  });

  test('an answer ends the run of failures: no disabling however long ago the first failure was', async () => {
    process.env.DISABLE_AFTER_FAILING_SECONDS = '1';
    afterTest.push(async () => void delete process.env.DISABLE_AFTER_FAILING_SECONDS);
    receiver.reply({ status: 500 });
    const subscription = await createTestSubscription({ url: receiver.url });
    await enqueue(queues, deliveryRequestFor(subscription));
    await pollOnce(queues); // fails
    receiver.reply({ status: 200 });
    await pollOnce(queues); // answers: the run ends
    expect(await health(subscription.tenantId, subscription.id)).not.toHaveProperty('failingSince');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    receiver.reply({ status: 500 });
    await enqueue(queues, deliveryRequestFor(subscription));
    await pollOnce(queues); // a new run begins
    expect((await getSubscription(subscription.tenantId, subscription.id))!.status).toBe('active');
  });
});

describe('subscription changes take effect at once', () => {
  test('a rotated secret, a new URL and a deletion apply to the very next attempt', async () => {
    const subscription = await createTestSubscription({ url: `${receiver.url}/old` });
    await enqueue(queues, deliveryRequestFor(subscription));
    await drain(queues);

    const newSecret = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    await updateSubscription(subscription.tenantId, subscription.id, {
      url: `${receiver.url}/new`,
      secret: newSecret,
      retiredSecrets: [],
    });
    await enqueue(queues, deliveryRequestFor(subscription));
    await drain(queues);
    const latest = receiver.requests.at(-1)!;
    expect(latest.path).toBe('/new');
    expect(() =>
      new Webhook(newSecret).verify(latest.body, latest.headers as Record<string, string>),
    ).not.toThrow();
    expect(() =>
      new Webhook(subscription.secret).verify(latest.body, latest.headers as Record<string, string>),
    ).toThrow();

    await deleteSubscription(subscription.tenantId, subscription.id);
    const afterDelete = deliveryRequestFor(subscription);
    await enqueue(queues, afterDelete);
    await drain(queues);
    expect(receiver.requests).toHaveLength(2);
    expect((await getDelivery(afterDelete.tenantId, subscription.id, afterDelete.deliveryId))!.status).toBe(
      'skipped',
    );
  });

  test('once a container knows a subscription, its batches read only the subscription’s own state item, not the tenant’s key', async () => {
    const subscription = await createTestSubscription({ url: receiver.url });
    const readKeys: string[][] = [];
    dynamo().middlewareStack.add(
      (next) => async (args) => {
        const requestItems = (args.input as { RequestItems?: Record<string, { Keys?: { pk: string }[] }> })
          .RequestItems;
        const keys = requestItems?.[process.env.SUBSCRIPTIONS_TABLE!]?.Keys;
        if (keys) readKeys.push(keys.map((key) => key.pk));
        return next(args);
      },
      { step: 'initialize', name: 'recordBatchGets' },
    );
    afterTest.push(async () => void dynamo().middlewareStack.remove('recordBatchGets'));
    const deliverOne = async () => {
      readKeys.length = 0;
      await enqueue(queues, deliveryRequestFor(subscription));
      await pollOnce(queues);
      return readKeys.flat();
    };
    const own = `TENANT#${subscription.tenantId}#SUB#${subscription.id}`;
    const tenant = `TENANT#${subscription.tenantId}`;

    expect(await deliverOne()).toContain(tenant); // a new subscription: read, and its state item versioned
    expect(await deliverOne()).toContain(tenant); // read after the version, and remembered with it
    expect(await deliverOne()).toEqual([own]);
    expect(await deliverOne()).toEqual([own]);
    await updateSubscription(subscription.tenantId, subscription.id, { url: `${receiver.url}/moved` });
    expect(await deliverOne()).toEqual([own, tenant]); // a new version: read again once
    expect(await deliverOne()).toEqual([own]);
    expect(receiver.requests.map((request) => request.path)).toEqual([
      ...Array(4).fill('/'),
      '/moved',
      '/moved',
    ]);
  });

  test('a health item of the old layout (under the tenant’s key) is honoured and copied to the subscription’s own key', async () => {
    const subscription = await createTestSubscription({ url: receiver.url });
    await dynamo().send(
      new PutCommand({
        TableName: process.env.SUBSCRIPTIONS_TABLE!,
        Item: {
          ...legacyHealthKey(subscription.tenantId, subscription.id),
          url: subscription.url,
          failures: 7,
          breaker: 'open',
          openUntil: Date.now() + 60_000,
          slow: false,
        },
      }),
    );
    const request = deliveryRequestFor(subscription);
    await enqueue(queues, request);
    await pollOnce(queues);

    expect(receiver.requests).toHaveLength(0);
    expect(
      (await getDelivery(request.tenantId, subscription.id, request.deliveryId))!.attempts[0]!.error,
    ).toMatch(/^deferred/);
    expect(await health(subscription.tenantId, subscription.id)).toMatchObject({
      breaker: 'open',
      failures: 7,
      url: subscription.url,
      version: expect.any(String),
    });
  });
});
