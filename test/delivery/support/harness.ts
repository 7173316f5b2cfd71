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
}

async function queueArn(queueUrl: string): Promise<string> {
  const { Attributes } = await sqs().send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return Attributes!.QueueArn!;
}

/** A fresh delivery queue and its DLQ, wired like the stack wires them for the current RETRY_SCHEDULE. */
export async function createQueues(
  name = `dlv-${Math.random().toString(36).slice(2, 8)}`,
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
  return { name, queueUrl: queueUrl!, queueArn: await queueArn(queueUrl!), dlqUrl: dlqUrl! };
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

function toRecord(queues: TestQueues, message: import('@aws-sdk/client-sqs').Message): SQSRecord {
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
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queues.queueArn,
    awsRegion: process.env.AWS_REGION ?? 'us-east-1',
  };
}

export interface PollResult {
  received: number;
  records: SQSRecord[];
  response: SQSBatchResponse;
}

/** One receive → handler → delete round. `deleteSuccesses: false` plays an invocation that died before returning. */
export async function pollOnce(
  queues: TestQueues,
  options: { deleteSuccesses?: boolean } = {},
): Promise<PollResult> {
  const { Messages = [] } = await sqs().send(
    new ReceiveMessageCommand({
      QueueUrl: queues.queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['All'],
    }),
  );
  if (Messages.length === 0) return { received: 0, records: [], response: { batchItemFailures: [] } };
  const event: SQSEvent = { Records: Messages.map((message) => toRecord(queues, message)) };
  const response = await handler(event);
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  const done = event.Records.filter((record) => !failed.has(record.messageId));
  if (done.length && options.deleteSuccesses !== false) {
    await sqs().send(
      new DeleteMessageBatchCommand({
        QueueUrl: queues.queueUrl,
        Entries: done.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
      }),
    );
  }
  return { received: Messages.length, records: event.Records, response };
}

/** Polls until a receive comes back empty (retry delays must be 0); returns each round's result. */
export async function drain(queues: TestQueues, maxRounds = 20): Promise<PollResult[]> {
  const rounds: PollResult[] = [];
  for (let round = 0; round < maxRounds; round++) {
    const result = await pollOnce(queues);
    if (result.received === 0) return rounds;
    rounds.push(result);
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
