/**
 * Least privilege: each function's role allows exactly the actions on exactly the resources that
 * function uses, and nothing on `*`.
 */
import { STATUSES } from '../../lambdas/shared/catalog';
import { OPERATIONS_SOURCE } from '../../lambdas/shared/operations';
import type { FunctionName } from '../../lib/functions';
import { permissionsOf, resourcesOfType, synthesize } from './support';

const { stack, json, idOf } = synthesize();

const READ = [
  'dynamodb:BatchGetItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:Scan',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
];
const WRITE = ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const SEND = ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'];
const CONSUME = [
  'sqs:ReceiveMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueUrl',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
];

type Access = 'read' | 'readWrite';

/** The expected permissions: resource key → sorted actions. */
function expected(
  name: FunctionName,
  tables: Record<string, Access>,
  extra: Record<string, readonly string[]> = {},
): Record<string, string[]> {
  const result: Record<string, string[]> = { [idOf(stack.functions.logGroups[name])]: [...LOGS].sort() };
  for (const [tableName, access] of Object.entries(tables)) {
    const table = stack.storage.tables[tableName]!;
    const actions = (access === 'read' ? READ : [...READ, ...WRITE]).sort();
    result[idOf(table)] = actions;
    const cfn = json.Resources[idOf(table)].Properties;
    if (cfn.GlobalSecondaryIndexes || cfn.LocalSecondaryIndexes) result[`${idOf(table)}/index/*`] = actions;
  }
  for (const [resource, actions] of Object.entries(extra)) result[resource] = [...actions].sort();
  return result;
}

function actual(name: FunctionName): Record<string, string[]> {
  const permissions = permissionsOf(json, idOf(stack.functions.functions[name]));
  return Object.fromEntries([...permissions].map(([resource, actions]) => [resource, [...actions].sort()]));
}

const queueIds = STATUSES.map((status) => idOf(stack.fanOut.queues[status].queue));

describe('function permissions', () => {
  it('lets the authorizer read the Tenants and PortalSessions tables, and nothing else', () => {
    expect(actual('authorizer')).toEqual(expected('authorizer', { Tenants: 'read', PortalSessions: 'read' }));
  });

  it('lets the static function write its logs and nothing else', () => {
    expect(actual('static')).toEqual(expected('static', {}));
  });

  it('lets the management API read and write its five tables (never Tenants), send to the delivery and replay queues, and put operational events on the bus', () => {
    expect(actual('api')).toEqual(
      expected(
        'api',
        {
          Subscriptions: 'readWrite',
          Integrations: 'readWrite',
          Deliveries: 'readWrite',
          Idempotency: 'readWrite',
          PortalSessions: 'readWrite',
        },
        {
          ...Object.fromEntries([...queueIds, idOf(stack.replayQueues.queue)].map((id) => [id, SEND])),
          [idOf(stack.fanOut.bus)]: ['events:PutEvents'],
        },
      ),
    );
  });

  it('lets the replay function write delivery logs, send to the delivery queues, consume the replay queue and put operational events on the bus', () => {
    expect(actual('replay')).toEqual(
      expected(
        'replay',
        { Deliveries: 'readWrite' },
        {
          ...Object.fromEntries(queueIds.map((id) => [id, SEND])),
          [idOf(stack.replayQueues.queue)]: [...new Set([...CONSUME, ...SEND])].sort(),
          [idOf(stack.fanOut.bus)]: ['events:PutEvents'],
        },
      ),
    );
  });

  it('lets the inbound function read integrations and subscriptions, record first arrivals, and put events on the bus only', () => {
    expect(actual('inbound')).toEqual(
      expected(
        'inbound',
        { Integrations: 'read', Subscriptions: 'read', Idempotency: 'readWrite' },
        { [idOf(stack.fanOut.bus)]: ['events:PutEvents'] },
      ),
    );
  });

  it('lets the delivery function write subscriptions (endpoint health, 410) and delivery logs, consume both lanes, hand off to the slow lanes, dead-letter, and put operational events on the bus', () => {
    const slowLaneIds = STATUSES.map((status) => idOf(stack.fanOut.queues[status].slowQueue));
    const deadLetterIds = STATUSES.map((status) => idOf(stack.fanOut.queues[status].deadLetterQueue));
    expect(actual('delivery')).toEqual(
      expected(
        'delivery',
        { Subscriptions: 'readWrite', Deliveries: 'readWrite' },
        {
          ...Object.fromEntries(queueIds.map((id) => [id, CONSUME])),
          ...Object.fromEntries(slowLaneIds.map((id) => [id, [...new Set([...CONSUME, ...SEND])]])),
          ...Object.fromEntries(deadLetterIds.map((id) => [id, SEND])),
          [idOf(stack.fanOut.bus)]: ['events:PutEvents'],
        },
      ),
    );
  });

  it('lets the API and replay functions put only operational events (source event-relay.operations) on the bus', () => {
    for (const name of ['api', 'replay'] as const) {
      const role = json.Resources[idOf(stack.functions.functions[name])].Properties.Role['Fn::GetAtt'][0];
      const statements = resourcesOfType(json, 'AWS::IAM::Policy')
        .filter(([, policy]) => policy.Properties.Roles.some((ref: { Ref: string }) => ref.Ref === role))
        .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement)
        .filter((statement) => [statement.Action].flat().includes('events:PutEvents'));
      expect(statements).toEqual([
        expect.objectContaining({
          Condition: { StringEquals: { 'events:source': [OPERATIONS_SOURCE] } },
        }),
      ]);
    }
  });

  it('uses no AWS managed policies and no wildcard resources', () => {
    for (const [, role] of resourcesOfType(json, 'AWS::IAM::Role')) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        expect.objectContaining({ Principal: { Service: 'lambda.amazonaws.com' } }),
      ]);
    }
    for (const [, policy] of resourcesOfType(json, 'AWS::IAM::Policy')) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        expect([statement.Resource].flat()).not.toContain('*');
      }
    }
  });

  it('lets API Gateway invoke only the API, inbound, static and authorizer functions', () => {
    const invoked = resourcesOfType(json, 'AWS::Lambda::Permission').map(([, permission]) => {
      expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
      return permission.Properties.FunctionName['Fn::GetAtt'][0];
    });
    const ids = (['api', 'inbound', 'static', 'authorizer'] as const).map((name) =>
      idOf(stack.functions.functions[name]),
    );
    expect([...new Set(invoked)].sort()).toEqual(ids.sort());
  });
});
