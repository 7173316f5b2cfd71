/** The local event source mapping against the SQS emulator: batches, partial failures, and throws. */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { startFauxqsServer, type Emulator } from '../../local/emulators';
import { recordsToDelete, startPoller, toSqsEvent, type PollerOptions } from '../../local/poller';

let emulator: Emulator;
let client: SQSClient;

beforeAll(async () => {
  emulator = await startFauxqsServer();
  client = new SQSClient({ endpoint: emulator.endpoint, useQueueUrlAsEndpoint: false });
});

afterAll(async () => {
  client.destroy();
  await emulator.stop();
});

async function queueWith(name: string, bodies: string[]): Promise<{ url: string; arn: string }> {
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '60' } }),
  );
  await client.send(
    new SendMessageBatchCommand({
      QueueUrl,
      Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
    }),
  );
  const { Attributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

async function counts(url: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
  };
}

/** Runs a poller until it has handed `expected` records to the function, then stops it. */
async function pollOnce(
  queue: { url: string; arn: string },
  expected: number,
  respond: (event: SQSEvent) => Promise<unknown>,
  extra: Pick<PollerOptions, 'redrive' | 'log'> = {},
): Promise<SQSEvent[]> {
  const events: SQSEvent[] = [];
  let seen = 0;
  let done!: () => void;
  const allSeen = new Promise<void>((resolve) => (done = resolve));
  const poller = startPoller({
    label: 'test',
    queueUrl: queue.url,
    queueArn: queue.arn,
    region: 'us-east-1',
    batchSize: 10,
    maximumBatchingWindowInSeconds: 0,
    reportBatchItemFailures: true,
    maximumConcurrency: 2,
    ...extra,
    client,
    invoke: async (event) => {
      events.push(event);
      seen += event.Records.length;
      try {
        return await respond(event);
      } finally {
        if (seen >= expected) done();
      }
    },
  });
  await allSeen;
  await poller.stop();
  return events;
}

it('invokes with real SQS records and deletes all but the reported failures', async () => {
  const queue = await queueWith('poller-partial', ['one', 'two', 'three']);

  const events = await pollOnce(queue, 3, async (event) => ({
    batchItemFailures: event.Records.filter((r) => r.body === 'two').map((r) => ({
      itemIdentifier: r.messageId,
    })),
  }));

  const records = events.flatMap((event) => event.Records);
  expect(records.map((record) => record.body).sort()).toEqual(['one', 'three', 'two']);
  expect(records[0]).toEqual(
    expect.objectContaining({
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: 'us-east-1',
      md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      attributes: expect.objectContaining({
        ApproximateReceiveCount: '1',
        SentTimestamp: expect.stringMatching(/^\d+$/),
        ApproximateFirstReceiveTimestamp: expect.stringMatching(/^\d+$/),
      }),
    }),
  );
  expect(await counts(queue.url)).toEqual({ visible: 0, inFlight: 1 });
});

it('deletes nothing when the function throws', async () => {
  const queue = await queueWith('poller-throws', ['a', 'b']);

  await pollOnce(queue, 2, () => Promise.reject(new Error('crash')));

  expect(await counts(queue.url)).toEqual({ visible: 0, inFlight: 2 });
});

it('logs each record: done, kept for a retry, or failed for good on the last attempt', async () => {
  const lines: string[] = [];
  const failTwo = async (event: SQSEvent) => ({
    batchItemFailures: event.Records.filter((r) => r.body === 'two').map((r) => ({
      itemIdentifier: r.messageId,
    })),
  });
  const log = (line: string) => lines.push(line);

  await pollOnce(await queueWith('poller-log-retry', ['one', 'two']), 2, failTwo, {
    log,
    redrive: { maxReceiveCount: 2, deadLetterLabel: 'TestDeadLetterQueue' },
  });
  await pollOnce(await queueWith('poller-log-last', ['two']), 1, failTwo, {
    log,
    redrive: { maxReceiveCount: 1, deadLetterLabel: 'TestDeadLetterQueue' },
  });

  expect(lines.map((line) => line.replace(/message \S+/, 'message <id>')).sort()).toEqual([
    'delivery: test message <id> attempt 1 → done',
    'delivery: test message <id> attempt 1 → kept in the queue for a retry',
    'delivery: test message <id> attempt 1 → last attempt failed: moved to TestDeadLetterQueue on its next receive',
  ]);
});

describe('recordsToDelete', () => {
  const event = toSqsEvent(
    [
      { MessageId: 'm1', ReceiptHandle: 'r1', Body: 'x' },
      { MessageId: 'm2', ReceiptHandle: 'r2', Body: 'y' },
    ],
    'arn:aws:sqs:us-east-1:000000000000:q',
    'us-east-1',
  );
  const ids = (records: { messageId: string }[]) => records.map((record) => record.messageId);

  it.each([
    ['an empty response', { batchItemFailures: [] }, ['m1', 'm2']],
    ['no response', undefined, ['m1', 'm2']],
    ['a reported failure', { batchItemFailures: [{ itemIdentifier: 'm2' }] }, ['m1']],
    ['a failure naming no record of the batch', { batchItemFailures: [{ itemIdentifier: 'zz' }] }, []],
  ])('with %s', (_, result, expected) => {
    expect(ids(recordsToDelete(event, { threw: false, result }, true))).toEqual(expected);
  });

  it('deletes everything on success without ReportBatchItemFailures, nothing on a throw', () => {
    expect(
      ids(
        recordsToDelete(
          event,
          { threw: false, result: { batchItemFailures: [{ itemIdentifier: 'm1' }] } },
          false,
        ),
      ),
    ).toEqual(['m1', 'm2']);
    expect(recordsToDelete(event, { threw: true }, true)).toEqual([]);
  });
});
