/**
 * What the local mode reads out of the synthesized template, and the pure pieces that stand in for AWS:
 * the bus's pattern matching, the API Gateway event translation and the event source mapping's
 * delete-or-keep decision.
 */
import type { SQSEvent } from 'aws-lambda';
import { synthTemplate, type CloudFormationTemplate } from '../../lib/synth';
import { EVENT_SOURCE, rulePattern } from '../../lambdas/shared/events';
import { STATUSES } from '../../lambdas/shared/catalog';
import { ROUTES, routeKey } from '../../lambdas/shared/routes';
import { TABLES } from '../../lambdas/shared/tables';
import {
  fromHandlerResult,
  identityValues,
  matchRoute,
  toAuthorizerEvent,
  toHttpApiEvent,
  type ServedRoute,
} from '../../local/api-server';
import { compilePattern, createBus } from '../../local/event-bus';
import { UnsupportedTemplateError } from '../../local/intrinsics';
import { recordsToDelete, toSqsEvent } from '../../local/poller';
import { functionNameOf, planFromTemplate, unknownResourceTypes, type LocalPlan } from '../../local/template';

let template: CloudFormationTemplate;
let plan: LocalPlan;

beforeAll(() => {
  template = synthTemplate({ retrySchedule: '1,2,3' } as never);
  plan = planFromTemplate(template);
});

describe('plan from the synthesized template', () => {
  it('knows every resource type of the template', () => {
    expect(unknownResourceTypes(template)).toEqual([]);
  });

  it('has one table per table definition, with its keys and indexes', () => {
    expect(plan.tables).toHaveLength(TABLES.length);
    const keysOf = (schema: { AttributeName?: string; KeyType?: string }[] | undefined) =>
      (schema ?? []).map((key) => `${key.KeyType}:${key.AttributeName}`);
    for (const definition of TABLES) {
      const matching = plan.tables.filter(
        (table) =>
          keysOf(table.input.KeySchema).join() ===
          [
            `HASH:${definition.partitionKey}`,
            ...(definition.sortKey ? [`RANGE:${definition.sortKey}`] : []),
          ].join(),
      );
      const indexes = matching.map((table) =>
        (table.input.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort(),
      );
      expect(indexes).toContainEqual(definition.globalIndexes.map((index) => index.name).sort());
    }
  });

  it('has a delivery queue per status redriving to its own DLQ after 4 attempts (1,2,3)', () => {
    const redriving = plan.queues.filter((queue) => queue.deadLetterQueue);
    expect(redriving).toHaveLength(STATUSES.length);
    for (const queue of redriving) {
      const dlqIndex = plan.queues.findIndex((q) => q.logicalId === queue.deadLetterQueue);
      expect(dlqIndex).toBeGreaterThanOrEqual(0);
      expect(dlqIndex).toBeLessThan(plan.queues.indexOf(queue));
      expect((queue.attributes.RedrivePolicy as { maxReceiveCount: number }).maxReceiveCount).toBe(4);
    }
  });

  it('has one rule per status, matching rulePattern(status), targeting a redriving queue', () => {
    expect(plan.rules.map((rule) => rule.pattern)).toEqual(
      expect.arrayContaining(STATUSES.map((status) => rulePattern(status))),
    );
    expect(plan.rules).toHaveLength(STATUSES.length);
    const redriving = new Set(plan.queues.filter((q) => q.deadLetterQueue).map((q) => q.logicalId));
    for (const rule of plan.rules) {
      expect(rule.targetQueues).toHaveLength(1);
      expect(redriving.has(rule.targetQueues[0]!)).toBe(true);
    }
  });

  it('polls every delivery queue with the delivery function, reporting batch item failures', () => {
    expect(plan.eventSourceMappings).toHaveLength(STATUSES.length);
    for (const mapping of plan.eventSourceMappings) {
      const fn = plan.functions.find((f) => f.logicalId === mapping.functionLogicalId);
      expect(fn?.name).toBe('delivery');
      expect(mapping.reportBatchItemFailures).toBe(true);
      expect(mapping.batchSize).toBeLessThanOrEqual(10);
    }
  });

  it('serves exactly the shared routes, the authorized ones through the authorizer function', () => {
    expect(plan.routes.map((route) => route.routeKey).sort()).toEqual(ROUTES.map(routeKey).sort());
    for (const spec of ROUTES) {
      const route = plan.routes.find((r) => r.routeKey === routeKey(spec))!;
      expect(plan.functions.find((f) => f.logicalId === route.functionLogicalId)?.name).toBe(spec.function);
      if (spec.authorized) {
        expect(plan.functions.find((f) => f.logicalId === route.authorizer?.functionLogicalId)?.name).toBe(
          'authorizer',
        );
        expect(route.authorizer?.identitySource).toEqual(['$request.header.Authorization']);
      } else {
        expect(route.authorizer).toBeUndefined();
      }
    }
  });

  it('maps each function to its handler module, and refuses an unknown function', () => {
    expect(plan.functions.map((fn) => fn.name).sort()).toEqual(['api', 'authorizer', 'delivery', 'inbound']);
    expect(functionNameOf('FunctionsMystery0123ABCD')).toBeUndefined();
    const withStranger = structuredClone(template);
    const [someFunction] = Object.entries(withStranger.Resources).find(
      ([, resource]) => (resource as { Type: string }).Type === 'AWS::Lambda::Function',
    )!;
    withStranger.Resources.FunctionsMystery0123ABCD = withStranger.Resources[someFunction];
    expect(() => planFromTemplate(withStranger)).toThrow(
      /cannot tell which handler function FunctionsMystery/,
    );
  });
});

describe('local bus', () => {
  it("matches the template's rule patterns on source and detail-type", () => {
    for (const rule of plan.rules) {
      const matches = compilePattern(rule.pattern);
      const status = (rule.pattern['detail-type'] as string[])[0]!;
      expect(matches({ source: EVENT_SOURCE, 'detail-type': status })).toBe(true);
      expect(matches({ source: 'someone.else', 'detail-type': status })).toBe(false);
      for (const other of STATUSES.filter((s) => s !== status)) {
        expect(matches({ source: EVENT_SOURCE, 'detail-type': other })).toBe(false);
      }
    }
  });

  it.each([
    ['a content filter', { source: [{ prefix: 'event-relay' }] }],
    ['a detail field', { source: ['x'], detail: { tenantId: ['t'] } }],
    ['a non-string value', { 'detail-type': [1] }],
    ['an empty list', { source: [] }],
    ['an empty pattern', {}],
    ['another top-level field', { account: ['123'] }],
  ])('refuses %s', (_name, pattern) => {
    expect(() => compilePattern(pattern)).toThrow(UnsupportedTemplateError);
  });

  it('sends the EventBridge envelope of a matching event to the target queue only', async () => {
    const sent: { queueUrl: string; body: string }[] = [];
    const bus = createBus({
      region: 'us-east-1',
      accountId: '000000000000',
      send: async (queueUrl, body) => {
        sent.push({ queueUrl, body });
      },
      buses: [
        {
          name: 'relay',
          arn: 'arn:aws:events:us-east-1:000000000000:event-bus/relay',
          rules: STATUSES.map((status) => ({
            name: status,
            matches: compilePattern(rulePattern(status)),
            targets: [{ queueUrl: `queue-${status}`, label: status }],
          })),
        },
      ],
    });
    const results = await bus.putEvents([
      { EventBusName: 'relay', Source: EVENT_SOURCE, DetailType: 'CLICK', Detail: '{"deliveryId":"msg_1"}' },
      { EventBusName: 'relay', Source: 'other', DetailType: 'CLICK', Detail: '{}' },
      { EventBusName: 'nope', Source: EVENT_SOURCE, DetailType: 'CLICK', Detail: '{}' },
    ]);
    expect(results[0]).toEqual({ EventId: expect.any(String) });
    expect(results[1]).toEqual({ EventId: expect.any(String) });
    expect(results[2]).toMatchObject({ ErrorCode: 'ResourceNotFoundException' });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.queueUrl).toBe('queue-CLICK');
    expect(JSON.parse(sent[0]!.body)).toEqual({
      version: '0',
      id: results[0]!.EventId,
      'detail-type': 'CLICK',
      source: EVENT_SOURCE,
      account: '000000000000',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: 'us-east-1',
      resources: [],
      detail: { deliveryId: 'msg_1' },
    });
  });
});

describe('API Gateway payload 2.0 translation', () => {
  const noop = async () => ({ statusCode: 200 });
  const routes: ServedRoute[] = [
    { method: 'GET', path: '/v1/webhooks/{id}', routeKey: 'GET /v1/webhooks/{id}', invoke: noop },
    {
      method: 'POST',
      path: '/v1/inbound/{integrationId}',
      routeKey: 'POST /v1/inbound/{integrationId}',
      invoke: noop,
    },
  ];
  const settings = { domainName: '127.0.0.1:3000', apiId: 'local', accountId: '000000000000' };

  it('matches routes with path parameters and nothing else', () => {
    expect(matchRoute(routes, 'GET', '/v1/webhooks/wh_1')?.pathParameters).toEqual({ id: 'wh_1' });
    expect(matchRoute(routes, 'DELETE', '/v1/webhooks/wh_1')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/v1/webhooks/')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/v1/webhooks/wh_1/logs')).toBeUndefined();
  });

  it('builds the event API Gateway sends: headers lower-cased, query, cookies, context', () => {
    const matched = matchRoute(routes, 'GET', '/v1/webhooks/wh_1')!;
    const event = toHttpApiEvent(
      {
        method: 'GET',
        url: '/v1/webhooks/wh_1?limit=5&tag=a&tag=b',
        rawHeaders: [
          'Authorization',
          'Bearer k',
          'User-Agent',
          'curl/8',
          'Cookie',
          'a=1; b=2',
          'X-Multi',
          '1',
          'x-multi',
          '2',
        ],
        body: Buffer.alloc(0),
        sourceIp: '127.0.0.1',
      },
      matched,
      { ...settings, now: new Date('2025-01-01T00:00:00Z'), requestId: 'req-1' },
    );
    expect(event).toEqual({
      version: '2.0',
      routeKey: 'GET /v1/webhooks/{id}',
      rawPath: '/v1/webhooks/wh_1',
      rawQueryString: 'limit=5&tag=a&tag=b',
      cookies: ['a=1', 'b=2'],
      headers: { authorization: 'Bearer k', 'user-agent': 'curl/8', 'x-multi': '1,2' },
      queryStringParameters: { limit: '5', tag: 'a,b' },
      pathParameters: { id: 'wh_1' },
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: '127.0.0.1:3000',
        domainPrefix: '127',
        http: {
          method: 'GET',
          path: '/v1/webhooks/wh_1',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'curl/8',
        },
        requestId: 'req-1',
        routeKey: 'GET /v1/webhooks/{id}',
        stage: '$default',
        time: '2025-01-01T00:00:00.000Z',
        timeEpoch: 1735689600000,
      },
      isBase64Encoded: false,
    });
    expect(identityValues(event, ['$request.header.Authorization'])).toEqual(['Bearer k']);
    const authorizerEvent = toAuthorizerEvent(event, ['Bearer k'], { ...settings, region: 'us-east-1' });
    expect(authorizerEvent).toMatchObject({ type: 'REQUEST', identitySource: ['Bearer k'] });
  });

  it('has no identity when the Authorization header is missing (API Gateway answers 401 itself)', () => {
    const matched = matchRoute(routes, 'GET', '/v1/webhooks/wh_1')!;
    const event = toHttpApiEvent(
      { method: 'GET', url: '/v1/webhooks/wh_1', rawHeaders: [], body: Buffer.alloc(0), sourceIp: '::1' },
      matched,
      settings,
    );
    expect(identityValues(event, ['$request.header.Authorization'])).toBeUndefined();
  });

  it('passes JSON as text and form or binary bodies as exact base64', () => {
    const matched = matchRoute(routes, 'POST', '/v1/inbound/int_1')!;
    const request = (contentType: string, body: Buffer) => ({
      method: 'POST',
      url: '/v1/inbound/int_1',
      rawHeaders: ['Content-Type', contentType],
      body,
      sourceIp: '127.0.0.1',
    });
    const json = toHttpApiEvent(request('application/json', Buffer.from('{"a":"é"}')), matched, settings);
    expect(json).toMatchObject({ body: '{"a":"é"}', isBase64Encoded: false });
    const form = Buffer.from('a=1&b=%C3%A9');
    const formEvent = toHttpApiEvent(request('application/x-www-form-urlencoded', form), matched, settings);
    expect(formEvent.isBase64Encoded).toBe(true);
    expect(Buffer.from(formEvent.body!, 'base64').equals(form)).toBe(true);
    const binary = Buffer.from([0xff, 0x00, 0xfe]);
    const binaryEvent = toHttpApiEvent(request('application/json', binary), matched, settings);
    expect(Buffer.from(binaryEvent.body!, 'base64').equals(binary)).toBe(true);
  });

  it('writes back status, headers and base64 bodies as API Gateway does', () => {
    const reply = fromHandlerResult({
      statusCode: 201,
      headers: { 'Content-Type': 'text/plain', 'X-Count': 2 },
      body: Buffer.from('hi').toString('base64'),
      isBase64Encoded: true,
    });
    expect(reply).toMatchObject({
      statusCode: 201,
      headers: { 'content-type': 'text/plain', 'x-count': '2' },
    });
    expect(reply.body.toString()).toBe('hi');
    expect(fromHandlerResult({ ok: true })).toMatchObject({ statusCode: 200 });
  });
});

describe('event source mapping decision', () => {
  const event: SQSEvent = toSqsEvent(
    ['a', 'b', 'c'].map((id) => ({
      MessageId: id,
      ReceiptHandle: `rh-${id}`,
      Body: `{"n":"${id}"}`,
      Attributes: { ApproximateReceiveCount: '2', SentTimestamp: '1', ApproximateFirstReceiveTimestamp: '2' },
    })),
    'arn:aws:sqs:us-east-1:000000000000:q',
    'us-east-1',
  );
  const ids = (records: { messageId: string }[]) => records.map((record) => record.messageId);

  it('builds SQS records as Lambda does', () => {
    expect(event.Records[0]).toMatchObject({
      messageId: 'a',
      receiptHandle: 'rh-a',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q',
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '2' },
      md5OfBody: expect.stringMatching(/^[0-9a-f]{32}$/),
      messageAttributes: {},
    });
  });

  it('deletes the successes and keeps the reported failures', () => {
    const result = { batchItemFailures: [{ itemIdentifier: 'b' }] };
    expect(ids(recordsToDelete(event, { threw: false, result }, true))).toEqual(['a', 'c']);
    expect(ids(recordsToDelete(event, { threw: false, result: { batchItemFailures: [] } }, true))).toEqual([
      'a',
      'b',
      'c',
    ]);
  });

  it('deletes nothing when the function throws or reports an id not in the batch', () => {
    expect(recordsToDelete(event, { threw: true }, true)).toEqual([]);
    const result = { batchItemFailures: [{ itemIdentifier: 'zzz' }] };
    expect(recordsToDelete(event, { threw: false, result }, true)).toEqual([]);
  });
});
