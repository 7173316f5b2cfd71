/**
 * The Scheduler path of the retry schedule, built only when the schedule has a delay beyond what SQS
 * can hold a message invisible (docs/delivery.md, "The long tail"). Such a retry is a one-time
 * EventBridge Scheduler schedule that the delivery function creates: at its time it sends the message
 * back to the queue it came from and is deleted. The pieces:
 *
 * - a schedule group of the stack's own, so the delivery function may create schedules in it and
 *   nowhere else;
 * - the role the Scheduler assumes to send: `sqs:SendMessage` on the delivery queues (both lanes) and
 *   on its dead-letter queue, trusted by scheduler.amazonaws.com for this account only;
 * - that dead-letter queue: a message the Scheduler could not send (after its own retries for up to
 *   24 hours) lands there with the error, instead of being dropped; an alarm watches it.
 */
import { Aws, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { createDeadLetterQueue } from './dead-letter-queue';

export interface RetrySchedulerProps {
  /** The queues a schedule may send a message back to. */
  readonly queues: readonly IQueue[];
  readonly removalPolicy: RemovalPolicy;
}

/** What the delivery function reads (`RETRY_SCHEDULER`) to create a retry's schedule. */
export interface RetrySchedulerEnvironment {
  readonly groupName: string;
  readonly roleArn: string;
  readonly deadLetterQueueArn: string;
}

export class RetryScheduler extends Construct {
  readonly group: CfnScheduleGroup;
  /** The role EventBridge Scheduler assumes to put a message back on its queue. */
  readonly role: Role;
  /** Where a message goes that the Scheduler could not send. */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: RetrySchedulerProps) {
    super(scope, id);
    this.group = new CfnScheduleGroup(this, 'Group', {});
    this.group.applyRemovalPolicy(props.removalPolicy);
    this.deadLetterQueue = createDeadLetterQueue(
      this,
      'DeadLetterQueue',
      props.removalPolicy,
      'the retry schedules (EventBridge Scheduler targets)',
    );
    // Confused-deputy protection: only schedules of this account (and of this group) may use the role.
    this.role = new Role(this, 'Role', {
      description: 'EventBridge Scheduler: puts a delivery retry back on its queue',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': this.scheduleArns() },
        },
      }),
    });
    for (const queue of [...props.queues, this.deadLetterQueue]) {
      this.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
      );
    }
  }

  /** The ARNs of the group's schedules. */
  scheduleArns(): string {
    return Stack.of(this).formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${this.group.ref}/*`,
    });
  }

  /** Lets `grantee` create schedules in the group (nothing else) that use the role. */
  grantCreateSchedules(grantee: IGrantable & IConstruct): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['scheduler:CreateSchedule'], resources: [this.scheduleArns()] }),
    );
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.role.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    const group = Stack.of(this).getLogicalId(this.group);
    Validations.of(grantee).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<${group}>/*]`,
      reason:
        'Each retry is a schedule of its own, named when it is created; the grant covers the stack’s schedule group only.',
    });
  }

  environment(): RetrySchedulerEnvironment {
    return {
      groupName: this.group.ref,
      roleArn: this.role.roleArn,
      deadLetterQueueArn: this.deadLetterQueue.queueArn,
    };
  }
}
