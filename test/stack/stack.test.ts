/**
 * The synthesized stack with the default configuration: storage, fan-out, functions, API, monitoring
 * and outputs, each pinned against the shared definitions in lambdas/shared.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { STATUSES, type Status } from '../../lambdas/shared/catalog';
import { rulePattern } from '../../lambdas/shared/events';
import { METRIC } from '../../lambdas/shared/metrics';
import { maxAttempts, DEFAULT_RETRY_SCHEDULE } from '../../lambdas/shared/retry-schedule';
import { ROUTES, routeKey } from '../../lambdas/shared/routes';
import { TABLES } from '../../lambdas/shared/tables';
import { FUNCTION_NAMES, type FunctionName } from '../../lib/functions';
import { referencedIds, resourcesOfType, synthesize, type Json } from './support';

const { stack, json, template, idOf } = synthesize();
const R = json.Resources as Record<string, Json>;

const tableId = (id: string) => idOf(stack.storage.tables[id]!);
const queueId = (status: Status) => idOf(stack.fanOut.queues[status].queue);
const dlqId = (status: Status) => idOf(stack.fanOut.queues[status].deadLetterQueue);
const targetDlqId = (status: Status) => idOf(stack.fanOut.queues[status].targetDeadLetterQueue);
const functionId = (name: string) =>
  idOf(stack.functions.functions[(name.charAt(0).toLowerCase() + name.slice(1)) as FunctionName]);
const busId = idOf(stack.fanOut.bus);

const COMMON_ENV = [
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_LOG_LEVEL',
  'POWERTOOLS_METRICS_NAMESPACE',
  'NODE_OPTIONS',
];

describe('storage', () => {
  it('creates one on-demand, encrypted, point-in-time-recoverable table per shared definition', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', TABLES.length);
    for (const definition of TABLES) {
      const table = R[tableId(definition.id)];
      const keySchema = [
        { AttributeName: definition.partitionKey, KeyType: 'HASH' },
        ...(definition.sortKey ? [{ AttributeName: definition.sortKey, KeyType: 'RANGE' }] : []),
      ];
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: keySchema,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      });
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties.TimeToLiveSpecification).toEqual(
        definition.ttlAttribute ? { AttributeName: definition.ttlAttribute, Enabled: true } : undefined,
      );
      expect((table.Properties.GlobalSecondaryIndexes ?? []).map((index: Json) => index.IndexName)).toEqual(
        definition.globalIndexes.map((index) => index.name),
      );
      expect((table.Properties.LocalSecondaryIndexes ?? []).map((index: Json) => index.IndexName)).toEqual(
        definition.localIndexes.map((index) => index.name),
      );
    }
  });
});

describe('fan-out', () => {
  it('archives every event on the custom bus for 30 days', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      RetentionDays: 30,
      EventPattern: { source: rulePattern('OPEN').source },
    });
  });

  it.each(STATUSES)('routes %s events by rulePattern() to their own queue', (status) => {
    const rules = resourcesOfType(json, 'AWS::Events::Rule').filter(
      ([, rule]) => JSON.stringify(rule.Properties.EventPattern) === JSON.stringify(rulePattern(status)),
    );
    expect(rules).toHaveLength(1);
    const [, rule] = rules[0]!;
    expect(rule.Properties.EventBusName).toEqual({ Ref: busId });
    expect(rule.Properties.Targets).toHaveLength(1);
    expect(rule.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [queueId(status), 'Arn'] });
  });

  it.each(STATUSES)(
    'gives the %s queue its own dead-letter queue, maxReceiveCount from the retry schedule',
    (status) => {
      const queue = R[queueId(status)].Properties;
      expect(queue.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId(status), 'Arn'] },
        maxReceiveCount: maxAttempts(DEFAULT_RETRY_SCHEDULE),
      });
      expect(queue.RedrivePolicy.maxReceiveCount).toBe(4);
      expect(R[dlqId(status)].Properties).toEqual({
        MessageRetentionPeriod: 14 * 86_400,
        SqsManagedSseEnabled: true,
      });
    },
  );

  it('encrypts every queue and refuses non-TLS access to it', () => {
    const queues = resourcesOfType(json, 'AWS::SQS::Queue');
    // Per status: fast lane, slow lane, their dead-letter queue, the rule target's dead-letter queue;
    // the replay queue and its dead-letter queue.
    expect(queues).toHaveLength(STATUSES.length * 4 + 2);
    for (const [id, queue] of queues) {
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      const policies = resourcesOfType(json, 'AWS::SQS::QueuePolicy').filter(([, policy]) =>
        referencedIds(policy.Properties.Queues).includes(id),
      );
      expect(policies).toHaveLength(1);
      expect(policies[0]![1].Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'sqs:*',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('lets only its own rule send to each queue', () => {
    for (const status of STATUSES) {
      const [, policy] = resourcesOfType(json, 'AWS::SQS::QueuePolicy').find(([, candidate]) =>
        referencedIds(candidate.Properties.Queues).includes(queueId(status)),
      )!;
      const allow = policy.Properties.PolicyDocument.Statement.filter(
        (statement: Json) => statement.Effect === 'Allow',
      );
      expect(allow).toHaveLength(1);
      expect(allow[0].Principal).toEqual({ Service: 'events.amazonaws.com' });
      const ruleIds = referencedIds(allow[0].Condition);
      expect(ruleIds).toHaveLength(1);
      expect(R[ruleIds[0]!].Properties.EventPattern).toEqual(rulePattern(status));
    }
  });

  it.each(STATUSES)(
    'gives the %s rule target a retry policy and a dead-letter queue only that rule may send to',
    (status) => {
      const [, rule] = resourcesOfType(json, 'AWS::Events::Rule').find(
        ([, candidate]) =>
          JSON.stringify(candidate.Properties.EventPattern) === JSON.stringify(rulePattern(status)),
      )!;
      const [target] = rule.Properties.Targets as Json[];
      expect(target.Arn).toEqual({ 'Fn::GetAtt': [queueId(status), 'Arn'] });
      expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 });
      expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [targetDlqId(status), 'Arn'] } });
      const [, policy] = resourcesOfType(json, 'AWS::SQS::QueuePolicy').find(([, candidate]) =>
        referencedIds(candidate.Properties.Queues).includes(targetDlqId(status)),
      )!;
      const allow = policy.Properties.PolicyDocument.Statement.filter(
        (statement: Json) => statement.Effect === 'Allow',
      );
      expect(allow).toHaveLength(1);
      expect(allow[0].Principal).toEqual({ Service: 'events.amazonaws.com' });
      expect(JSON.stringify(allow[0].Condition)).toContain(
        resourcesOfType(json, 'AWS::Events::Rule').find(([, candidate]) => candidate === rule)![0],
      );
    },
  );

  it('keeps each delivery queue invisible for at least six times the delivery timeout', () => {
    const deliveryTimeout = R[functionId('Delivery')].Properties.Timeout as number;
    for (const status of STATUSES) {
      expect(R[queueId(status)].Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * deliveryTimeout);
    }
  });

  it.each(STATUSES.flatMap((status) => [[status, 'queue'] as const, [status, 'slowQueue'] as const]))(
    'drives the delivery function from the %s %s with partial batch responses',
    (status, lane) => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        EventSourceArn: { 'Fn::GetAtt': [idOf(stack.fanOut.queues[status][lane]), 'Arn'] },
        FunctionName: { Ref: functionId('Delivery') },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 1,
        ScalingConfig: { MaximumConcurrency: 10 },
      });
    },
  );

  it('drives the replay function from the replay queue, one step per invocation', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [idOf(stack.replayQueues.queue), 'Arn'] },
      FunctionName: { Ref: functionId('Replay') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 1,
    });
  });

  it('has no other event source mappings', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', STATUSES.length * 2 + 1);
  });
});

describe('functions', () => {
  const names = ['Authorizer', 'Api', 'Inbound', 'Delivery', 'Static', 'Replay'];

  it('runs five functions on the newest Node.js runtime, arm64, with Powertools settings', () => {
    template.resourceCountIs('AWS::Lambda::Function', names.length);
    for (const name of names) {
      const fn = R[functionId(name)].Properties;
      expect(fn).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler' });
      expect(fn.Environment.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: 'event-relay',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        POWERTOOLS_METRICS_NAMESPACE: 'EventRelay',
        NODE_OPTIONS: '--enable-source-maps',
      });
    }
  });

  it('writes each function to its own log group with 30 days retention', () => {
    for (const name of names) {
      const logGroupId = referencedIds(R[functionId(name)].Properties.LoggingConfig.LogGroup)[0]!;
      expect(R[logGroupId]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 30 },
        DeletionPolicy: 'Retain',
      });
    }
  });

  it.each([
    ['Authorizer', { TENANTS_TABLE: 'Tenants', PORTAL_SESSIONS_TABLE: 'PortalSessions' }, {}],
    [
      'Api',
      {
        SUBSCRIPTIONS_TABLE: 'Subscriptions',
        INTEGRATIONS_TABLE: 'Integrations',
        DELIVERIES_TABLE: 'Deliveries',
        IDEMPOTENCY_TABLE: 'Idempotency',
        PORTAL_SESSIONS_TABLE: 'PortalSessions',
      },
      {
        ALLOW_PRIVATE_TARGETS: 'false',
        DELIVERY_TIMEOUT_MS: '10000',
        REPLAY_RATE_PER_SECOND: '10',
        DELIVERY_LOG_TTL_DAYS: '30',
      },
    ],
    [
      'Inbound',
      {
        INTEGRATIONS_TABLE: 'Integrations',
        SUBSCRIPTIONS_TABLE: 'Subscriptions',
        IDEMPOTENCY_TABLE: 'Idempotency',
      },
      {},
    ],
    [
      'Delivery',
      { SUBSCRIPTIONS_TABLE: 'Subscriptions', DELIVERIES_TABLE: 'Deliveries' },
      {
        RETRY_SCHEDULE: '60,300,1800',
        DELIVERY_TIMEOUT_MS: '10000',
        FAST_LANE_TIMEOUT_MS: '1000',
        FAST_LANE_PATIENCE_MS: '250',
        BREAKER_FAILURE_THRESHOLD: '5',
        BREAKER_COOLDOWN_SECONDS: '60',
        ALLOW_PRIVATE_TARGETS: 'false',
        DELIVERY_LOG_TTL_DAYS: '30',
        DISABLE_AFTER_FAILING_SECONDS: '432000',
      },
    ],
    ['Static', {}, { FRAME_ANCESTORS: "'none'" }],
    [
      'Replay',
      { DELIVERIES_TABLE: 'Deliveries' },
      { REPLAY_RATE_PER_SECOND: '10', DELIVERY_LOG_TTL_DAYS: '30' },
    ],
  ] as const)('gives %s exactly its contract environment', (name, tables, literals) => {
    const variables = R[functionId(name)].Properties.Environment.Variables as Record<string, Json>;
    const extra =
      name === 'Api' || name === 'Replay'
        ? ['DELIVERY_QUEUE_URLS', 'REPLAY_QUEUE_URL', 'EVENT_BUS_NAME']
        : name === 'Inbound'
          ? ['EVENT_BUS_NAME']
          : name === 'Delivery'
            ? ['EVENT_BUS_NAME', 'SLOW_LANE_QUEUE_URLS', 'DEAD_LETTER_QUEUE_URLS']
            : [];
    expect(Object.keys(variables).sort()).toEqual(
      [...COMMON_ENV, ...Object.keys(tables), ...Object.keys(literals), ...extra].sort(),
    );
    for (const [variable, table] of Object.entries(tables))
      expect(variables[variable]).toEqual({ Ref: tableId(table) });
    for (const [variable, value] of Object.entries(literals)) expect(variables[variable]).toBe(value);
  });

  it('passes the API the delivery queue URLs as JSON {OPEN, CLICK, FAILED}', () => {
    const urls = R[functionId('Api')].Properties.Environment.Variables.DELIVERY_QUEUE_URLS;
    const [, parts] = urls['Fn::Join'] as [string, Json[]];
    const rendered = parts.map((part) => (typeof part === 'string' ? part : `<${part.Ref}>`)).join('');
    expect(JSON.parse(rendered)).toEqual(
      Object.fromEntries(STATUSES.map((status) => [status, `<${queueId(status)}>`])),
    );
  });

  it('passes the inbound function the bus name, and the delivery, API and replay functions for operational events', () => {
    for (const name of ['Inbound', 'Delivery', 'Api', 'Replay'])
      expect(R[functionId(name)].Properties.Environment.Variables.EVENT_BUS_NAME).toEqual({ Ref: busId });
  });

  it('gives the delivery function longer than one webhook POST, and the API function less than API Gateway allows', () => {
    expect(R[functionId('Delivery')].Properties.Timeout).toBeGreaterThan(10);
    expect(R[functionId('Api')].Properties.Timeout).toBeGreaterThan(10);
    expect(R[functionId('Api')].Properties.Timeout).toBeLessThan(30);
  });
});

describe('HTTP API', () => {
  const authorizerId = () => resourcesOfType(json, 'AWS::ApiGatewayV2::Authorizer')[0]![0];
  const routes = () => resourcesOfType(json, 'AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties);

  it('has exactly the routes of ROUTES, and a catch-all route', () => {
    expect(
      routes()
        .map((route) => route.RouteKey)
        .sort(),
    ).toEqual([...ROUTES.map(routeKey), '$default'].sort());
  });

  it('sends what no route matches to the management API function (its router answers 404 or 405), without the authorizer', () => {
    const route = routes().find((candidate) => candidate.RouteKey === '$default')!;
    expect(route.AuthorizationType).toBe('NONE');
    const integration = R[referencedIds(route.Target)[0]!].Properties;
    expect(referencedIds(integration.IntegrationUri)).toContain(functionId('Api'));
  });

  it('puts the tenant authorizer on exactly the authorized routes', () => {
    for (const spec of ROUTES) {
      const route = routes().find((candidate) => candidate.RouteKey === routeKey(spec))!;
      if (spec.authorized) {
        expect(route).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId() } });
      } else {
        expect(route.AuthorizationType).toBe('NONE');
        expect(route.AuthorizerId).toBeUndefined();
      }
    }
  });

  it('sends each route to the function ROUTES names, with payload format 2.0', () => {
    for (const spec of ROUTES) {
      const route = routes().find((candidate) => candidate.RouteKey === routeKey(spec))!;
      const integrationId = referencedIds(route.Target)[0]!;
      const integration = R[integrationId].Properties;
      expect(integration).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
      const fnName = { api: 'Api', inbound: 'Inbound', static: 'Static' }[spec.function];
      expect(referencedIds(integration.IntegrationUri)).toEqual([functionId(fnName)]);
    }
  });

  it('authorizes with the authorizer function: payload 2.0, simple responses, Authorization header, no cache', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    const authorizer = R[authorizerId()].Properties;
    expect(authorizer).toMatchObject({
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
      AuthorizerResultTtlInSeconds: 0,
    });
    expect(referencedIds(authorizer.AuthorizerUri)).toEqual([functionId('Authorizer')]);
  });

  it('throttles the $default stage and writes access logs', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
      RouteSettings: {
        'POST /v1/inbound/{integrationId}': {
          DetailedMetricsEnabled: true,
          ThrottlingRateLimit: 200,
          ThrottlingBurstLimit: 400,
        },
      },
      AccessLogSettings: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('\\$context.requestId'),
      },
    });
  });
});

describe('monitoring', () => {
  const topicId = () => resourcesOfType(json, 'AWS::SNS::Topic')[0]![0];
  const alarms = () => resourcesOfType(json, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
  const alarmOn = (metricName: string, dimension: Json) =>
    alarms().filter(
      (alarm) =>
        alarm.MetricName === metricName &&
        JSON.stringify(alarm.Dimensions ?? []).includes(JSON.stringify(dimension)),
    );

  it('notifies one KMS-encrypted, TLS-only topic, with no subscription unless alarmEmail is set', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('sends every alarm and its recovery to the topic', () => {
    expect(alarms().length).toBeGreaterThan(0);
    for (const alarm of alarms()) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId() }]);
      expect(alarm.OKActions).toEqual([{ Ref: topicId() }]);
    }
  });

  it.each(STATUSES)('alarms on any message in the %s dead-letter queue', (status) => {
    const matching = alarmOn('ApproximateNumberOfMessagesVisible', {
      Name: 'QueueName',
      Value: { 'Fn::GetAtt': [dlqId(status), 'QueueName'] },
    });
    expect(matching).toHaveLength(1);
    expect(matching[0]).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it.each(STATUSES)('alarms on any event in the %s rule target dead-letter queue', (status) => {
    const matching = alarmOn('ApproximateNumberOfMessagesVisible', {
      Name: 'QueueName',
      Value: { 'Fn::GetAtt': [targetDlqId(status), 'QueueName'] },
    });
    expect(matching).toHaveLength(1);
    expect(matching[0]).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  });

  it.each(STATUSES)('alarms when the oldest %s message outlives the retry schedule', (status) => {
    const matching = alarmOn('ApproximateAgeOfOldestMessage', {
      Name: 'QueueName',
      Value: { 'Fn::GetAtt': [queueId(status), 'QueueName'] },
    });
    expect(matching).toHaveLength(1);
    expect(matching[0].Threshold).toBe(60 + 300 + 1800 + 900);
  });

  it.each(['Authorizer', 'Api', 'Inbound', 'Delivery'])('alarms on %s errors and throttles', (name) => {
    const dimension = { Name: 'FunctionName', Value: { Ref: functionId(name) } };
    expect(alarmOn('Errors', dimension)).toHaveLength(1);
    expect(alarmOn('Throttles', dimension)).toHaveLength(1);
  });

  it('alarms on 5xx answers of the inbound route', () => {
    const inbound = ROUTES.find((route) => route.function === 'inbound')!;
    const matching = alarms().filter(
      (alarm) => alarm.Namespace === 'AWS/ApiGateway' && alarm.MetricName === '5xx',
    );
    expect(matching).toHaveLength(1);
    expect(matching[0].Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'Method', Value: inbound.method },
        { Name: 'Resource', Value: inbound.path },
        { Name: 'Stage', Value: '$default' },
      ]),
    );
  });

  it('has no alarms beyond those', () => {
    expect(alarms()).toHaveLength(STATUSES.length * 3 + FUNCTION_NAMES.length * 2 + 1);
  });

  it('shows deliveries, failures, retries, latency, queue and DLQ depth per event type on the dashboard', () => {
    const [, dashboard] = resourcesOfType(json, 'AWS::CloudWatch::Dashboard')[0]!;
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const status of STATUSES) {
      for (const title of [
        'deliveries',
        'failures',
        'retries',
        'latency',
        'queue depth',
        'dead-letter queue depth',
      ]) {
        expect(body).toContain(`${status} ${title}`);
      }
      expect(body).toContain(queueId(status));
      expect(body).toContain(dlqId(status));
      expect(body).toContain(targetDlqId(status));
    }
    for (const metric of [
      METRIC.deliveryAttempts,
      METRIC.deliverySucceeded,
      METRIC.deliveryFailed,
      METRIC.deliveryRetried,
      METRIC.deliveryLatency,
    ]) {
      expect(body).toContain(`\\"${metric}\\"`);
    }
  });

  it('shows the oldest message age of every status queue (both lanes) and the endpoints with an open breaker', () => {
    const [, dashboard] = resourcesOfType(json, 'AWS::CloudWatch::Dashboard')[0]!;
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    expect(body).toContain('Oldest message age per status queue');
    for (const status of STATUSES) {
      expect(body).toContain(`${status} fast lane`);
      expect(body).toContain(`${status} slow lane`);
      expect(body).toContain(idOf(stack.fanOut.queues[status].slowQueue));
    }
    expect(body).toContain('ApproximateAgeOfOldestMessage');
    expect(body).toContain('Endpoints with an open circuit breaker');
    expect(body).toContain(`\\"${METRIC.endpointsWithOpenBreaker}\\"`);
    expect(body).toContain('FILL(open, REPEAT)');
  });
});

describe('outputs', () => {
  it('exports exactly what the operator commands read', () => {
    expect(Object.keys(json.Outputs).sort()).toEqual(
      [
        'ApiUrl',
        'TenantsTable',
        'SubscriptionsTable',
        'IntegrationsTable',
        'DeliveriesTable',
        'IdempotencyTable',
        'DeliveryQueueUrls',
        'DeadLetterQueueUrls',
        'TargetDeadLetterQueueUrls',
        'EventBusName',
        'DashboardName',
        'AlarmTopicArn',
        'PortalSessionsTable',
        'PortalUrl',
      ].sort(),
    );
    for (const definition of TABLES) {
      expect(json.Outputs[`${definition.id}Table`].Value).toEqual({ Ref: tableId(definition.id) });
    }
    expect(json.Outputs.EventBusName.Value).toEqual({ Ref: busId });
  });

  it.each([
    ['DeliveryQueueUrls', queueId],
    ['DeadLetterQueueUrls', dlqId],
    ['TargetDeadLetterQueueUrls', targetDlqId],
  ] as const)('writes %s as JSON {OPEN, CLICK, FAILED}', (output, idOf) => {
    const [, parts] = json.Outputs[output].Value['Fn::Join'] as [string, Json[]];
    const rendered = parts.map((part) => (typeof part === 'string' ? part : `<${part.Ref}>`)).join('');
    expect(JSON.parse(rendered)).toEqual(
      Object.fromEntries(STATUSES.map((status) => [status, `<${idOf(status)}>`])),
    );
  });
});
