/**
 * The replay queue: each message runs one step of a replay or catch-up (lambdas/replay), and queues
 * the next step with a delay, so a long replay is a chain of messages rather than a polling loop. A
 * step that keeps failing goes to the dead-letter queue after five receives; its job's lock then goes
 * stale and the subscription can start another.
 */
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createDeadLetterQueue, QUEUE_RETENTION } from './dead-letter-queue';

export interface ReplayQueuesProps {
  /** At least six times the replay function's timeout. */
  readonly visibilityTimeout: Duration;
  readonly removalPolicy: RemovalPolicy;
}

export class ReplayQueues extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: ReplayQueuesProps) {
    super(scope, id);
    this.deadLetterQueue = createDeadLetterQueue(
      this,
      'DeadLetterQueue',
      props.removalPolicy,
      'the replay queue',
    );
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: QUEUE_RETENTION,
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
      removalPolicy: props.removalPolicy,
    });
  }
}
