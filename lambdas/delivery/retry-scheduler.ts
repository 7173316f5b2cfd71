/**
 * A retry that waits longer than SQS can hold a message invisible becomes a one-time EventBridge
 * Scheduler schedule: at the retry's time it sends the message back to the queue it came from (the
 * Scheduler's templated SQS target), and the Scheduler deletes it once it has (ActionAfterCompletion
 * DELETE). The delivery function deletes the message from its queue only once the schedule exists.
 *
 * The Scheduler's SQS target cannot set message attributes, so the attempts already made ride in the
 * message body, as the envelope's `attemptsMade` field (process.ts reads it back).
 *
 * The schedule's name is a hash of the delivery, its subscriptions, the attempt and the queue, and its
 * time is the delivery's jittered delay (retry-schedule.ts), so a round processed twice asks for the
 * same schedule at the same time, and the second request is a duplicate (ConflictException) rather
 * than a second retry.
 */
import { createHash } from 'node:crypto';
import { ConflictException, CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { scheduler } from '../shared/aws';

/** The envelope field that carries the attempts made before a message came back through the Scheduler. */
export const ATTEMPTS_MADE_FIELD = 'attemptsMade';

/** EventBridge Scheduler's retry policy for the SendMessage: its longest (24 hours, 185 tries). */
const TARGET_RETRY_POLICY = { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 } as const;

export interface RetrySchedulerSettings {
  groupName: string;
  roleArn: string;
  deadLetterQueueArn: string;
}

export interface ScheduledRetry {
  deliveryId: string;
  subscriptionIds: readonly string[];
  /** The attempt that just failed (or was deferred): the attempts made so far. */
  attempt: number;
  /** The queue the message came from, and goes back to. */
  queueArn: string;
  /** The message body to send back (the envelope, with `attemptsMade`). */
  body: string;
  /** When the retry is due. */
  at: Date;
}

/** The schedule's name: at most 64 of [0-9a-zA-Z-_.], the same for the same retry. */
export function scheduleName(
  retry: Pick<ScheduledRetry, 'deliveryId' | 'subscriptionIds' | 'attempt' | 'queueArn'>,
): string {
  const key = [
    retry.deliveryId,
    [...retry.subscriptionIds].sort().join(','),
    retry.attempt,
    retry.queueArn,
  ].join('|');
  return `retry-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

/**
 * `at(yyyy-mm-ddThh:mm:ss)` in UTC, rounded up to the next whole second (the expression has no
 * fractions; never earlier than asked).
 */
export function atExpression(at: Date): string {
  const seconds = Math.ceil(at.getTime() / 1000) * 1000;
  return `at(${new Date(seconds).toISOString().slice(0, 19)})`;
}

/** The message body with the attempts made so far in it (the envelope's `attemptsMade`). */
export function bodyWithAttempts(body: string, attemptsMade: number): string {
  const envelope = JSON.parse(body) as Record<string, unknown>;
  envelope[ATTEMPTS_MADE_FIELD] = attemptsMade;
  return JSON.stringify(envelope);
}

/**
 * Creates the retry's schedule. Resolves once it exists (also when it already did: a repeated
 * round); rejects when the Scheduler refused it, and the caller keeps the message in its queue.
 */
export async function scheduleRetry(
  retry: ScheduledRetry,
  settings: RetrySchedulerSettings,
): Promise<string> {
  const name = scheduleName(retry);
  try {
    await scheduler().send(
      new CreateScheduleCommand({
        Name: name,
        GroupName: settings.groupName,
        ScheduleExpression: atExpression(retry.at),
        ScheduleExpressionTimezone: 'UTC',
        // Exactly at the retry's time: the jitter is already in it.
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Description: `event-relay retry ${retry.attempt + 1} of delivery ${retry.deliveryId}`.slice(0, 512),
        ClientToken: name,
        Target: {
          Arn: retry.queueArn,
          RoleArn: settings.roleArn,
          Input: retry.body,
          DeadLetterConfig: { Arn: settings.deadLetterQueueArn },
          RetryPolicy: TARGET_RETRY_POLICY,
        },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConflictException) && (error as Error).name !== 'ConflictException') throw error;
  }
  return name;
}
