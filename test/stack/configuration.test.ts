/**
 * Configuration: cdk.json context parsing and validation, and what changing a value does to the
 * synthesized template (the retry schedule drives the redrive settings, and so on).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STATUSES } from '../../lambdas/shared/catalog';
import { parseRetrySchedule } from '../../lambdas/shared/retry-schedule';
import {
  CONFIG_KEYS,
  ConfigError,
  DEFAULT_CONFIG,
  parseConfig,
  type EventRelayConfig,
} from '../../lib/config';
import { buildStack } from '../../lib/synth';
import { resourcesOfType, synthesize, type Json } from './support';

const ROOT = join(__dirname, '..', '..');

describe('parseConfig', () => {
  const parse = (values: Partial<Record<keyof EventRelayConfig, unknown>>) =>
    parseConfig({ ...DEFAULT_CONFIG, ...values });

  it('accepts the defaults', () => {
    expect(parse({})).toEqual(DEFAULT_CONFIG);
  });

  it('reads command-line strings (-c key=value) as well as JSON values', () => {
    expect(
      parse({
        retrySchedule: '10, 20,30',
        deliveryTimeoutMs: '5000',
        allowPrivateTargets: 'true',
        batchSize: '5',
        alarmEmail: 'ops@example.com',
        publicUrl: 'https://hooks.example.com/',
      }),
    ).toMatchObject({
      retrySchedule: { delays: [10, 20, 30], jitter: 0 },
      deliveryTimeoutMs: 5000,
      allowPrivateTargets: true,
      batchSize: 5,
      alarmEmail: 'ops@example.com',
      publicUrl: 'https://hooks.example.com',
    });
    expect(parse({ retrySchedule: '[5,15]' }).retrySchedule.delays).toEqual([5, 15]);
    expect(parse({ retrySchedule: '1m, 5m, 30m, 2h, 5h, 10h, 10h ±20%' }).retrySchedule).toEqual({
      delays: [60, 300, 1800, 7200, 18_000, 36_000, 36_000],
      jitter: 0.2,
      schedulerAfterSeconds: 42_900,
    });
  });

  it('treats an empty optional value as unset', () => {
    expect(parse({ alarmEmail: '', publicUrl: '' })).toEqual(DEFAULT_CONFIG);
  });

  it.each([
    ['retrySchedule', []],
    ['retrySchedule', '60,abc'],
    ['retrySchedule', [60, -1]],
    ['retrySchedule', [86_401]],
    ['retrySchedule', '60,300 ±60%'],
    ['retrySchedule', { delays: [60], jitter: 0.2, backoff: 2 }],
    ['retrySchedule', { delays: [60], schedulerAfterSeconds: 43_200 }],
    // More than 13 days in the queue (SQS keeps a message 14 days).
    ['retrySchedule', Array.from({ length: 27 }, () => 42_000)],
    // Longer than the delivery log is kept (30 days by default).
    ['retrySchedule', Array.from({ length: 30 }, () => '1d')],
    ['deliveryTimeoutMs', 26_000],
    ['deliveryTimeoutMs', 'soon'],
    ['fastLaneTimeoutMs', 50],
    ['fastLaneTimeoutMs', 20_000],
    ['fastLanePatienceMs', 2_000],
    ['breakerFailureThreshold', 0],
    ['breakerCooldownSeconds', 'a minute'],
    ['logRetentionDays', 31],
    ['logLevel', 'LOUD'],
    ['allowPrivateTargets', 'yes'],
    ['removalPolicy', 'snapshot'],
    ['batchSize', 0],
    ['maxConcurrency', 1],
    ['archiveRetentionDays', -1],
    ['alarmEmail', 'not-an-address'],
    ['publicUrl', 'ftp://example.com'],
  ] as const)('rejects %s = %j, naming the key', (key, value) => {
    expect(() => parse({ [key]: value })).toThrow(ConfigError);
    expect(() => parse({ [key]: value })).toThrow(`"${key}"`);
  });

  it('needs a batching window for batches over 10 messages', () => {
    expect(() => parse({ batchSize: 50, maxBatchingWindowSeconds: 0 })).toThrow('maxBatchingWindowSeconds');
    expect(parse({ batchSize: 50, maxBatchingWindowSeconds: 5 }).batchSize).toBe(50);
  });
});

describe('cdk.json and the documentation', () => {
  const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as {
    app: string;
    context: Record<string, unknown>;
  };

  it('runs the app with tsx and sets every default that has one', () => {
    expect(cdkJson.app).toBe('npx tsx bin/app.ts');
    for (const key of CONFIG_KEYS) {
      // The retry schedule is written as its list of delays.
      const value = key === 'retrySchedule' ? parseRetrySchedule(cdkJson.context[key]) : cdkJson.context[key];
      expect(value).toEqual(DEFAULT_CONFIG[key]);
    }
  });

  it('documents every context key in the configuration table', () => {
    const doc = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');
    for (const key of [...CONFIG_KEYS, 'stackName']) expect(doc).toContain(`| \`${key}\``);
  });

  it('documents every stack output in the outputs table', () => {
    const doc = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');
    const outputs = Object.keys(synthesize().json.Outputs as Record<string, unknown>);
    expect(outputs.length).toBeGreaterThan(5);
    expect(outputs.filter((key) => !doc.includes(`\`${key}\``))).toEqual([]);
  });
});

describe('changing the configuration', () => {
  const queues = (json: Record<string, Json>) =>
    resourcesOfType(json, 'AWS::SQS::Queue').filter(
      ([id, queue]) => queue.Properties.RedrivePolicy && id.startsWith('FanOut'),
    );
  const deliveryEnv = (json: Record<string, Json>) =>
    resourcesOfType(json, 'AWS::Lambda::Function').find(
      ([, fn]) => fn.Properties.Environment.Variables.RETRY_SCHEDULE,
    )![1].Properties.Environment.Variables;

  it('derives maxReceiveCount, RETRY_SCHEDULE and the queue-age alarm from one retry schedule', () => {
    const { json } = synthesize({ retrySchedule: [10, 20] });
    // Both lanes of each status.
    expect(queues(json)).toHaveLength(STATUSES.length * 2);
    for (const [, queue] of queues(json)) expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(3);
    expect(deliveryEnv(json).RETRY_SCHEDULE).toBe('10,20');
    const ageAlarms = resourcesOfType(json, 'AWS::CloudWatch::Alarm').filter(
      ([, alarm]) => alarm.Properties.MetricName === 'ApproximateAgeOfOldestMessage',
    );
    expect(ageAlarms.map(([, alarm]) => alarm.Properties.Threshold)).toEqual([930, 930, 930]);
  });

  it('derives the same settings from a long tail with jitter, the alarm from what the queue can hold', () => {
    const { json } = synthesize({ retrySchedule: '1m,5m,30m,2h,5h,10h,10h ±20%' });
    for (const [, queue] of queues(json)) {
      expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(8);
      // SQS's longest retention: the queue holds at most about 1.4 days of this schedule.
      expect(queue.Properties.MessageRetentionPeriod).toBe(14 * 86_400);
    }
    expect(deliveryEnv(json).RETRY_SCHEDULE).toBe('60,300,1800,7200,18000,36000,36000 ±20%');
    const ageAlarms = resourcesOfType(json, 'AWS::CloudWatch::Alarm').filter(
      ([, alarm]) => alarm.Properties.MetricName === 'ApproximateAgeOfOldestMessage',
    );
    // Each delay at the top of its spread, the two 10-hour ones capped at what SQS holds, plus 15 minutes.
    const held = 72 + 360 + 2160 + 8640 + 21_600 + 2 * 42_900;
    expect(ageAlarms.map(([, alarm]) => alarm.Properties.Threshold)).toEqual([
      held + 900,
      held + 900,
      held + 900,
    ]);
  });

  it('reads the retry schedule and other values from context, as `cdk -c` passes them', () => {
    const stack = buildStack(
      {},
      {
        context: { retrySchedule: '5,10,15,20,25', deliveryTimeoutMs: '20000', allowPrivateTargets: 'true' },
      },
    );
    const json = (stack.node.root as unknown as { synth(): Json })
      .synth()
      .getStackByName(stack.stackName).template;
    for (const [, queue] of queues(json)) expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(6);
    expect(deliveryEnv(json)).toMatchObject({
      RETRY_SCHEDULE: '5,10,15,20,25',
      DELIVERY_TIMEOUT_MS: '20000',
      ALLOW_PRIVATE_TARGETS: 'true',
    });
    const [, delivery] = resourcesOfType(json, 'AWS::Lambda::Function').find(
      ([, fn]) => fn.Properties.Environment.Variables.RETRY_SCHEDULE,
    )!;
    for (const [, queue] of queues(json)) {
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * delivery.Properties.Timeout);
    }
    expect(delivery.Properties.Timeout).toBeGreaterThan(20);
  });

  it('applies the other values: e-mail subscription, removal policy, retention, throttling, batching, public URL', () => {
    const { json, template } = synthesize({
      alarmEmail: 'ops@example.com',
      removalPolicy: 'destroy',
      logRetentionDays: 7,
      deliveryLogTtlDays: 3,
      archiveRetentionDays: 0,
      throttlingRateLimit: 5,
      throttlingBurstLimit: 10,
      batchSize: 100,
      maxBatchingWindowSeconds: 5,
      maxConcurrency: 2,
      publicUrl: 'https://hooks.example.com',
      fastLaneTimeoutMs: 2_000,
      fastLanePatienceMs: 500,
      breakerFailureThreshold: 3,
      breakerCooldownSeconds: 120,
    });
    expect(deliveryEnv(json)).toMatchObject({
      FAST_LANE_TIMEOUT_MS: '2000',
      FAST_LANE_PATIENCE_MS: '500',
      BREAKER_FAILURE_THRESHOLD: '3',
      BREAKER_COOLDOWN_SECONDS: '120',
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    for (const [, table] of resourcesOfType(json, 'AWS::DynamoDB::Table')) {
      expect(table.DeletionPolicy).toBe('Delete');
      expect(table.Properties.DeletionProtectionEnabled).toBe(false);
    }
    for (const [, logGroup] of resourcesOfType(json, 'AWS::Logs::LogGroup')) {
      expect(logGroup.Properties.RetentionInDays).toBe(7);
      expect(logGroup.DeletionPolicy).toBe('Delete');
    }
    expect(deliveryEnv(json).DELIVERY_LOG_TTL_DAYS).toBe('3');
    const [, archive] = resourcesOfType(json, 'AWS::Events::Archive')[0]!;
    expect(archive.Properties.RetentionDays ?? 0).toBe(0);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 },
    });
    const deliveryMappings = resourcesOfType(json, 'AWS::Lambda::EventSourceMapping').filter(([, mapping]) =>
      JSON.stringify(mapping.Properties.FunctionName).includes('Delivery'),
    );
    expect(deliveryMappings).toHaveLength(2 * STATUSES.length);
    for (const [, mapping] of deliveryMappings) {
      expect(mapping.Properties).toMatchObject({
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 5,
        ScalingConfig: { MaximumConcurrency: 2 },
      });
    }
    const withPublicUrl = resourcesOfType(json, 'AWS::Lambda::Function')
      .filter(([, fn]) => fn.Properties.Environment.Variables.PUBLIC_URL === 'https://hooks.example.com')
      .map(([, fn]) => Object.keys(fn.Properties.Environment.Variables));
    expect(withPublicUrl).toHaveLength(2);
    expect(
      withPublicUrl.map((keys) => keys.includes('EVENT_BUS_NAME') || keys.includes('DELIVERY_QUEUE_URLS')),
    ).toEqual([true, true]);
  });

  it('refuses to build with an invalid context value', () => {
    expect(() => buildStack({}, { context: { retrySchedule: 'soon' } })).toThrow('"retrySchedule"');
  });
});
