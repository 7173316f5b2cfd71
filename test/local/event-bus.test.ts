/** The local bus against the stack's own rule patterns, through the real EventBridge client. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { STATUSES } from '../../lambdas/shared/catalog';
import { EVENT_SOURCE } from '../../lambdas/shared/events';
import { synthTemplate } from '../../lib/synth';
import { compilePattern, startEventBus, type LocalBus } from '../../local/event-bus';
import { planFromTemplate } from '../../local/template';

const plan = planFromTemplate(synthTemplate());

describe('compilePattern', () => {
  it.each(STATUSES)("matches the %s rule's events and no other status", (status) => {
    const rules = plan.rules.filter((rule) =>
      compilePattern(rule.pattern)({ source: EVENT_SOURCE, 'detail-type': status }),
    );

    expect(rules).toHaveLength(1);
    expect(compilePattern(rules[0]!.pattern)({ source: 'someone.else', 'detail-type': status })).toBe(false);
  });

  it.each([
    ['a field it does not implement', { source: ['a'], account: ['1'] }],
    ['a detail pattern', { source: ['a'], detail: { status: ['x'] } }],
    ['a prefix match', { source: [{ prefix: 'a' }] }],
    ['an empty list', { source: [] }],
    ['an empty pattern', {}],
  ])('refuses %s', (_, pattern) => {
    expect(() => compilePattern(pattern)).toThrow(/local/);
  });
});

describe('PutEvents', () => {
  const sent: { queueUrl: string; body: string; attributes?: Record<string, string> }[] = [];
  /** Queues that refuse every message, as a queue refusing an event's characters or size would. */
  const refusing = new Set<string>();
  let bus: LocalBus;
  let client: EventBridgeClient;

  beforeAll(async () => {
    bus = await startEventBus({
      region: 'us-east-1',
      accountId: '000000000000',
      send: async (queueUrl, body, attributes) => {
        if (refusing.has(queueUrl)) throw new Error('InvalidMessageContents: refused');
        sent.push({ queueUrl, body, ...(attributes && { attributes }) });
      },
      buses: [
        {
          name: 'relay-bus',
          arn: 'arn:aws:events:us-east-1:000000000000:event-bus/relay-bus',
          rules: plan.rules.map((rule) => ({
            name: rule.logicalId,
            matches: compilePattern(rule.pattern),
            targets: [
              {
                queueUrl: `queue-of-${rule.logicalId}`,
                label: rule.logicalId,
                deadLetterQueueUrl: `dlq-of-${rule.logicalId}`,
              },
            ],
          })),
        },
      ],
    });
    client = new EventBridgeClient({ endpoint: bus.endpoint });
  });

  afterAll(async () => {
    client.destroy();
    await bus.stop();
  });

  beforeEach(() => {
    sent.splice(0);
    refusing.clear();
  });

  it("accepts an event its target queue refuses and puts it in the target's dead-letter queue, as AWS does", async () => {
    const clickRule = plan.rules.find((rule) => (rule.pattern['detail-type'] as string[]).includes('CLICK'))!;
    refusing.add(`queue-of-${clickRule.logicalId}`);
    const detail = { deliveryId: 'msg_2' };

    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'relay-bus',
            Source: EVENT_SOURCE,
            DetailType: 'CLICK',
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );

    expect(result.FailedEntryCount).toBe(0);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.queueUrl).toBe(`dlq-of-${clickRule.logicalId}`);
    expect(JSON.parse(sent[0]!.body)).toMatchObject({ 'detail-type': 'CLICK', detail });
    expect(sent[0]!.attributes).toMatchObject({
      ERROR_CODE: 'SQS_FAILURE',
      ERROR_MESSAGE: expect.stringContaining('refused'),
      RULE_ARN: expect.stringContaining(`rule/${clickRule.logicalId}`),
    });
  });

  it('refuses a call whose entries exceed 256 KB as EventBridge counts them', async () => {
    const entry = (bytes: number) => ({
      EventBusName: 'relay-bus',
      Source: EVENT_SOURCE,
      DetailType: 'OPEN',
      Detail: JSON.stringify({ pad: 'é'.repeat(bytes / 2) }),
    });
    await expect(
      client.send(new PutEventsCommand({ Entries: [entry(140_000), entry(140_000)] })),
    ).rejects.toThrow(/over the limit/);
    expect(sent).toEqual([]);
    const fits = await client.send(new PutEventsCommand({ Entries: [entry(120_000), entry(120_000)] }));
    expect(fits.FailedEntryCount).toBe(0);
  });

  it('sends the EventBridge envelope of a matching event to its rule target', async () => {
    const detail = { deliveryId: 'msg_1', tenantId: 'tn_1' };
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'relay-bus',
            Source: EVENT_SOURCE,
            DetailType: 'CLICK',
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );

    expect(result.FailedEntryCount).toBe(0);
    const clickRule = plan.rules.find((rule) => (rule.pattern['detail-type'] as string[]).includes('CLICK'))!;
    expect(sent).toHaveLength(1);
    expect(sent[0]!.queueUrl).toBe(`queue-of-${clickRule.logicalId}`);
    expect(JSON.parse(sent[0]!.body)).toEqual({
      version: '0',
      id: result.Entries![0]!.EventId,
      'detail-type': 'CLICK',
      source: EVENT_SOURCE,
      account: '000000000000',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: 'us-east-1',
      resources: [],
      detail,
    });
  });

  it('accepts events no rule matches, and fails entries on an unknown bus or with a malformed detail', async () => {
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          { EventBusName: 'relay-bus', Source: 'other', DetailType: 'OPEN', Detail: '{}' },
          { EventBusName: 'nope', Source: EVENT_SOURCE, DetailType: 'OPEN', Detail: '{}' },
          { EventBusName: 'relay-bus', Source: EVENT_SOURCE, DetailType: 'OPEN', Detail: 'not json' },
        ],
      }),
    );

    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries!.map((entry) => entry.ErrorCode)).toEqual([
      undefined,
      'ResourceNotFoundException',
      'MalformedDetail',
    ]);
    expect(sent).toEqual([]);
  });
});
