import { PutCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { dynamo, sqs } from '../lambdas/shared/aws';
import { useEmulators } from './support/emulators';

describe('test emulators', () => {
  let emulators: Awaited<ReturnType<typeof useEmulators>>;
  beforeAll(async () => {
    emulators = await useEmulators();
  });
  afterAll(() => emulators.stop());

  it('serves DynamoDB through the ordinary SDK client with every stack table created', async () => {
    const TableName = process.env.SUBSCRIPTIONS_TABLE!;
    await dynamo().send(
      new PutCommand({ TableName, Item: { pk: 'TENANT#t1', sk: 'SUB#s1', url: 'https://x' } }),
    );
    const { Item } = await dynamo().send(
      new GetCommand({ TableName, Key: { pk: 'TENANT#t1', sk: 'SUB#s1' } }),
    );
    expect(Item).toEqual({ pk: 'TENANT#t1', sk: 'SUB#s1', url: 'https://x' });
  });

  it('serves SQS through the ordinary SDK client', async () => {
    const { QueueUrl } = await sqs().send(new CreateQueueCommand({ QueueName: 'emulator-check' }));
    await sqs().send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
    const { Messages } = await sqs().send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(Messages?.map((m) => m.Body)).toEqual(['hello']);
  });
});
