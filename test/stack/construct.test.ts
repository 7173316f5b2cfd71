/**
 * `EventRelay` inside someone else's stack: next to unrelated resources, twice in one stack, with no
 * outputs of its own, no name clashes, and no unacknowledged cdk-nag finding.
 */
import { App, RemovalPolicy, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { STATUSES } from '../../lambdas/shared/catalog';
import { DELIVERIES_TABLE, TABLES, TENANTS_TABLE } from '../../lambdas/shared/tables';
import { ConfigError, EventRelay, FUNCTION_NAMES } from '../../lib';
import { buildStack } from '../../lib/synth';
import { permissionsOfRole, resourcesOfType, type Json } from './support';

/** An app like a platform team's: no event-relay context in it, bundling skipped for speed. */
function consumerStack(): Stack {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'Shop');
}

function synth(stack: Stack): Record<string, Json> {
  return (stack.node.root as App).synth().getStackByName(stack.stackName).template as Record<string, Json>;
}

const RELAY_TYPES = {
  'AWS::DynamoDB::Table': TABLES.length,
  // Per status: fast lane, slow lane, their dead-letter queue, the rule target's dead-letter queue; the
  // replay queue and its dead-letter queue.
  'AWS::SQS::Queue': 4 * STATUSES.length + 2,
  'AWS::Lambda::Function': FUNCTION_NAMES.length,
  'AWS::Events::EventBus': 1,
  'AWS::ApiGatewayV2::Api': 1,
  'AWS::CloudWatch::Dashboard': 1,
};

/** The property naming a resource of a type whose names are unique in an account and region. */
const UNIQUE_NAME_PROPERTY: Record<string, string> = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Events::EventBus': 'Name',
  'AWS::CloudWatch::Dashboard': 'DashboardName',
  'AWS::SNS::Topic': 'TopicName',
};

/** Every resource of those types, by the name it gets (a fixed name, or its logical id when CloudFormation names it). */
function physicalNames(json: Record<string, Json>): string[] {
  return Object.entries(json.Resources as Record<string, Json>)
    .filter(([, resource]) => UNIQUE_NAME_PROPERTY[resource.Type])
    .map(([logicalId, resource]) =>
      JSON.stringify([
        resource.Type,
        resource.Properties?.[UNIQUE_NAME_PROPERTY[resource.Type]!] ?? logicalId,
      ]),
    );
}

describe('EventRelay in another stack', () => {
  const stack = consumerStack();
  // The platform team's own resources, with ids the construct also uses inside itself.
  new Table(stack, 'Storage', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
  new Queue(stack, 'FanOut', { enforceSSL: true });
  const relay = new EventRelay(stack, 'Webhooks', {
    retrySchedule: [10, 20],
    removalPolicy: RemovalPolicy.DESTROY,
    logRetention: RetentionDays.ONE_WEEK,
    alarmEmail: 'ops@example.com',
  });
  const operator = new Role(stack, 'Operator', { assumedBy: new ServicePrincipal('ec2.amazonaws.com') });
  relay.grantManageTenants(operator);
  relay.grantRedrive(operator);
  const json = synth(stack);
  const template = Template.fromJSON(json);

  it('adds its resources next to the stack’s own, and no outputs', () => {
    for (const [type, count] of Object.entries(RELAY_TYPES)) {
      const own = type === 'AWS::DynamoDB::Table' || type === 'AWS::SQS::Queue' ? 1 : 0;
      expect([type, resourcesOfType(json, type).length]).toEqual([type, count + own]);
    }
    expect(json.Outputs ?? {}).toEqual({});
    expect(relay.queues.OPEN.queue).toBe(relay.fanOut.queues.OPEN.queue);
    expect(Object.keys(relay.tables).sort()).toEqual(TABLES.map((definition) => definition.id).sort());
  });

  it('applies its props: retry schedule, removal policy, log retention, alarm e-mail', () => {
    const deliveryQueue = stack.getLogicalId(relay.queues.CLICK.queue.node.defaultChild as CfnElement);
    expect(json.Resources[deliveryQueue].Properties.RedrivePolicy.maxReceiveCount).toBe(3);
    expect(json.Resources[deliveryQueue].DeletionPolicy).toBe('Delete');
    for (const [, group] of resourcesOfType(json, 'AWS::Logs::LogGroup')) {
      expect(group.Properties.RetentionInDays).toBe(7);
    }
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    const deliveryFn = stack.getLogicalId(relay.functions.functions.delivery.node.defaultChild as CfnElement);
    expect(json.Resources[deliveryFn].Properties.Environment.Variables.RETRY_SCHEDULE).toBe('10,20');
  });

  it('grants an operator role exactly what the tenant and redrive commands use', () => {
    const permissions = permissionsOfRole(json, stack.getLogicalId(operator.node.defaultChild as CfnElement));
    const idOf = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
    expect([...permissions.get(idOf(relay.table(TENANTS_TABLE)))!]).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:Query']),
    );
    expect([...permissions.get(idOf(relay.table(DELIVERIES_TABLE)))!]).toContain('dynamodb:UpdateItem');
    for (const status of STATUSES) {
      for (const deadLetters of [
        relay.queues[status].deadLetterQueue,
        relay.queues[status].targetDeadLetterQueue,
      ]) {
        expect([...permissions.get(idOf(deadLetters))!]).toEqual(
          expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']),
        );
      }
      expect([...permissions.get(idOf(relay.queues[status].queue))!]).toContain('sqs:SendMessage');
      expect([...permissions.get(idOf(relay.queues[status].queue))!]).not.toContain('sqs:ReceiveMessage');
    }
    const subscriptions = idOf(relay.tables.Subscriptions!);
    expect(permissions.has(subscriptions)).toBe(false);
  });

  it('brings no unacknowledged cdk-nag finding of its own', () => {
    const report = new AwsSolutionsChecks().validateScope(relay);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
  });

  it('rejects invalid props with the name of the prop', () => {
    expect(() => new EventRelay(consumerStack(), 'Bad', { retrySchedule: [] })).toThrow(ConfigError);
    expect(() => new EventRelay(consumerStack(), 'Bad', { deliveryTimeoutMs: 60_000 })).toThrow(
      /deliveryTimeoutMs/,
    );
    expect(() => new EventRelay(consumerStack(), 'Bad', { removalPolicy: RemovalPolicy.SNAPSHOT })).toThrow(
      /removalPolicy/,
    );
  });

  it('ignores the cdk.json context keys of the repository’s own app', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], retrySchedule: [1] } });
    const other = new EventRelay(new Stack(app, 'Other'), 'Webhooks');
    expect(other.config.retrySchedule.delays).toEqual([60, 300, 1800]);
  });
});

describe('two EventRelays in one stack', () => {
  const stack = consumerStack();
  const first = new EventRelay(stack, 'Marketing');
  const second = new EventRelay(stack, 'Transactional', { retrySchedule: [5] });
  const json = synth(stack);

  it('synthesizes both, each complete, with no clashing physical names', () => {
    for (const [type, count] of Object.entries(RELAY_TYPES)) {
      expect([type, resourcesOfType(json, type).length]).toEqual([type, 2 * count]);
    }
    const names = physicalNames(json);
    expect(names.length).toBeGreaterThan(2 * (TABLES.length + 2 * STATUSES.length));
    expect(new Set(names).size).toBe(names.length);
    expect(stack.resolve(first.monitoring.dashboard.dashboardName)).not.toEqual(
      stack.resolve(second.monitoring.dashboard.dashboardName),
    );
  });

  it('keeps each instance’s functions on its own tables and queues', () => {
    const env = (relay: EventRelay) =>
      json.Resources[stack.getLogicalId(relay.functions.functions.delivery.node.defaultChild as CfnElement)]
        .Properties.Environment.Variables;
    expect(env(first).DELIVERIES_TABLE).not.toEqual(env(second).DELIVERIES_TABLE);
    expect(env(first).RETRY_SCHEDULE).toBe('60,300,1800');
    expect(env(second).RETRY_SCHEDULE).toBe('5');
  });
});

describe('EventRelayStack', () => {
  it('is one EventRelay whose logical ids do not carry the construct’s id', () => {
    const stack = buildStack();
    expect(stack.relay).toBeInstanceOf(EventRelay);
    const bus = stack.getLogicalId(stack.relay.bus.node.defaultChild as CfnElement);
    expect(bus).toMatch(/^FanOutBus[0-9A-F]{8}$/);
  });
});
