/** The delivery function's CloudWatch metrics (embedded metric format lines on stdout). */
import { METRIC, METRICS_NAMESPACE } from '../../lambdas/shared/metrics';
import { useEmulators } from '../support/emulators';
import { createQueues, createTestSubscription, deliveryRequestFor, drain, enqueue } from './support/harness';
import { startReceiver, type Receiver } from './support/receiver';

interface EmfDocument {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  Status?: string;
  [metric: string]: unknown;
}

let emulators: Awaited<ReturnType<typeof useEmulators>>;
let receiver: Receiver;
const emitted: EmfDocument[] = [];

beforeAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  Object.assign(process.env, {
    RETRY_SCHEDULE: '0',
    ALLOW_PRIVATE_TARGETS: 'true',
    DELIVERY_TIMEOUT_MS: '1000',
  });
  emulators = await useEmulators();
  receiver = await startReceiver();
  const write = process.stdout.write.bind(process.stdout);
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = chunk.toString();
    if (text.includes('"_aws"')) {
      emitted.push(JSON.parse(text) as EmfDocument);
      return true;
    }
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  });
});
afterAll(async () => {
  jest.restoreAllMocks();
  await receiver.close();
  await emulators.stop();
});

/** Sum of a metric's values over the emitted documents with the given Status. */
function total(name: string, status: string): number {
  return emitted
    .filter((document) => document.Status === status)
    .flatMap((document) => [document[name]].flat())
    .reduce<number>((sum, value) => sum + (typeof value === 'number' ? value : 0), 0);
}

test('attempts, successes, failures, final failures and latency, by Status', async () => {
  receiver.reply({ status: 500 }, { status: 200 }, { status: 500 });
  const queues = await createQueues();
  const subscription = await createTestSubscription({ url: receiver.url });
  await enqueue(queues, deliveryRequestFor(subscription)); // 500 then 200
  await drain(queues);
  await enqueue(queues, deliveryRequestFor(subscription)); // 500, 500: failed
  await drain(queues);

  expect(emitted.length).toBeGreaterThan(0);
  for (const document of emitted) {
    expect(document._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: METRICS_NAMESPACE });
    expect(document._aws.CloudWatchMetrics[0]!.Dimensions[0]).toContain('Status');
  }
  expect(total(METRIC.deliveryAttempts, 'OPEN')).toBe(4);
  expect(total(METRIC.deliverySucceeded, 'OPEN')).toBe(1);
  expect(total(METRIC.deliveryAttemptFailed, 'OPEN')).toBe(3);
  expect(total(METRIC.deliveryRetried, 'OPEN')).toBe(2);
  expect(total(METRIC.deliveryFailed, 'OPEN')).toBe(1);
  expect(emitted.some((document) => METRIC.deliveryLatency in document)).toBe(true);
});
