/**
 * A replay's `sent` and `failed` counts: the delivery function adds each re-sent delivery to its job
 * when it settles (succeeded, or failed after its retries), not at an attempt that a retry follows, and
 * only deliveries a replay queued (their message names its replayId). Real handler, emulators, a real
 * receiver.
 */
import { clearQueueUrls } from '../../lambdas/delivery/queue-urls';
import { getJob, startJob, type ReplayJob } from '../../lambdas/replay/jobs';
import { newId } from '../../lambdas/shared/ids';
import { useEmulators } from '../support/emulators';
import {
  createQueues,
  createTestSubscription,
  deliveryRequestFor,
  drain,
  enqueue,
  pollOnce,
  type TestQueues,
} from './support/harness';
import { startReceiver, type Receiver } from './support/receiver';

let emulators: Awaited<ReturnType<typeof useEmulators>>;
let receiver: Receiver;
let queues: TestQueues;

beforeAll(async () => {
  emulators = await useEmulators();
});
afterAll(() => emulators.stop());

beforeEach(async () => {
  Object.assign(process.env, {
    RETRY_SCHEDULE: '0,0',
    ALLOW_PRIVATE_TARGETS: 'true',
    DELIVERY_TIMEOUT_MS: '300',
    DELIVERY_LOG_TTL_DAYS: '30',
    BREAKER_FAILURE_THRESHOLD: '100',
  });
  clearQueueUrls();
  receiver = await startReceiver();
  queues = await createQueues();
});
afterEach(() => receiver.close());

async function replayJob(tenantId: string, subscriptionId: string): Promise<ReplayJob> {
  const now = new Date().toISOString();
  const job: ReplayJob = {
    replayId: newId('rpl'),
    tenantId,
    subscriptionId,
    kind: 'replay',
    selection: 'all',
    since: now,
    until: now,
    state: 'finished',
    ratePerSecond: 10,
    queued: 3,
    skipped: 0,
    step: 1,
    createdAt: now,
    updatedAt: now,
    expiresAt: Math.floor(Date.now() / 1000) + 86_400,
  };
  await startJob(job);
  return job;
}

test('counts a re-sent delivery once it settles: succeeded after a retry, failed after the last one; an ordinary delivery not at all', async () => {
  const subscription = await createTestSubscription({ url: `${receiver.url}/hook` });
  const job = await replayJob(subscription.tenantId, subscription.id);
  const progress = async () => {
    const { succeeded, failed } = (await getJob(job.tenantId, job.subscriptionId, job.replayId))!;
    return { succeeded, failed };
  };

  // 500 then 200: nothing counted at the failed attempt (a retry follows), one success after it.
  receiver.reply({ status: 500 }, { status: 200 });
  await enqueue(queues, { ...deliveryRequestFor(subscription), replayId: job.replayId });
  await pollOnce(queues);
  expect(await progress()).toEqual({ succeeded: undefined, failed: undefined });
  await drain(queues);
  expect(await progress()).toEqual({ succeeded: 1, failed: 0 });

  // Failing every attempt: counted as failed once, after the last.
  receiver.reply({ status: 500 });
  await enqueue(queues, { ...deliveryRequestFor(subscription), replayId: job.replayId });
  await drain(queues);
  expect(receiver.requests).toHaveLength(5);
  expect(await progress()).toEqual({ succeeded: 1, failed: 1 });

  // A delivery no replay queued leaves the job alone; one of a job that is gone changes nothing.
  receiver.reply({ status: 200 });
  await enqueue(queues, deliveryRequestFor(subscription));
  await enqueue(queues, { ...deliveryRequestFor(subscription), replayId: newId('rpl') });
  await drain(queues);
  expect(receiver.requests).toHaveLength(7);
  expect(await progress()).toEqual({ succeeded: 1, failed: 1 });
});
