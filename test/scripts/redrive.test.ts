import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { main } from '../../scripts/redrive';
import { sqs } from '../../lambdas/shared/aws';
import { getDelivery, recordAttempts } from '../../lambdas/shared/deliveries';
import { envelopeFor, type DeliveryRequest } from '../../lambdas/shared/events';
import { STATUSES } from '../../lambdas/shared/catalog';
import { useEmulators } from '../support/emulators';

describe('npm run redrive', () => {
  let emulators: Awaited<ReturnType<typeof useEmulators>>;
  const dlq: Record<string, string> = {};
  const targetDlq: Record<string, string> = {};
  const source: Record<string, string> = {};

  beforeAll(async () => {
    emulators = await useEmulators();
    for (const status of STATUSES) {
      dlq[status] = (await sqs().send(new CreateQueueCommand({ QueueName: `${status}-dlq` }))).QueueUrl!;
      targetDlq[status] = (
        await sqs().send(new CreateQueueCommand({ QueueName: `${status}-target-dlq` }))
      ).QueueUrl!;
      source[status] = (await sqs().send(new CreateQueueCommand({ QueueName: status }))).QueueUrl!;
    }
    process.env.DEAD_LETTER_QUEUE_URLS = JSON.stringify(dlq);
    process.env.TARGET_DEAD_LETTER_QUEUE_URLS = JSON.stringify(targetDlq);
    process.env.DELIVERY_QUEUE_URLS = JSON.stringify(source);
  });
  afterAll(async () => {
    delete process.env.DEAD_LETTER_QUEUE_URLS;
    delete process.env.TARGET_DEAD_LETTER_QUEUE_URLS;
    delete process.env.DELIVERY_QUEUE_URLS;
    await emulators.stop();
  });

  async function run(...argv: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (line) => out.push(line), err: (line) => err.push(line) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  async function drainQueue(queueUrl: string): Promise<string[]> {
    const bodies: string[] = [];
    for (;;) {
      const { Messages = [] } = await sqs().send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
      );
      if (Messages.length === 0) return bodies;
      bodies.push(...Messages.map((message) => message.Body!));
    }
  }

  const request = (n: number): DeliveryRequest => ({
    deliveryId: `msg_${n}`,
    tenantId: 'tn_1',
    subscriptionIds: ['sub_1', 'sub_2'],
    eventType: 'EMAIL_FAILED',
    payload: {
      eventType: 'EMAIL_FAILED',
      trackingId: `trk_${n}`,
      notificationId: null,
      channel: 'EMAIL',
      userId: null,
      id: `evt_${n}`,
      occurredAt: '2025-01-01T00:00:00.000Z',
      provider: 'sendgrid',
    },
  });

  it('moves dead-lettered messages back to their delivery queue and marks their failed deliveries pending', async () => {
    const bodies = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((n) =>
      JSON.stringify(envelopeFor(request(n))),
    );
    for (const body of bodies)
      await sqs().send(new SendMessageCommand({ QueueUrl: dlq.FAILED, MessageBody: body }));
    const at = new Date().toISOString();
    await recordAttempts(
      request(1),
      'm:4',
      [
        {
          subscriptionId: 'sub_1',
          attempt: { at, durationMs: 1, statusCode: 500 },
          status: 'failed',
        },
        {
          subscriptionId: 'sub_2',
          attempt: { at, durationMs: 1, statusCode: 200 },
          status: 'succeeded',
        },
      ],
      3600,
    );

    const result = await run('FAILED');

    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(/^FAILED: 12 moved back to the delivery queue/);
    expect((await drainQueue(source.FAILED!)).sort()).toEqual([...bodies].sort());
    expect(await drainQueue(dlq.FAILED!)).toEqual([]);
    // The failed delivery is back in the queue; the one that succeeded stays as it was.
    expect((await getDelivery('tn_1', 'sub_1', 'msg_1'))!.status).toBe('pending');
    expect((await getDelivery('tn_1', 'sub_2', 'msg_1'))!.status).toBe('succeeded');
  });

  it('starts a delivery that came back through the Scheduler afresh: its attempts stay behind', async () => {
    const carried = { ...envelopeFor(request(90)), attemptsMade: 5 };
    await sqs().send(new SendMessageCommand({ QueueUrl: dlq.CLICK, MessageBody: JSON.stringify(carried) }));

    expect((await run('CLICK')).code).toBe(0);

    const [body] = await drainQueue(source.CLICK!);
    const { attemptsMade, ...rest } = carried;
    expect(attemptsMade).toBe(5);
    expect(JSON.parse(body!)).toEqual(rest);
  });

  it("also drains the rule target's dead-letter queue, without EventBridge's failure attributes", async () => {
    const body = JSON.stringify(envelopeFor(request(20)));
    await sqs().send(
      new SendMessageCommand({
        QueueUrl: targetDlq.FAILED,
        MessageBody: body,
        MessageAttributes: { ERROR_CODE: { DataType: 'String', StringValue: 'SQS_FAILURE' } },
      }),
    );
    await sqs().send(new SendMessageCommand({ QueueUrl: dlq.FAILED, MessageBody: 'dead-1' }));

    const result = await run('FAILED');

    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(
      /^FAILED: 2 moved back to the delivery queue, 1 of them from the rule target's dead-letter queue/,
    );
    const { Messages = [] } = await sqs().send(
      new ReceiveMessageCommand({
        QueueUrl: source.FAILED,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    );
    expect(Messages.map((message) => message.Body).sort()).toEqual([body, 'dead-1'].sort());
    expect(Messages.find((message) => message.Body === body)!.MessageAttributes).toBeUndefined();
    expect(await drainQueue(targetDlq.FAILED!)).toEqual([]);
  });

  it('--max limits how many move; `all` covers every event type', async () => {
    for (const n of [1, 2, 3]) {
      await sqs().send(new SendMessageCommand({ QueueUrl: dlq.OPEN, MessageBody: `open-${n}` }));
    }
    await sqs().send(new SendMessageCommand({ QueueUrl: dlq.CLICK, MessageBody: 'click-1' }));

    const limited = await run('open', '--max', '2');
    expect(limited.out).toMatch(/^OPEN: 2 moved/);

    const all = await run('all');
    expect(all.code).toBe(0);
    expect(all.out.split('\n')).toEqual([
      expect.stringMatching(/^OPEN: 1 moved/),
      expect.stringMatching(/^CLICK: 1 moved/),
      expect.stringMatching(/^FAILED: 0 moved/),
    ]);
    expect((await drainQueue(source.OPEN!)).sort()).toEqual(['open-1', 'open-2', 'open-3']);
    expect(await drainQueue(source.CLICK!)).toEqual(['click-1']);
  });

  it.each([[[]], [['BOUNCE']], [['OPEN', '--max', '0']], [['OPEN', 'extra']]])(
    'rejects %j with usage',
    async (argv) => {
      const result = await run(...argv);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/usage|--max/);
    },
  );
});
