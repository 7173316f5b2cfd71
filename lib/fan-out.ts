/**
 * The fan-out: an EventBridge bus with an archive, and per normalized status one rule feeding one
 * delivery queue, each with its own dead-letter queue. The redrive `maxReceiveCount` is derived from the
 * retry schedule, so the schedule is configured once.
 *
 * Each rule target has a dead-letter queue of its own too: an event the delivery queue refuses (or
 * cannot be reached for) is retried by EventBridge for up to 24 hours and then lands there instead of
 * being dropped without a trace. An alarm watches it and `npm run redrive` moves it on to the queue.
 */
import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import { Archive, EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { STATUSES, type Status } from '../lambdas/shared/catalog';
import { EVENT_SOURCE, rulePattern } from '../lambdas/shared/events';
import { maxAttempts, type RetrySchedule } from '../lambdas/shared/retry-schedule';
import { createDeadLetterQueue, QUEUE_RETENTION } from './dead-letter-queue';

export interface FanOutProps {
  readonly retrySchedule: RetrySchedule;
  /** Visibility timeout of the delivery queues (at least six times the delivery function's timeout). */
  readonly visibilityTimeout: Duration;
  /** Days the archive keeps events; 0 keeps them forever. */
  readonly archiveRetentionDays: number;
  readonly removalPolicy: RemovalPolicy;
}

export interface StatusQueues {
  /** The fast lane: every delivery starts here. */
  readonly queue: Queue;
  /** The slow lane: deliveries to endpoints that do not answer within the fast lane's limit. */
  readonly slowQueue: Queue;
  readonly deadLetterQueue: Queue;
  /** Where EventBridge puts the events of the rule it could not deliver to `queue`. */
  readonly targetDeadLetterQueue: Queue;
  readonly rule: Rule;
}

/** EventBridge's longest retry policy for a rule target: 24 hours, 185 attempts. */
export const TARGET_RETRY = { maxEventAge: Duration.hours(24), retryAttempts: 185 } as const;

/** `OPEN` → `Open`, for construct ids. */
export function statusId(status: Status): string {
  return status.charAt(0) + status.slice(1).toLowerCase();
}

export class FanOut extends Construct {
  readonly bus: EventBus;
  readonly archive: Archive;
  readonly queues: Readonly<Record<Status, StatusQueues>>;

  constructor(scope: Construct, id: string, props: FanOutProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', {
      description: 'event-relay: one event per delivery to a subscription',
    });
    this.archive = this.bus.archive('Archive', {
      description: 'Every event-relay delivery event, for replay',
      eventPattern: { source: [EVENT_SOURCE] },
      retention: Duration.days(props.archiveRetentionDays),
    });

    const maxReceiveCount = maxAttempts(props.retrySchedule);
    const entries = STATUSES.map((status): [Status, StatusQueues] => {
      const name = statusId(status);
      const deadLetterQueue = createDeadLetterQueue(
        this,
        `${name}DeadLetterQueue`,
        props.removalPolicy,
        'a delivery queue',
      );
      // Both lanes share the dead-letter queue and receive limit: a delivery ends up in one place
      // whichever lane it took.
      const lane = (id: string) =>
        new Queue(this, id, {
          encryption: QueueEncryption.SQS_MANAGED,
          enforceSSL: true,
          retentionPeriod: QUEUE_RETENTION,
          visibilityTimeout: props.visibilityTimeout,
          deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount },
          removalPolicy: props.removalPolicy,
        });
      const queue = lane(`${name}Queue`);
      const targetDeadLetterQueue = createDeadLetterQueue(
        this,
        `${name}TargetDeadLetterQueue`,
        props.removalPolicy,
        'an EventBridge rule target',
      );
      const slowQueue = lane(`${name}SlowQueue`);
      const pattern = rulePattern(status);
      const rule = new Rule(this, `${name}Rule`, {
        eventBus: this.bus,
        description: `event-relay ${status} deliveries to their queue`,
        eventPattern: { source: pattern.source, detailType: pattern['detail-type'] },
        targets: [new SqsQueue(queue, { deadLetterQueue: targetDeadLetterQueue, ...TARGET_RETRY })],
      });
      return [status, { queue, slowQueue, deadLetterQueue, targetDeadLetterQueue, rule }];
    });
    this.queues = Object.fromEntries(entries) as Record<Status, StatusQueues>;
  }

  /** `{ "OPEN": url, "CLICK": url, "FAILED": url }` of one kind of queue, as a JSON string. */
  queueUrlsJson(kind: 'queue' | 'slowQueue' | 'deadLetterQueue' | 'targetDeadLetterQueue'): string {
    return Stack.of(this).toJsonString(
      Object.fromEntries(STATUSES.map((status) => [status, this.queues[status][kind].queueUrl])),
    );
  }
}
