/**
 * Issue 12, class 5: a subscription whose stored settings cannot be sent fails its own delivery alone.
 * The real delivery handler, the SQS and DynamoDB emulators and a real receiver on 127.0.0.1.
 */
import { getDelivery } from '../../lambdas/shared/deliveries';
import type { Subscription } from '../../lambdas/shared/subscriptions';
import {
  createTestSubscription,
  deliveryRequestFor,
  drain,
  enqueue,
  receiveAll,
  type TestQueues,
} from './support/harness';
import { type Receiver } from './support/receiver';
import { useDeliverySuite } from './support/suite';

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
);

/** Settings written before validation refused them (or by hand): each one breaks only its own delivery. */
const poisons: [string, (url: string) => Partial<Subscription>, RegExp][] = [
  ['a header value outside Latin-1', (url) => ({ url, headers: { 'X-Note': 'café ✓' } }), /header/i],
  ['a header name Node refuses', (url) => ({ url, headers: { 'Bad Name': 'x' } }), /header/i],
  ['a URL that no longer parses', () => ({ url: 'http://exa mple.com:99999/' }), /invalid URL/],
  [
    'retired secrets that are not a list',
    (url) => ({ url, retiredSecrets: 'oops' as unknown as Subscription['retiredSecrets'] }),
    /cannot be delivered/,
  ],
  ['no signing secret', (url) => ({ url, secret: undefined as unknown as string }), /secret/],
];

test.each(poisons)(
  '%s: that delivery fails with its reason; the event’s other subscriber gets it exactly once',
  async (_name, poison, reason) => {
    const good = await createTestSubscription({ url: `${receiver.url}/good` });
    const bad = await createTestSubscription(poison(`${receiver.url}/bad`));
    const request = deliveryRequestFor([bad, good]);
    await enqueue(queues, request);

    await drain(queues);

    expect(receiver.requests.map((r) => r.path)).toEqual(['/good']);
    expect(await getDelivery(request.tenantId, good.id, request.deliveryId)).toMatchObject({
      status: 'succeeded',
    });
    const badRecord = await getDelivery(request.tenantId, bad.id, request.deliveryId);
    expect(badRecord!.status).toBe('failed');
    expect(badRecord!.attempts).toHaveLength(3);
    for (const attempt of badRecord!.attempts) expect(attempt.error).toMatch(reason);
    // Failed after its last attempt, the message waits in the dead-letter queue for a redrive.
    expect(await receiveAll(queues.dlqUrl)).toHaveLength(1);
  },
);
