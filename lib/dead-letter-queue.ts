/**
 * A dead-letter queue as every one of the stack's is: SQS-managed encryption, TLS only, the longest
 * retention SQS has (14 days), and cdk-nag's "no dead-letter queue of its own" finding acknowledged with
 * what it is the dead-letter queue of.
 */
import { Duration, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * SQS's longest message retention, for the dead-letter queues and the queues they back: failed
 * deliveries stay inspectable (and redrivable) as long as possible.
 */
export const QUEUE_RETENTION = Duration.days(14);

/** `of`: what the queue is the dead-letter queue of, for the acknowledgment ("a delivery queue"). */
export function createDeadLetterQueue(
  scope: Construct,
  id: string,
  removalPolicy: RemovalPolicy,
  of: string,
): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: QUEUE_RETENTION,
    removalPolicy,
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: `This queue is itself the dead-letter queue of ${of}.`,
  });
  return queue;
}
