/**
 * The long tail in the template: a schedule with waits beyond what SQS can hold gets the Scheduler
 * path (schedule group, role, dead-letter queue, alarm), with least privilege on both sides (the
 * Scheduler's role may only send to the delivery queues and its dead-letter queue; the delivery
 * function may only create schedules in the group and pass that role to the Scheduler), and cdk-nag
 * finds nothing unacknowledged. The queues' settings are derived from the same setting.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { STATUSES } from '../../lambdas/shared/catalog';
import { permissionsOfRole, referencedIds, resourcesOfType, synthesize, type Json } from './support';

const LONG_TAIL = '1m,5m,30m,2h,5h,10h,10h ±20%';
const { stack, json, idOf } = synthesize({ retrySchedule: LONG_TAIL });
const scheduler = stack.relay.retryScheduler!;

const deliveryFunction = () => json.Resources[idOf(stack.functions.functions.delivery)].Properties;

describe('which schedules get the Scheduler path', () => {
  it.each([
    ['the default schedule', undefined],
    ['the long tail without jitter', '1m,5m,30m,2h,5h,10h,10h'],
    ['the long tail with ±10 % (at most 11 hours)', '1m,5m,30m,2h,5h,10h,10h ±10%'],
  ])('%s has none: no Scheduler resources, no grant, no setting', (_, retrySchedule) => {
    const plain = synthesize(retrySchedule ? { retrySchedule } : {});
    expect(plain.stack.relay.retryScheduler).toBeUndefined();
    expect(resourcesOfType(plain.json, 'AWS::Scheduler::ScheduleGroup')).toEqual([]);
    const env =
      plain.json.Resources[plain.idOf(plain.stack.functions.functions.delivery)].Properties.Environment
        .Variables;
    expect(env.RETRY_SCHEDULER).toBeUndefined();
    expect(JSON.stringify(plain.json)).not.toContain('scheduler:');
  });

  it('the long tail with ±20 % (up to 12 hours) has one schedule group of its own', () => {
    expect(resourcesOfType(json, 'AWS::Scheduler::ScheduleGroup').map(([id]) => id)).toEqual([
      idOf(scheduler.group),
    ]);
  });
});

describe('the queues, derived from the same setting', () => {
  it('allow one receive per attempt and keep messages 14 days; the alarm waits out what a queue holds', () => {
    for (const status of STATUSES) {
      for (const lane of [stack.fanOut.queues[status].queue, stack.fanOut.queues[status].slowQueue]) {
        const properties = json.Resources[idOf(lane)].Properties;
        expect(properties.RedrivePolicy.maxReceiveCount).toBe(8);
        expect(properties.MessageRetentionPeriod).toBe(14 * 86_400);
      }
    }
    const ages = resourcesOfType(json, 'AWS::CloudWatch::Alarm')
      .filter(([, alarm]) => alarm.Properties.MetricName === 'ApproximateAgeOfOldestMessage')
      .map(([, alarm]) => alarm.Properties.Threshold);
    expect(ages).toEqual([119_532, 119_532, 119_532]);
  });
});

describe('the Scheduler’s role', () => {
  const roleId = idOf(scheduler.role);

  it('is trusted by EventBridge Scheduler only, for schedules of this account and group', () => {
    const trust = json.Resources[roleId].Properties.AssumeRolePolicyDocument.Statement as Json[];
    expect(trust).toHaveLength(1);
    expect(trust[0]).toMatchObject({
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
    expect(referencedIds(trust[0].Condition.ArnLike['aws:SourceArn'])).toEqual([idOf(scheduler.group)]);
  });

  it('may send to the delivery queues (both lanes) and its dead-letter queue, and do nothing else', () => {
    const lanes = STATUSES.flatMap((status) => [
      idOf(stack.fanOut.queues[status].queue),
      idOf(stack.fanOut.queues[status].slowQueue),
    ]);
    const permissions = permissionsOfRole(json, roleId);
    expect(
      Object.fromEntries([...permissions].map(([resource, actions]) => [resource, [...actions]])),
    ).toEqual(
      Object.fromEntries([...lanes, idOf(scheduler.deadLetterQueue)].map((id) => [id, ['sqs:SendMessage']])),
    );
  });
});

describe('the delivery function', () => {
  const role = () => referencedIds(deliveryFunction().Role)[0]!;
  const statements = () =>
    resourcesOfType(json, 'AWS::IAM::Policy')
      .filter(([, policy]) => referencedIds(policy.Properties.Roles).includes(role()))
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Json[]);

  it('may create schedules in the group only, and pass only the Scheduler’s role, only to the Scheduler', () => {
    const create = statements().filter((statement) =>
      [statement.Action].flat().some((a: string) => a.startsWith('scheduler:')),
    );
    expect(create).toHaveLength(1);
    expect(create[0].Action).toBe('scheduler:CreateSchedule');
    const arn = create[0].Resource['Fn::Join'][1] as Json[];
    expect(arn).toContainEqual({ Ref: idOf(scheduler.group) });
    expect(arn.filter((part) => typeof part === 'string').join('')).toMatch(/:scheduler:.*:schedule\/\/\*$/);

    const pass = statements().filter((statement) => [statement.Action].flat().includes('iam:PassRole'));
    expect(pass).toEqual([
      {
        Action: 'iam:PassRole',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [idOf(scheduler.role), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      },
    ]);
    // Nothing else new: no deletes, no updates, no other groups.
    expect(JSON.stringify(statements())).not.toMatch(/scheduler:(Delete|Update|Get|List)/);
  });

  it('reads the group, the role and the dead-letter queue from RETRY_SCHEDULER, the schedule from RETRY_SCHEDULE', () => {
    const env = deliveryFunction().Environment.Variables;
    expect(env.RETRY_SCHEDULE).toBe('60,300,1800,7200,18000,36000,36000 ±20%');
    expect(referencedIds(env.RETRY_SCHEDULER).sort()).toEqual(
      [idOf(scheduler.group), idOf(scheduler.role), idOf(scheduler.deadLetterQueue)].sort(),
    );
  });
});

describe('monitoring and checks', () => {
  it('alarms when a retry could not be put back on its queue', () => {
    const [alarm] = resourcesOfType(json, 'AWS::CloudWatch::Alarm').filter(([id]) =>
      id.includes('RetrySchedulerDeadLetterQueueAlarm'),
    );
    expect(alarm).toBeDefined();
    expect(referencedIds(alarm![1].Properties.Dimensions)).toEqual([idOf(scheduler.deadLetterQueue)]);
  });

  it('cdk-nag reports no unacknowledged findings; the one wildcard acknowledged is the group’s schedules', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    const acknowledged = stack.functions.functions.delivery
      .role!.node.metadata.filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.keys(entry.data as Record<string, string>))
      .map((id) => id.replace(/^annotation::/i, ''))
      .filter((id) => id.includes('scheduler'));
    expect(acknowledged).toEqual([
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<${Stack.of(stack).getLogicalId(scheduler.group)}>/*]`,
    ]);
  });
});
