/**
 * Property tests of the delivery record processor (issue 12), through the real handler against the
 * emulators and a real receiver on 127.0.0.1. Invariants:
 * - any SQS record body, however broken, never fails the batch: a record that is not a delivery is
 *   dropped, never kept for redelivery;
 * - a subscription with any stored settings at all (headers, URL, secrets) affects only itself: the
 *   event's good subscriber gets it exactly once, with a valid signature, and the bad one's outcome is
 *   recorded in its log;
 * - nothing is posted to a subscription the event does not name.
 */
import fc from 'fast-check';
import type { SQSEvent } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import { handler } from '../../lambdas/delivery/handler';
import { getDelivery } from '../../lambdas/shared/deliveries';
import { envelopeFor } from '../../lambdas/shared/events';
import type { Subscription } from '../../lambdas/shared/subscriptions';
import { createTestSubscription, deliveryRequestFor, type TestQueues } from '../delivery/support/harness';
import { type Receiver } from '../delivery/support/receiver';
import { useDeliverySuite } from '../delivery/support/suite';
import { hostileJson, hostileKey, hostileText, mutated, runs } from './support/arbitraries';

let receiver: Receiver;
let queues: TestQueues;

useDeliverySuite(
  {
    RETRY_SCHEDULE: '0,0',
    ALLOW_PRIVATE_TARGETS: 'true',
    DELIVERY_TIMEOUT_MS: '1000',
    DELIVERY_LOG_TTL_DAYS: '30',
  },
  (made) => ({ receiver, queues } = made),
  { once: true },
);

let messages = 0;
function sqsEvent(bodies: string[], receiveCount = 1): SQSEvent {
  return {
    Records: bodies.map((body) => ({
      messageId: `m-${++messages}`,
      receiptHandle: `rh-${messages}`,
      body,
      attributes: {
        ApproximateReceiveCount: String(receiveCount),
        SentTimestamp: String(Date.now()),
        SenderId: 'test',
        ApproximateFirstReceiveTimestamp: String(Date.now()),
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: queues.queueArn,
      awsRegion: 'us-east-1',
    })),
  };
}

it('drops any record that is not a delivery, and never fails the batch for it', async () => {
  const sample = envelopeFor(deliveryRequestFor({ id: 'wh_x', tenantId: 'tn_x' } as Subscription));
  const body = fc.oneof(
    hostileText,
    hostileJson.map((value) => JSON.stringify(value) ?? ''),
    // Envelopes that look right but whose delivery request is not one.
    mutated(sample).map((value) => JSON.stringify(value) ?? ''),
  );
  await fc.assert(
    fc.asyncProperty(fc.array(body, { minLength: 1, maxLength: 4 }), async (bodies) => {
      const before = receiver.requests.length;
      const response = await handler(sqsEvent(bodies));
      // Whatever was parseable named only subscriptions that do not exist: nothing is posted, nothing kept.
      expect(response.batchItemFailures).toEqual([]);
      expect(receiver.requests.length).toBe(before);
    }),
    runs(60),
  );
});

it('lets a subscription with any stored settings fail only itself: the good one gets the event once', async () => {
  const settings = fc.record({
    headers: fc.option(
      fc.dictionary(hostileKey, fc.oneof(hostileText, fc.constant('café ✓')), { maxKeys: 3 }),
      {
        nil: undefined,
      },
    ),
    url: fc.oneof(
      fc.constant(`${receiver.url}/bad`),
      hostileText,
      fc.constantFrom('http://exa mple.com/', 'http://127.0.0.1:99999/', 'ftp://x/', 'http://[::1'),
    ),
    secret: fc.oneof(fc.constant(`whsec_${Buffer.alloc(32, 1).toString('base64')}`), hostileText),
    retiredSecrets: fc.oneof(
      fc.constant([]),
      fc.array(
        fc.record({
          secret: hostileText,
          expiresAt: fc.oneof(hostileText, fc.constant('2999-01-01T00:00:00Z')),
        }),
        {
          maxLength: 2,
        },
      ),
      hostileJson,
    ),
  });
  const good = await createTestSubscription({ url: `${receiver.url}/good` });
  await fc.assert(
    fc.asyncProperty(settings, async (stored) => {
      // Settings DynamoDB cannot store (an empty nested value, say) can never poison a delivery.
      const bad = await createTestSubscription(stored as Partial<Subscription>).catch(() => undefined);
      fc.pre(bad !== undefined);
      if (!bad) return;
      const request = deliveryRequestFor([bad, good]);
      const before = receiver.requests.length;

      const response = await handler(sqsEvent([JSON.stringify(envelopeFor(request))]));

      const posted = receiver.requests.slice(before);
      const toGood = posted.filter((received) => received.path === '/good');
      expect(toGood).toHaveLength(1);
      expect(
        new Webhook(good.secret).verify(toGood[0]!.body, toGood[0]!.headers as Record<string, string>),
      ).toEqual(request.payload);
      expect(posted.every((received) => ['/good', '/bad'].includes(received.path))).toBe(true);
      expect((await getDelivery(request.tenantId, good.id, request.deliveryId))!.status).toBe('succeeded');
      const badRecord = await getDelivery(request.tenantId, bad.id, request.deliveryId);
      expect(badRecord!.attempts).toHaveLength(1);
      if (badRecord!.status === 'succeeded') {
        expect(posted.filter((received) => received.path === '/bad')).toHaveLength(1);
      } else {
        // Failed for its own reason, and kept for its retry: the good one is not posted to again.
        expect(badRecord!.status).toBe('pending');
        expect(badRecord!.attempts[0]!.error ?? String(badRecord!.attempts[0]!.statusCode)).toBeTruthy();
        expect(response.batchItemFailures).toHaveLength(1);
        const again = receiver.requests.length;
        await handler({ Records: sqsEvent([JSON.stringify(envelopeFor(request))], 2).Records });
        expect(receiver.requests.slice(again).filter((received) => received.path === '/good')).toEqual([]);
      }
    }),
    runs(40),
  );
});
