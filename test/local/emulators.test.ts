/** The local SQS emulator accepts exactly the characters real SQS accepts in a message body. */
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { sqs } from '../../lambdas/shared/aws';
import { useEmulators } from '../support/emulators';

let emulators: Awaited<ReturnType<typeof useEmulators>>;
let queueUrl: string;

beforeAll(async () => {
  emulators = await useEmulators();
  ({ QueueUrl: queueUrl } = (await sqs().send(new CreateQueueCommand({ QueueName: 'chars' }))) as {
    QueueUrl: string;
  });
});
afterAll(() => emulators.stop());

it.each([
  ['an emoji (U+1F600)', '😀'],
  ['the last code point (U+10FFFF)', '\u{10FFFF}'],
  ['tab, line feed and carriage return', '\t\n\r'],
  ['U+FFFD', '\uFFFD'],
])('accepts %s, as SQS does', async (_name, text) => {
  const body = `{"note":"${text}"}`;
  await sqs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  const { Messages = [] } = await sqs().send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
  expect(Messages.map((message) => message.Body)).toEqual([body]);
  await sqs().send(
    new DeleteMessageCommand({
      QueueUrl: queueUrl,
      ReceiptHandle: Messages[0]!.ReceiptHandle!,
    }),
  );
});

it.each([
  ['U+FFFF', '\uFFFF'],
  ['U+FFFE', '\uFFFE'],
  ['a lone high surrogate', '\uD83D'],
  ['a lone low surrogate', '\uDE00'],
  ['U+0001', '\u0001'],
])('refuses %s, as SQS does', async (_name, text) => {
  await expect(
    sqs().send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: `x${text}x` })),
  ).rejects.toThrow(/Invalid characters/);
});
