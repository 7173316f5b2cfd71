/**
 * The five Lambda functions, one per job, each bundled from `lambdas/<name>/handler.ts` with the locally
 * installed esbuild (never Docker). Each function gets its own role holding only what it uses: write
 * access to its own log group, the tables listed in `FUNCTION_TABLES`, and its own extra grants.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Stack, Validations, type CfnElement, type RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { STATUSES } from '../lambdas/shared/catalog';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../lambdas/shared/metrics';
import { OPERATIONS_SOURCE } from '../lambdas/shared/operations';
import { formatRetrySchedule } from '../lambdas/shared/retry-schedule';
import {
  DELIVERIES_TABLE,
  IDEMPOTENCY_TABLE,
  INTEGRATIONS_TABLE,
  PORTAL_SESSIONS_TABLE,
  SUBSCRIPTIONS_TABLE,
  TENANTS_TABLE,
  type TableDefinition,
} from '../lambdas/shared/tables';
import type { EventRelayConfig } from './config';
import type { FanOut } from './fan-out';
import type { ReplayQueues } from './replay';
import type { RetryScheduler } from './retry-scheduler';
import { staticSiteCommandHooks, staticSiteEnvironment } from './static-site';
import type { Storage } from './storage';

export const FUNCTION_NAMES = ['authorizer', 'api', 'inbound', 'delivery', 'static', 'replay'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** `api` → `Api`, for construct ids. */
export function functionId(name: FunctionName): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * The package root, which holds `lambdas/` (the handler sources every bundle is built from): this
 * file's parent in the repository, two levels up in the built package (`dist/lib/functions.js`).
 */
const REPO_ROOT = existsSync(join(__dirname, '..', 'lambdas', 'api', 'handler.ts'))
  ? join(__dirname, '..')
  : join(__dirname, '..', '..');
/** The repository's lock file; an installed package has none, and CDK finds the consuming app's own. */
const LOCK_FILE = join(REPO_ROOT, 'package-lock.json');

/** The newest Node.js runtime aws-cdk-lib offers; the local tooling stays on Node.js 20. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

/** Which tables each function reads, and which it reads and writes. */
export const FUNCTION_TABLES: Readonly<
  Record<FunctionName, { read: readonly TableDefinition[]; readWrite: readonly TableDefinition[] }>
> = {
  authorizer: { read: [TENANTS_TABLE, PORTAL_SESSIONS_TABLE], readWrite: [] },
  api: {
    read: [],
    readWrite: [
      SUBSCRIPTIONS_TABLE,
      INTEGRATIONS_TABLE,
      DELIVERIES_TABLE,
      IDEMPOTENCY_TABLE,
      PORTAL_SESSIONS_TABLE,
    ],
  },
  inbound: { read: [INTEGRATIONS_TABLE, SUBSCRIPTIONS_TABLE], readWrite: [IDEMPOTENCY_TABLE] },
  // Subscriptions read-write: the endpoint health items live there, and a 410 disables a subscription.
  delivery: { read: [], readWrite: [SUBSCRIPTIONS_TABLE, DELIVERIES_TABLE] },
  static: { read: [], readWrite: [] },
  replay: { read: [], readWrite: [DELIVERIES_TABLE] },
};

const DESCRIPTIONS: Readonly<Record<FunctionName, string>> = {
  authorizer: 'event-relay: tenant API-key authorizer of the management API',
  api: 'event-relay: management API (subscriptions, integrations, delivery logs)',
  inbound: 'event-relay: provider webhooks in, normalized delivery events onto the bus',
  delivery: 'event-relay: signs and delivers queued webhooks, retrying on the schedule',
  static: 'event-relay: serves the tenant portal and the API reference (static files, strict CSP)',
  replay: 'event-relay: re-queues replayed and parked deliveries, step by step at the catch-up rate',
};

export interface FunctionTimeouts {
  readonly authorizer: Duration;
  readonly api: Duration;
  readonly inbound: Duration;
  readonly delivery: Duration;
  readonly static: Duration;
  readonly replay: Duration;
  /** Visibility timeout of the delivery queues: six times the delivery timeout, as AWS recommends. */
  readonly queueVisibility: Duration;
  /** Visibility timeout of the replay queue: six times the replay timeout. */
  readonly replayQueueVisibility: Duration;
}

/**
 * Function timeouts derived from the delivery timeout. The delivery function sends a batch's webhooks
 * concurrently, so one POST's timeout plus room for the DynamoDB writes bounds an invocation. The API
 * function sends test deliveries synchronously and must answer within API Gateway's 30 seconds.
 */
export function functionTimeouts(config: Pick<EventRelayConfig, 'deliveryTimeoutMs'>): FunctionTimeouts {
  const deliverySeconds = Math.ceil(config.deliveryTimeoutMs / 1000);
  const delivery = Math.max(30, 2 * deliverySeconds + 10);
  return {
    authorizer: Duration.seconds(5),
    api: Duration.seconds(Math.min(29, Math.max(10, deliverySeconds + 4))),
    inbound: Duration.seconds(10),
    delivery: Duration.seconds(delivery),
    static: Duration.seconds(5),
    replay: Duration.seconds(REPLAY_TIMEOUT_SECONDS),
    queueVisibility: Duration.seconds(6 * delivery),
    replayQueueVisibility: Duration.seconds(6 * REPLAY_TIMEOUT_SECONDS),
  };
}

/** A replay step reads, claims and queues at most 500 deliveries. */
const REPLAY_TIMEOUT_SECONDS = 60;

const MEMORY_MB: Readonly<Record<FunctionName, number>> = {
  authorizer: 256,
  api: 1024,
  inbound: 1024,
  delivery: 512,
  static: 256,
  replay: 512,
};

export interface FunctionsProps {
  readonly config: EventRelayConfig;
  readonly timeouts: FunctionTimeouts;
  readonly storage: Storage;
  readonly fanOut: FanOut;
  readonly replayQueues: ReplayQueues;
  /** Present when retries can wait in EventBridge Scheduler. */
  readonly retryScheduler?: RetryScheduler;
  readonly removalPolicy: RemovalPolicy;
}

export class Functions extends Construct {
  readonly functions: Readonly<Record<FunctionName, NodejsFunction>>;
  readonly logGroups: Readonly<Record<FunctionName, LogGroup>>;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const { config, storage, fanOut } = props;
    const { bus, queues } = fanOut;
    const publicUrl: Record<string, string> = config.publicUrl ? { PUBLIC_URL: config.publicUrl } : {};
    const allowPrivateTargets = String(config.allowPrivateTargets);
    const deliveryTimeoutMs = String(config.deliveryTimeoutMs);
    const replay = {
      DELIVERY_QUEUE_URLS: fanOut.queueUrlsJson('queue'),
      REPLAY_QUEUE_URL: props.replayQueues.queue.queueUrl,
      REPLAY_RATE_PER_SECOND: String(config.catchUpRatePerSecond),
      DELIVERY_LOG_TTL_DAYS: String(config.deliveryLogTtlDays),
      EVENT_BUS_NAME: bus.eventBusName,
    };
    const environment: Record<FunctionName, Record<string, string>> = {
      authorizer: {},
      api: {
        ...replay,
        ALLOW_PRIVATE_TARGETS: allowPrivateTargets,
        DELIVERY_TIMEOUT_MS: deliveryTimeoutMs,
        DELIVERY_LOG_TTL_DAYS: String(config.deliveryLogTtlDays),
        ...publicUrl,
      },
      inbound: { EVENT_BUS_NAME: bus.eventBusName, ...publicUrl },
      delivery: {
        RETRY_SCHEDULE: formatRetrySchedule(config.retrySchedule),
        DELIVERY_TIMEOUT_MS: deliveryTimeoutMs,
        FAST_LANE_TIMEOUT_MS: String(config.fastLaneTimeoutMs),
        FAST_LANE_PATIENCE_MS: String(config.fastLanePatienceMs),
        BREAKER_FAILURE_THRESHOLD: String(config.breakerFailureThreshold),
        BREAKER_COOLDOWN_SECONDS: String(config.breakerCooldownSeconds),
        SLOW_LANE_QUEUE_URLS: fanOut.queueUrlsJson('slowQueue'),
        DEAD_LETTER_QUEUE_URLS: fanOut.queueUrlsJson('deadLetterQueue'),
        EVENT_BUS_NAME: bus.eventBusName,
        ALLOW_PRIVATE_TARGETS: allowPrivateTargets,
        DELIVERY_LOG_TTL_DAYS: String(config.deliveryLogTtlDays),
        DISABLE_AFTER_FAILING_SECONDS: String(config.disableAfterFailingSeconds),
        ...(props.retryScheduler
          ? { RETRY_SCHEDULER: Stack.of(this).toJsonString(props.retryScheduler.environment()) }
          : {}),
      },
      static: staticSiteEnvironment(config),
      replay,
    };

    const logGroups = {} as Record<FunctionName, LogGroup>;
    const functions = {} as Record<FunctionName, NodejsFunction>;
    for (const name of FUNCTION_NAMES) {
      const { read, readWrite } = FUNCTION_TABLES[name];
      const tableEnv = Object.fromEntries(
        [...read, ...readWrite].map((definition) => [definition.envVar, storage.table(definition).tableName]),
      );
      const { fn, role, logGroup } = this.buildFunction(name, props, { ...tableEnv, ...environment[name] });
      for (const definition of read) storage.table(definition).grantReadData(fn);
      for (const definition of readWrite) storage.table(definition).grantReadWriteData(fn);
      suppressIndexWildcards(role, storage, [...read, ...readWrite]);
      logGroups[name] = logGroup;
      functions[name] = fn;
    }

    bus.grantPutEventsTo(functions.inbound);
    // Replays and catch-ups: the API starts them, the replay function runs their steps.
    props.replayQueues.queue.grantSendMessages(functions.api);
    props.replayQueues.queue.grantSendMessages(functions.replay);
    functions.replay.addEventSource(
      new SqsEventSource(props.replayQueues.queue, { batchSize: 1, reportBatchItemFailures: true }),
    );
    // Retries beyond what SQS can hold wait in EventBridge Scheduler.
    if (props.retryScheduler && functions.delivery.role)
      props.retryScheduler.grantCreateSchedules(functions.delivery.role);
    // Operational events go on the same bus: the delivery function's (delivery failed, subscription
    // disabled, deliveries parked), the API's (disabled or re-enabled by the tenant, replay started) and
    // the replay function's (replay finished). The API and replay functions may put only that source.
    bus.grantPutEventsTo(functions.delivery);
    for (const fn of [functions.api, functions.replay]) {
      fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['events:PutEvents'],
          resources: [bus.eventBusArn],
          conditions: { StringEquals: { 'events:source': [OPERATIONS_SOURCE] } },
        }),
      );
    }
    for (const status of STATUSES) {
      const { queue, slowQueue, deadLetterQueue } = queues[status];
      queue.grantSendMessages(functions.api);
      queue.grantSendMessages(functions.replay);
      slowQueue.grantSendMessages(functions.delivery);
      deadLetterQueue.grantSendMessages(functions.delivery);
      // Each lane has its own event source mapping, so its own concurrency: slow endpoints never take
      // the fast lane's invocations.
      for (const lane of [queue, slowQueue]) {
        functions.delivery.addEventSource(
          new SqsEventSource(lane, {
            batchSize: config.batchSize,
            maxBatchingWindow: Duration.seconds(config.maxBatchingWindowSeconds),
            maxConcurrency: config.maxConcurrency,
            reportBatchItemFailures: true,
          }),
        );
      }
    }
    this.functions = functions;
    this.logGroups = logGroups;
  }

  private buildFunction(
    name: FunctionName,
    props: FunctionsProps,
    environment: Record<string, string>,
  ): { fn: NodejsFunction; role: Role; logGroup: LogGroup } {
    const id = functionId(name);
    const logGroup = new LogGroup(this, `${id}Logs`, {
      retention: props.config.logRetentionDays as RetentionDays,
      removalPolicy: props.removalPolicy,
    });
    // An own role instead of AWSLambdaBasicExecutionRole: writes to this function's log group only.
    const role = new Role(this, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Role of the event-relay ${name} function`,
    });
    logGroup.grantWrite(role);
    const fn = new NodejsFunction(this, id, {
      entry: join(REPO_ROOT, 'lambdas', name, 'handler.ts'),
      handler: 'handler',
      ...(existsSync(LOCK_FILE) ? { projectRoot: REPO_ROOT, depsLockFilePath: LOCK_FILE } : {}),
      description: DESCRIPTIONS[name],
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: MEMORY_MB[name],
      timeout: props.timeouts[name],
      role,
      logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_LOG_LEVEL: props.config.logLevel,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        NODE_OPTIONS: '--enable-source-maps',
        ...environment,
      },
      bundling: {
        minify: true,
        sourceMap: true,
        forceDockerBundling: false,
        // The runtime's own AWS SDK v3 (Node.js 24 ships it): bundling our pinned copy would add about
        // 300 KB to every function and push bundles past the 400 KB cold-start budget (npm run bench).
        bundleAwsSDK: false,
        ...(name === 'static' ? { commandHooks: staticSiteCommandHooks(REPO_ROOT) } : {}),
      },
    });
    return { fn, role, logGroup };
  }
}

/**
 * DynamoDB grants on a table with indexes cover `<table>/index/*`: the function queries those indexes.
 * The suppression names each such resource exactly.
 */
function suppressIndexWildcards(role: Role, storage: Storage, definitions: readonly TableDefinition[]): void {
  const stack = Stack.of(role);
  const findings = definitions
    .filter((definition) => definition.globalIndexes.length + definition.localIndexes.length > 0)
    .map((definition) => {
      const table = storage.table(definition);
      return `Resource::<${stack.getLogicalId(table.node.defaultChild as CfnElement)}.Arn>/index/*`;
    });
  for (const finding of findings) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[${finding}]`,
      reason: "Access to the table's secondary indexes (`<table>/index/*`), which the function queries.",
    });
  }
}
