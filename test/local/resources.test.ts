/**
 * The running local mode holds what the template declares (tables, queues with their redrive policies,
 * rules routing to queues), and the local event source mapping deletes successes and leaves failures
 * to SQS's own retry, as Lambda does.
 */
import { DescribeTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { EVENT_SOURCE } from '../../lambdas/shared/events';
import { STATUSES } from '../../lambdas/shared/catalog';
import { startFauxqsServer, type Emulator } from '../../local/emulators';
import { startPoller } from '../../local/poller';
import { startLocal, type LocalStack } from '../../local/stack';
import { eventually } from '../e2e/support';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('the running local stack', () => {
  let local: LocalStack;
  const lines: string[] = [];

  beforeAll(async () => {
    local = await startLocal({
      port: 0,
      apiKeys: ['er_local_resources_0123456789'],
      settings: { ...process.env, RETRY_SCHEDULE: '1,2,3' },
      log: (line) => lines.push(line),
    });
  });

  afterAll(async () => {
    await local?.stop();
  });

  it('has the tables of the template, with their keys and indexes', async () => {
    const client = new DynamoDBClient({
      region: local.operatorEnv.AWS_REGION,
      endpoint: local.operatorEnv.AWS_ENDPOINT_URL_DYNAMODB,
      credentials,
    });
    try {
      const { TableNames = [] } = await client.send(new ListTablesCommand({}));
      const shapes = await Promise.all(
        TableNames.map(async (TableName) => {
          const { Table } = await client.send(new DescribeTableCommand({ TableName }));
          return {
            keys: Table!.KeySchema,
            indexes: (Table!.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort(),
          };
        }),
      );
      const expected = local.plan.tables.map((table) => ({
        keys: table.input.KeySchema,
        indexes: (table.input.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName).sort(),
      }));
      expect(shapes).toHaveLength(expected.length);
      expect(shapes).toEqual(expect.arrayContaining(expected));
    } finally {
      client.destroy();
    }
  });

  it('has a queue per status, redriving to its dead-letter queue after 4 receives', async () => {
    const client = new SQSClient({
      region: local.operatorEnv.AWS_REGION,
      endpoint: local.operatorEnv.AWS_ENDPOINT_URL_SQS,
      credentials,
    });
    try {
      const delivery = JSON.parse(local.operatorEnv.DELIVERY_QUEUE_URLS!) as Record<string, string>;
      const deadLetter = JSON.parse(local.operatorEnv.DEAD_LETTER_QUEUE_URLS!) as Record<string, string>;
      for (const status of STATUSES) {
        const attributes = async (QueueUrl: string) =>
          (await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] })))
            .Attributes!;
        const queue = await attributes(delivery[status]!);
        const dlq = await attributes(deadLetter[status]!);
        expect(JSON.parse(queue.RedrivePolicy!)).toEqual({
          deadLetterTargetArn: dlq.QueueArn,
          maxReceiveCount: 4,
        });
        const planned = local.plan.queues.find(
          (q) => q.deadLetterQueue && queue.QueueArn!.includes(q.logicalId),
        );
        expect(Number(queue.VisibilityTimeout)).toBe(planned!.attributes.VisibilityTimeout);
      }
    } finally {
      client.destroy();
    }
  });

  it("routes each status's events to its queue through the template's rules", async () => {
    const bus = local.plan.buses[0]!;
    const client = new EventBridgeClient({
      region: local.operatorEnv.AWS_REGION,
      endpoint: local.operatorEnv.AWS_ENDPOINT_URL_EVENTBRIDGE,
      credentials,
    });
    try {
      for (const status of STATUSES) {
        const result = await client.send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: bus.name,
                Source: EVENT_SOURCE,
                DetailType: status,
                Detail: JSON.stringify({ deliveryId: `msg_route_${status}` }),
              },
            ],
          }),
        );
        expect(result.FailedEntryCount).toBe(0);
        const queueLabel = `${status[0]}${status.slice(1).toLowerCase()}Queue`;
        expect(lines).toContain(`bus: ${EVENT_SOURCE} ${status} msg_route_${status} → ${queueLabel}`);
      }
    } finally {
      client.destroy();
    }
  });
});

describe('local event source mapping', () => {
  let emulator: Emulator;
  let client: SQSClient;

  beforeAll(async () => {
    emulator = await startFauxqsServer();
    client = new SQSClient({ region: 'us-east-1', endpoint: emulator.endpoint, credentials });
  });

  afterAll(async () => {
    client?.destroy();
    await emulator?.stop();
  });

  async function queueWith(name: string, bodies: string[]) {
    const { QueueUrl } = await client.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: '1' } }),
    );
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: bodies.map((body, index) => ({ Id: String(index), MessageBody: body })),
      }),
    );
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    return { queueUrl: QueueUrl!, queueArn: Attributes!.QueueArn! };
  }

  const remaining = async (QueueUrl: string) => {
    const { Attributes = {} } = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes.ApproximateNumberOfMessages) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible)
    );
  };

  function poll(
    queue: { queueUrl: string; queueArn: string },
    invoke: (event: SQSEvent) => Promise<unknown>,
  ) {
    return startPoller({
      label: 'test',
      ...queue,
      region: 'us-east-1',
      batchSize: 10,
      maximumBatchingWindowInSeconds: 0,
      reportBatchItemFailures: true,
      maximumConcurrency: 1,
      client,
      invoke,
    });
  }

  it('deletes the successes and receives the reported failure again', async () => {
    const queue = await queueWith('partial', ['a', 'b', 'c']);
    const seen: string[] = [];
    const poller = poll(queue, async (event) => {
      expect(event.Records[0]!.eventSourceARN).toBe(queue.queueArn);
      const failures = event.Records.filter(
        (r) => r.body === 'b' && r.attributes.ApproximateReceiveCount === '1',
      );
      seen.push(...event.Records.map((r) => `${r.body}${r.attributes.ApproximateReceiveCount}`));
      return { batchItemFailures: failures.map((r) => ({ itemIdentifier: r.messageId })) };
    });
    try {
      await eventually('b to come back', () => seen.includes('b2'));
      await eventually('the queue to empty', async () => (await remaining(queue.queueUrl)) === 0);
    } finally {
      await poller.stop();
    }
    expect(seen.sort()).toEqual(['a1', 'b1', 'b2', 'c1']);
  });

  it('deletes nothing when the function throws', async () => {
    const queue = await queueWith('throws', ['x', 'y']);
    const seen: string[] = [];
    const poller = poll(queue, async (event) => {
      seen.push(...event.Records.map((r) => `${r.body}${r.attributes.ApproximateReceiveCount}`));
      if (event.Records.some((r) => r.attributes.ApproximateReceiveCount === '1')) throw new Error('boom');
      return { batchItemFailures: [] };
    });
    try {
      await eventually('both to come back', () => seen.includes('x2') && seen.includes('y2'));
      await eventually('the queue to empty', async () => (await remaining(queue.queueUrl)) === 0);
    } finally {
      await poller.stop();
    }
    expect(seen.filter((s) => s.endsWith('1')).sort()).toEqual(['x1', 'y1']);
  });
});
