/**
 * The delivery engine under test as it runs in AWS: a delivery queue with a dead-letter queue whose
 * redrive maxReceiveCount is maxAttempts(schedule), and a poller that does what the Lambda event source
 * mapping does: receive, build the SQS event, call the real handler, delete what it did not report as a
 * batch item failure.
 */
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { handler } from '../../../lambdas/delivery/handler';
import { sqs } from '../../../lambdas/shared/aws';
import { newId } from '../../../lambdas/shared/ids';
import { deliveryIdOf, envelopeFor, type DeliveryRequest } from '../../../lambdas/shared/events';
import { maxAttempts, parseRetrySchedule } from '../../../lambdas/shared/retry-schedule';
import { createSubscription, type Subscription } from '../../../lambdas/shared/subscriptions';

export interface TestQueues {
  name: string;
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  /** The slow lane, when created with `{ slowLane: true }` (the stack always has one). */
  slowLane?: { name: string; queueUrl: string; queueArn: string };
}

async function queueArn(queueUrl: string): Promise<string> {
  const { Attributes } = await sqs().send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return Attributes!.QueueArn!;
}

/**
 * A fresh delivery queue and its DLQ, wired like the stack wires them for the current RETRY_SCHEDULE;
 * with `slowLane`, also a slow lane with the same DLQ, named to the function as the stack names it
 * (SLOW_LANE_QUEUE_URLS, DEAD_LETTER_QUEUE_URLS). Without it, the function runs with the fast lane only.
 */
export async function createQueues(
  name = `dlv-${Math.random().toString(36).slice(2, 8)}`,
  options: { slowLane?: boolean } = {},
): Promise<TestQueues> {
  const { QueueUrl: dlqUrl } = await sqs().send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const redrive = {
    deadLetterTargetArn: await queueArn(dlqUrl!),
    maxReceiveCount: maxAttempts(parseRetrySchedule(process.env.RETRY_SCHEDULE)),
  };
  const { QueueUrl: queueUrl } = await sqs().send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify(redrive) },
    }),
  );
  const queues: TestQueues = {
    name,
    queueUrl: queueUrl!,
    queueArn: await queueArn(queueUrl!),
    dlqUrl: dlqUrl!,
  };
  delete process.env.SLOW_LANE_QUEUE_URLS;
  delete process.env.DEAD_LETTER_QUEUE_URLS;
  if (options.slowLane) {
    const slowName = `${name}-slow`;
    const { QueueUrl: slowUrl } = await sqs().send(
      new CreateQueueCommand({
        QueueName: slowName,
        Attributes: { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify(redrive) },
      }),
    );
    queues.slowLane = { name: slowName, queueUrl: slowUrl!, queueArn: await queueArn(slowUrl!) };
    const byStatus = (url: string) => JSON.stringify({ OPEN: url, CLICK: url, FAILED: url });
    process.env.SLOW_LANE_QUEUE_URLS = byStatus(slowUrl!);
    process.env.DEAD_LETTER_QUEUE_URLS = byStatus(dlqUrl!);
  }
  return queues;
}

export async function createTestSubscription(overrides: Partial<Subscription> = {}): Promise<Subscription> {
  const now = new Date().toISOString();
  const subscription: Subscription = {
    id: newId('sub'),
    tenantId: 'tn_test',
    url: 'http://127.0.0.1:9/',
    events: ['EMAIL_OPEN', 'EMAIL_FAILED'],
    status: 'active',
    secret: `whsec_${Buffer.alloc(32, 3).toString('base64')}`,
    retiredSecrets: [],
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
  await createSubscription(subscription);
  return subscription;
}

/** A queued event for one subscription, or for several (of one tenant). */
export function deliveryRequestFor(
  subscriptions: Subscription | Subscription[],
  eventId = newId('evt'),
): DeliveryRequest {
  const [first, ...rest] = [subscriptions].flat();
  return {
    deliveryId: deliveryIdOf(first!.tenantId, eventId, '2025-01-15T10:30:05.000Z'),
    tenantId: first!.tenantId,
    subscriptionIds: [first!, ...rest].map((subscription) => subscription.id),
    eventType: 'EMAIL_OPEN',
    payload: {
      eventType: 'OPEN',
      trackingId: 'trk_1',
      notificationId: 'welcome-email',
      channel: 'EMAIL',
      userId: 'user-1',
      id: eventId,
      occurredAt: '2025-01-15T10:30:05.000Z',
      provider: 'sendgrid',
      product: 'campaigns',
    },
  };
}

/** Queues one delivery as the EventBridge rule target would: the envelope as the message body. */
export async function enqueue(queues: TestQueues, body: DeliveryRequest | string): Promise<void> {
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: queues.queueUrl,
      MessageBody: typeof body === 'string' ? body : JSON.stringify(envelopeFor(body)),
    }),
  );
}

function toRecord(queueArn: string, message: import('@aws-sdk/client-sqs').Message): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body!,
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'test',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        { dataType: value.DataType ?? 'String', stringValue: value.StringValue },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: process.env.AWS_REGION ?? 'us-east-1',
  };
}

export interface PollResult {
  received: number;
  records: SQSRecord[];
  response: SQSBatchResponse;
}

/**
 * One receive → handler → delete round on the fast lane (or `lane: 'slow'`). `deleteSuccesses: false`
 * plays an invocation that died before returning.
 */
export async function pollOnce(
  queues: TestQueues,
  options: { deleteSuccesses?: boolean; lane?: 'fast' | 'slow' } = {},
): Promise<PollResult> {
  const queue = options.lane === 'slow' ? queues.slowLane! : queues;
  const { Messages = [] } = await sqs().send(
    new ReceiveMessageCommand({
      QueueUrl: queue.queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  if (Messages.length === 0) return { received: 0, records: [], response: { batchItemFailures: [] } };
  const event: SQSEvent = { Records: Messages.map((message) => toRecord(queue.queueArn, message)) };
  const response = await handler(event);
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  const done = event.Records.filter((record) => !failed.has(record.messageId));
  if (done.length && options.deleteSuccesses !== false) {
    await sqs().send(
      new DeleteMessageBatchCommand({
        QueueUrl: queue.queueUrl,
        Entries: done.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
      }),
    );
  }
  return { received: Messages.length, records: event.Records, response };
}

/**
 * Polls the fast lane, then the slow lane (if any), until both come back empty (retry delays must be 0);
 * returns each round that received something.
 */
export async function drain(queues: TestQueues, maxRounds = 20): Promise<PollResult[]> {
  const rounds: PollResult[] = [];
  for (let round = 0; round < maxRounds; round++) {
    const fast = await pollOnce(queues);
    const slow = queues.slowLane ? await pollOnce(queues, { lane: 'slow' }) : undefined;
    if (fast.received > 0) rounds.push(fast);
    if (slow && slow.received > 0) rounds.push(slow);
    if (fast.received === 0 && (slow?.received ?? 0) === 0) return rounds;
  }
  throw new Error(`queue not drained after ${maxRounds} rounds`);
}

/** Every message waiting in a queue (e.g. the DLQ), received and left invisible. */
export async function receiveAll(queueUrl: string): Promise<import('@aws-sdk/client-sqs').Message[]> {
  const { Messages = [] } = await sqs().send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  return Messages;
}
