/**
 * Operator command: sends dead-lettered deliveries back to their delivery queue for a fresh round of
 * attempts, against the local mode or a deployed stack:
 *
 *   npm run redrive -- <OPEN|CLICK|FAILED|all> [--max N] [--local | --outputs cdk-outputs.json]
 *
 * Two dead-letter queues feed each delivery queue, and both are drained: the queue's own (deliveries that
 * failed every attempt) and its EventBridge rule target's (events EventBridge could not put on the
 * queue; they never reached the delivery function, so they go to it now for their first attempt).
 *
 * Each message is received from the dead-letter queue, sent to the source queue as a new message (so
 * its receive count, and with it the retry schedule, starts afresh), then deleted from the DLQ. This
 * works on every SQS, including the local emulator, which has no `StartMessageMoveTask`. A message is
 * deleted only after its copy was accepted, so a failure leaves it in the DLQ (at worst, after a crash
 * between the two steps, it is delivered twice; receivers dedupe on `webhook-id`).
 */
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { ATTEMPTS_MADE_FIELD } from '../lambdas/delivery/retry-scheduler';
import { sqs } from '../lambdas/shared/aws';
import { STATUSES, type Status } from '../lambdas/shared/catalog';
import { setDeliveryStatus } from '../lambdas/shared/deliveries';
import {
  DeliveryQueueUrlsSchema,
  DeliveryRequestSchema,
  type DeliveryQueueUrls,
} from '../lambdas/shared/events';
import { useTarget } from './target';

const USAGE = `usage: npm run redrive -- <OPEN|CLICK|FAILED|all> [--max N] [--local | --outputs <cdk-outputs.json>]
  moves dead-lettered deliveries back to their delivery queue (at most N messages per event type)`;

/** How long a received DLQ message stays hidden while it is copied; one that fails to copy reappears after it. */
const RECEIVE_VISIBILITY_SECONDS = 60;

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

const consoleIo: Io = { out: (line) => console.log(line), err: (line) => console.error(line) };

export interface RedriveResult {
  moved: number;
  failed: number;
}

/**
 * Marks the failed deliveries a message carries as pending again, so the log shows them back in the
 * queue (the delivery function posts the event again to those, not to subscriptions it reached).
 */
async function markPending(message: Message): Promise<void> {
  if (!process.env.DELIVERIES_TABLE) return;
  try {
    const parsed = DeliveryRequestSchema.safeParse(
      (JSON.parse(message.Body ?? '') as { detail?: unknown }).detail,
    );
    if (!parsed.success) return;
    const { tenantId, deliveryId, subscriptionIds } = parsed.data;
    await Promise.all(
      subscriptionIds.map((id) => setDeliveryStatus(tenantId, deliveryId, id, 'pending', 'failed')),
    );
  } catch {
    // Not a delivery envelope: it is moved all the same, and the delivery function drops it.
  }
}

/**
 * The body to send back: without the attempts a retry carried through EventBridge Scheduler
 * (docs/delivery.md, "The long tail"), so a redriven delivery starts a fresh schedule.
 */
function freshBody(body: string): string {
  if (!body.includes(`"${ATTEMPTS_MADE_FIELD}"`)) return body;
  try {
    const envelope = JSON.parse(body) as Record<string, unknown>;
    delete envelope[ATTEMPTS_MADE_FIELD];
    return JSON.stringify(envelope);
  } catch {
    return body;
  }
}

/**
 * Moves up to `max` messages from one dead-letter queue to its source queue. `keepAttributes: false`
 * drops the message attributes (those EventBridge adds to a target's dead letter describe its failure,
 * not the event).
 */
export async function redrive(
  deadLetterQueueUrl: string,
  queueUrl: string,
  max: number,
  { keepAttributes = true }: { keepAttributes?: boolean } = {},
): Promise<RedriveResult> {
  const result: RedriveResult = { moved: 0, failed: 0 };
  while (result.moved + result.failed < max) {
    const { Messages = [] } = await sqs().send(
      new ReceiveMessageCommand({
        QueueUrl: deadLetterQueueUrl,
        MaxNumberOfMessages: Math.min(10, max - result.moved - result.failed),
        VisibilityTimeout: RECEIVE_VISIBILITY_SECONDS,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) break;
    const sent = await sqs().send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((message, index) => ({
          Id: String(index),
          MessageBody: freshBody(message.Body!),
          ...(keepAttributes && { MessageAttributes: message.MessageAttributes }),
        })),
      }),
    );
    const copied = (sent.Successful ?? []).map((entry) => Messages[Number(entry.Id)]!);
    result.failed += Messages.length - copied.length;
    if (copied.length === 0) continue;
    await Promise.all(copied.map(markPending));
    const deleted = await sqs().send(
      new DeleteMessageBatchCommand({
        QueueUrl: deadLetterQueueUrl,
        Entries: copied.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle!,
        })),
      }),
    );
    // A copy whose original could not be deleted stays in the DLQ too (a second run would deliver it
    // twice; receivers dedupe on webhook-id): it counts as failed.
    const undeleted = deleted.Failed?.length ?? 0;
    result.moved += copied.length - undeleted;
    result.failed += undeleted;
  }
  return result;
}

function queueUrls(name: string): DeliveryQueueUrls | undefined {
  const value = process.env[name];
  if (!value) return undefined;
  try {
    return DeliveryQueueUrlsSchema.parse(JSON.parse(value));
  } catch {
    throw new Error(`${name} must be JSON {"OPEN","CLICK","FAILED"} → queue URL`);
  }
}

/** Runs the command; returns the process exit code. */
export async function main(argv: string[], io: Io = consoleIo): Promise<number> {
  let rest: string[];
  let description: string;
  try {
    ({
      rest,
      target: { description },
    } = useTarget(argv));
  } catch (error) {
    io.err(`error: ${(error as Error).message}`);
    return 1;
  }
  const maxAt = rest.indexOf('--max');
  let max = Number.POSITIVE_INFINITY;
  if (maxAt >= 0) {
    const [, value] = rest.splice(maxAt, 2);
    max = Number(value);
    if (!Number.isInteger(max) || max < 1) {
      io.err('error: --max needs a whole number of messages, at least 1');
      return 1;
    }
  }
  const [which, ...extra] = rest;
  const wanted = which?.toUpperCase();
  const statuses: readonly Status[] | undefined =
    wanted === 'ALL' ? STATUSES : STATUSES.find((status) => status === wanted) && [wanted as Status];
  if (!statuses || extra.length > 0) {
    io.err(USAGE);
    return 1;
  }

  let deadLetterQueues: DeliveryQueueUrls | undefined;
  let targetDeadLetterQueues: DeliveryQueueUrls | undefined;
  let deliveryQueues: DeliveryQueueUrls | undefined;
  try {
    deadLetterQueues = queueUrls('DEAD_LETTER_QUEUE_URLS');
    targetDeadLetterQueues = queueUrls('TARGET_DEAD_LETTER_QUEUE_URLS');
    deliveryQueues = queueUrls('DELIVERY_QUEUE_URLS');
  } catch (error) {
    io.err(`error: ${(error as Error).message}`);
    return 1;
  }
  if (!deadLetterQueues || !deliveryQueues) {
    io.err(
      'error: no target: run `npm start` first, pass --outputs <cdk-outputs.json>, ' +
        'or set DEAD_LETTER_QUEUE_URLS and DELIVERY_QUEUE_URLS',
    );
    return 1;
  }

  let exitCode = 0;
  for (const status of statuses) {
    try {
      const dead = await redrive(deadLetterQueues[status], deliveryQueues[status], max);
      const unqueued = targetDeadLetterQueues
        ? await redrive(
            targetDeadLetterQueues[status],
            deliveryQueues[status],
            max - dead.moved - dead.failed,
            { keepAttributes: false },
          )
        : { moved: 0, failed: 0 };
      const moved = dead.moved + unqueued.moved;
      const failed = dead.failed + unqueued.failed;
      const fromTarget = unqueued.moved
        ? `, ${unqueued.moved} of them from the rule target's dead-letter queue`
        : '';
      io.out(
        `${status}: ${moved} moved back to the delivery queue${fromTarget}${failed ? `, ${failed} failed` : ''} (${description})`,
      );
      if (failed) exitCode = 1;
    } catch (error) {
      io.err(`error: ${status}: ${(error as Error).message}`);
      exitCode = 1;
    }
  }
  return exitCode;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
