/** The local mode builds exactly what the synthesized template declares. */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { TABLES } from '../../lambdas/shared/tables';
import { maxAttempts, parseRetrySchedule } from '../../lambdas/shared/retry-schedule';
import { resourcesOfType } from '../../local/intrinsics';
import { startLocal, type LocalStack } from '../../local/stack';
import { unknownResourceTypes } from '../../local/template';

let local: LocalStack;

beforeAll(async () => {
  local = await startLocal({
    settings: { RETRY_SCHEDULE: '1,2,3' },
    port: 0,
    environment: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
  });
});

afterAll(() => local?.stop());

it('knows every resource type of the template (a new one needs a decision here)', () => {
  expect(unknownResourceTypes(local.template)).toEqual([]);
});

it('creates every table with the keys and indexes of the template', async () => {
  const client = new DynamoDBClient({ endpoint: local.operatorEnv.AWS_ENDPOINT_URL_DYNAMODB });
  const sortByName = <T extends { IndexName?: string }>(indexes: T[] = []) =>
    [...indexes].sort((a, b) => String(a.IndexName).localeCompare(String(b.IndexName)));
  try {
    const declared = resourcesOfType(local.template, 'AWS::DynamoDB::Table');
    expect(declared).toHaveLength(TABLES.length);
    for (const definition of TABLES) {
      const name = local.operatorEnv[definition.envVar]!;
      const logicalId = name.split('-')[1]!;
      const properties = Object.fromEntries(declared)[logicalId]!;
      const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
      expect(Table!.KeySchema).toEqual(properties.KeySchema);
      const indexKeys = (indexes: { IndexName?: string; KeySchema?: unknown }[] | undefined) =>
        sortByName(indexes).map(({ IndexName, KeySchema }) => ({ IndexName, KeySchema }));
      expect(indexKeys(Table!.GlobalSecondaryIndexes)).toEqual(
        indexKeys(properties.GlobalSecondaryIndexes as { IndexName: string; KeySchema: unknown }[]),
      );
      expect((Table!.LocalSecondaryIndexes ?? []).map((index) => index.IndexName)).toEqual(
        ((properties.LocalSecondaryIndexes ?? []) as { IndexName: string }[]).map((index) => index.IndexName),
      );
    }
  } finally {
    client.destroy();
  }
});

it('creates each delivery queue with its dead-letter queue and the redrive count of the retry schedule', async () => {
  const client = new SQSClient({
    endpoint: local.operatorEnv.AWS_ENDPOINT_URL_SQS,
    useQueueUrlAsEndpoint: false,
  });
  try {
    const queues = JSON.parse(local.operatorEnv.DELIVERY_QUEUE_URLS!) as Record<string, string>;
    const deadLetterQueues = JSON.parse(local.operatorEnv.DEAD_LETTER_QUEUE_URLS!) as Record<string, string>;
    for (const status of Object.keys(queues)) {
      const { Attributes: queue } = await client.send(
        new GetQueueAttributesCommand({ QueueUrl: queues[status], AttributeNames: ['All'] }),
      );
      const { Attributes: dlq } = await client.send(
        new GetQueueAttributesCommand({ QueueUrl: deadLetterQueues[status], AttributeNames: ['QueueArn'] }),
      );
      expect(JSON.parse(queue!.RedrivePolicy!)).toEqual({
        deadLetterTargetArn: dlq!.QueueArn,
        maxReceiveCount: maxAttempts(parseRetrySchedule('1,2,3')),
      });
      const declared = local.plan.queues.find((plan) => queues[status]!.includes(plan.logicalId))!;
      expect(queue!.VisibilityTimeout).toBe(String(declared.attributes.VisibilityTimeout));
    }
  } finally {
    client.destroy();
  }
});

it("routes each status's rule to its own queue, each queue and slow lane to the delivery function, the replay queue to the replay function", () => {
  const functionOf = (logicalId: string) => local.plan.functions.find((f) => f.logicalId === logicalId)!.name;
  const deliveryQueueIds = local.plan.queues
    .filter((queue) => queue.deadLetterQueue && queue.logicalId.startsWith('FanOut'))
    .map((queue) => queue.logicalId);
  const fastLanes = deliveryQueueIds.filter((id) => !id.includes('SlowQueue'));
  expect(fastLanes).toHaveLength(3);

  expect(local.plan.rules.flatMap((rule) => rule.targetQueues).sort()).toEqual([...fastLanes].sort());
  // Each rule target has its own dead-letter queue, the one the operator commands drain.
  const targetDeadLetterQueues = local.plan.rules.flatMap((rule) =>
    Object.values(rule.targetDeadLetterQueues),
  );
  expect(new Set(targetDeadLetterQueues).size).toBe(fastLanes.length);
  expect(Object.keys(JSON.parse(local.operatorEnv.TARGET_DEAD_LETTER_QUEUE_URLS!) as object).sort()).toEqual([
    'CLICK',
    'FAILED',
    'OPEN',
  ]);
  const mappings = local.plan.eventSourceMappings.map((m) => [
    m.queueLogicalId,
    functionOf(m.functionLogicalId),
  ]);
  expect(
    mappings
      .filter(([, fn]) => fn === 'delivery')
      .map(([queue]) => queue)
      .sort(),
  ).toEqual([...deliveryQueueIds].sort());
  expect(mappings.filter(([, fn]) => fn !== 'delivery')).toEqual([
    [expect.stringMatching(/^ReplayQueue/), 'replay'],
  ]);
  expect(local.plan.eventSourceMappings.every((mapping) => mapping.reportBatchItemFailures)).toBe(true);
});

it('runs a handler module for every function of the template', () => {
  expect(local.plan.functions.map((fn) => fn.name).sort()).toEqual([
    'api',
    'authorizer',
    'delivery',
    'inbound',
    'replay',
    'static',
  ]);
});
