/**
 * A local SQS event source mapping: long-polls one queue and invokes a function with real SQS events,
 * as Lambda's event source mapping does — batches of up to `BatchSize`, gathered for up to
 * `MaximumBatchingWindowInSeconds`; with `ReportBatchItemFailures`, the records the function lists in
 * `batchItemFailures` stay in the queue and the rest are deleted; if the function throws, nothing is
 * deleted. Visibility timeouts, receive counts and the move to the dead-letter queue are the SQS
 * emulator's own.
 */
import { createHash } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export interface PollerOptions {
  /** Short name for the log, e.g. `OpenQueue`. */
  label: string;
  queueUrl: string;
  queueArn: string;
  region: string;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  reportBatchItemFailures: boolean;
  /** Batches in flight at once (the mapping's MaximumConcurrency). */
  maximumConcurrency: number;
  client: SQSClient;
  invoke(event: SQSEvent): Promise<unknown>;
  /** The queue's RedrivePolicy, so the log can say which attempt is the last and where it goes. */
  redrive?: { maxReceiveCount: number; deadLetterLabel: string };
  /** Long-poll wait per receive; short, so `stop()` returns quickly. */
  waitTimeSeconds?: number;
  log?(line: string): void;
}

export interface Poller {
  /** Stops receiving, waits for the batches in flight, and resolves. */
  stop(): Promise<void>;
}

const SYSTEM_ATTRIBUTES = [
  'ApproximateReceiveCount',
  'SentTimestamp',
  'SenderId',
  'ApproximateFirstReceiveTimestamp',
] as const;

/** The SQS event Lambda builds from received messages. */
export function toSqsEvent(messages: readonly Message[], queueArn: string, region: string): SQSEvent {
  return {
    Records: messages.map((message): SQSRecord => {
      const body = message.Body ?? '';
      const attributes = message.Attributes ?? {};
      return {
        messageId: message.MessageId!,
        receiptHandle: message.ReceiptHandle!,
        body,
        attributes: {
          ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
          SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
          SenderId: attributes.SenderId ?? '000000000000',
          ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        },
        messageAttributes: Object.fromEntries(
          Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
            name,
            {
              dataType: value.DataType ?? 'String',
              ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
              ...(value.BinaryValue !== undefined
                ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
                : {}),
            },
          ]),
        ),
        md5OfBody: message.MD5OfBody ?? createHash('md5').update(body, 'utf8').digest('hex'),
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: region,
      };
    }),
  };
}

/**
 * The records to delete after an invocation, as Lambda decides: none if the function threw; with
 * ReportBatchItemFailures, all but the reported ones (all kept if a reported id is not in the batch);
 * otherwise all.
 */
export function recordsToDelete(
  event: SQSEvent,
  outcome: { threw: true } | { threw: false; result: unknown },
  reportBatchItemFailures: boolean,
): SQSRecord[] {
  if (outcome.threw) return [];
  if (!reportBatchItemFailures) return event.Records;
  const failures = (outcome.result as Partial<SQSBatchResponse> | null | undefined)?.batchItemFailures ?? [];
  if (!Array.isArray(failures)) return [];
  const ids = new Set(event.Records.map((record) => record.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown })?.itemIdentifier;
    if (typeof id !== 'string' || !ids.has(id)) return [];
    failed.add(id);
  }
  return event.Records.filter((record) => !failed.has(record.messageId));
}

/** What the log shows for a record: the delivery id when the body is a delivery envelope. */
function describe(record: SQSRecord): string {
  try {
    const deliveryId = (JSON.parse(record.body) as { detail?: { deliveryId?: unknown } }).detail?.deliveryId;
    if (typeof deliveryId === 'string') return deliveryId;
  } catch {
    // not JSON
  }
  return `message ${record.messageId}`;
}

export function startPoller(options: PollerOptions): Poller {
  const waitTimeSeconds = options.waitTimeSeconds ?? 1;
  const inFlight = new Set<Promise<void>>();
  let stopping = false;

  const receive = async (max: number, wait: number): Promise<Message[]> => {
    const { Messages = [] } = await options.client.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: wait,
        AttributeNames: ['All'],
        MessageSystemAttributeNames: [...SYSTEM_ATTRIBUTES],
        MessageAttributeNames: ['All'],
      }),
    );
    return Messages;
  };

  /** One batch: what arrives within the wait, topped up until the batching window closes or it is full. */
  const nextBatch = async (): Promise<Message[]> => {
    const batch = await receive(options.batchSize, waitTimeSeconds);
    if (batch.length === 0) return batch;
    const windowEnds = Date.now() + options.maximumBatchingWindowInSeconds * 1000;
    while (batch.length < options.batchSize && Date.now() < windowEnds && !stopping) {
      const more = await receive(options.batchSize - batch.length, 0);
      batch.push(...more);
      if (more.length === 0) await delay(Math.min(50, Math.max(0, windowEnds - Date.now())));
    }
    return batch;
  };

  const invoke = async (messages: Message[]): Promise<void> => {
    const event = toSqsEvent(messages, options.queueArn, options.region);
    let outcome: { threw: true } | { threw: false; result: unknown };
    try {
      outcome = { threw: false, result: await options.invoke(event) };
    } catch (error) {
      options.log?.(`poller ${options.label}: function failed: ${(error as Error).message}`);
      outcome = { threw: true };
    }
    const toDelete = recordsToDelete(event, outcome, options.reportBatchItemFailures);
    const deleted = new Set(toDelete.map((record) => record.messageId));
    for (const record of event.Records) {
      const attempt = Number(record.attributes.ApproximateReceiveCount);
      const last = options.redrive && attempt >= options.redrive.maxReceiveCount;
      const outcome = deleted.has(record.messageId)
        ? 'done'
        : last
          ? `last attempt failed: moved to ${options.redrive!.deadLetterLabel} on its next receive`
          : 'kept in the queue for a retry';
      options.log?.(`delivery: ${options.label} ${describe(record)} attempt ${attempt} → ${outcome}`);
    }
    for (let i = 0; i < toDelete.length; i += 10) {
      const chunk = toDelete.slice(i, i + 10);
      const result = await options.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: options.queueUrl,
          Entries: chunk.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
        }),
      );
      if (result.Failed?.length) {
        options.log?.(`poller ${options.label}: ${result.Failed.length} message(s) not deleted`);
      }
    }
  };

  const loop = (async () => {
    while (!stopping) {
      if (inFlight.size >= options.maximumConcurrency) {
        await Promise.race(inFlight);
        continue;
      }
      let messages: Message[];
      try {
        messages = await nextBatch();
      } catch (error) {
        if (stopping) break;
        options.log?.(`poller ${options.label}: receive failed: ${(error as Error).message}`);
        await delay(1000);
        continue;
      }
      if (messages.length === 0) continue;
      const batch: Promise<void> = invoke(messages)
        .catch((error: unknown) => {
          options.log?.(`poller ${options.label}: ${(error as Error).message}`);
        })
        .finally(() => inFlight.delete(batch));
      inFlight.add(batch);
    }
    await Promise.all(inFlight);
  })();

  return {
    stop: async () => {
      stopping = true;
      await loop;
    },
  };
}
