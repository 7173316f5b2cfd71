/**
 * The event-relay construct: HTTP API → management and inbound functions; inbound → EventBridge bus →
 * one rule and SQS queue per normalized status → delivery function → subscribers, with alarms and a
 * dashboard. `new EventRelay(this, 'Webhooks', { … })` inside any stack is the whole integration; it adds
 * no stack outputs (`EventRelayStack` adds the ones the operator commands read).
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import type { Grant, IGrantable } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { STATUSES, type Status } from '../lambdas/shared/catalog';
import { usesScheduler } from '../lambdas/shared/retry-schedule';
import { DELIVERIES_TABLE, TENANTS_TABLE, type TableDefinition } from '../lambdas/shared/tables';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Api, INBOUND_ROUTE, STAGE_NAME } from './api';
import {
  DEFAULT_CONFIG,
  parseConfig,
  type EventRelayConfig,
  type LogLevel,
  type RetryScheduleSetting,
} from './config';
import { FanOut, type StatusQueues } from './fan-out';
import { Functions, functionTimeouts } from './functions';
import { Monitoring } from './monitoring';
import { ReplayQueues } from './replay';
import { RetryScheduler } from './retry-scheduler';
import { Storage } from './storage';

/** Settings of an `EventRelay`; every one is optional. Values are validated when the construct is built. */
export interface EventRelayProps {
  /**
   * Delays before each retry of a failed delivery, in seconds or as durations (`"2h"`), optionally
   * with jitter: `[60, 300, 1800]`, `"1m,5m,30m,2h,5h,10h,10h ±20%"` or
   * `{ delays: ['1m', '5m', '30m', '2h', '5h', '10h', '10h'], jitter: 0.2 }`. The queues'
   * `maxReceiveCount` follows (one attempt more than there are delays); delays beyond what SQS can
   * hold (about 12 hours) wait in EventBridge Scheduler, whose resources are then added. Each delay at
   * most 1 day; in total less than `deliveryLogTtlDays`. `schedulerAfterSeconds` (tests only) lowers
   * the delay from which the Scheduler is used.
   * @default - [60, 300, 1800]: retries after 1, 5 and 30 minutes, four attempts in all, no jitter
   */
  readonly retrySchedule?: RetryScheduleSetting;
  /**
   * Time limit of one webhook POST, in milliseconds (1,000 to 25,000: a test delivery must fit in API
   * Gateway's 30 seconds). The function timeouts and the queues' visibility timeout follow.
   * @default - 10,000 (10 seconds)
   */
  readonly deliveryTimeoutMs?: number;
  /**
   * Time limit of a POST in the fast lane (each status's queue), in milliseconds, 100 to
   * `deliveryTimeoutMs`. An endpoint that does not answer within it is handed to its status's slow lane,
   * where it gets `deliveryTimeoutMs` (docs/delivery.md).
   * @default - 1,000
   */
  readonly fastLaneTimeoutMs?: number;
  /**
   * Milliseconds after which a fast-lane POST still unanswered counts as waiting on its endpoint: only
   * the first invocation to wait that long on one endpoint waits on (up to `fastLaneTimeoutMs`); the
   * others cut their POSTs off and hand them to the slow lane. 50 to `fastLaneTimeoutMs`.
   * @default - 250
   */
  readonly fastLanePatienceMs?: number;
  /**
   * Consecutive failed attempts (errors, timeouts, 5xx) that open an endpoint's circuit breaker, 1 to 1,000.
   * @default - 5
   */
  readonly breakerFailureThreshold?: number;
  /**
   * Seconds an open circuit breaker defers attempts before one probe is let through, 1 to 86,400.
   * @default - 60
   */
  readonly breakerCooldownSeconds?: number;
  /**
   * E-mail address subscribed to the alarm topic (AWS sends a confirmation mail first).
   * @default - no subscription: alarms notify the topic only
   */
  readonly alarmEmail?: string;
  /**
   * Retention of every log group (function logs, API access logs).
   * @default - RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Powertools log level of the functions.
   * @default - 'INFO'
   */
  readonly logLevel?: LogLevel;
  /**
   * Days a delivery log is kept (DynamoDB TTL), 1 to 3,650.
   * @default - 30
   */
  readonly deliveryLogTtlDays?: number;
  /**
   * Days the bus archive keeps events for replay; 0 keeps them forever.
   * @default - 30
   */
  readonly archiveRetentionDays?: number;
  /**
   * Allow plain-http and private-network subscriber URLs. Only for tests against internal receivers:
   * it lets tenants make the delivery function call into your network.
   * @default - false: only public https URLs are accepted and delivered to
   */
  readonly allowPrivateTargets?: boolean;
  /**
   * What happens to the tables, queues and log groups when the construct is removed:
   * `RemovalPolicy.RETAIN` (with DynamoDB deletion protection on) or `RemovalPolicy.DESTROY`.
   * @default - RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Steady-state requests per second the API stage accepts.
   * @default - 200
   */
  readonly throttlingRateLimit?: number;
  /**
   * Burst of requests the API stage accepts.
   * @default - 400
   */
  readonly throttlingBurstLimit?: number;
  /**
   * Messages per delivery invocation (more than 10 needs a batching window of 1 second or more).
   * @default - 10
   */
  readonly batchSize?: number;
  /**
   * Seconds the event source waits to fill a batch, 0 to 300.
   * @default - 1
   */
  readonly maxBatchingWindowSeconds?: number;
  /**
   * Concurrent delivery invocations per queue, 2 to 1,000.
   * @default - 10
   */
  readonly maxConcurrency?: number;
  /**
   * Public base URL of the API (e.g. a custom domain), used in the links the API returns.
   * @default - the API's own execute-api URL
   */
  readonly publicUrl?: string;
  /**
   * Who may embed the tenant portal in a frame: CSP `frame-ancestors` sources, space-separated, e.g.
   * `'self' https://dashboard.example.com`.
   * @default - `'none'`: the portal cannot be framed
   */
  readonly portalFrameAncestors?: string;
  /**
   * Deliveries per second a catch-up (re-enabling with `catchUp`) or a replay re-sends to one
   * subscription, 1 to 1,000.
   * @default - 10
   */
  readonly catchUpRatePerSecond?: number;
  /**
   * Seconds an endpoint may fail every attempt before the system disables its subscription (later
   * deliveries are parked for a catch-up); 0 never disables.
   * @default - 432000 (5 days, as Svix)
   */
  readonly disableAfterFailingSeconds?: number;
}

/** The prop that carries a configuration key (the same name, except the CDK-typed log retention). */
type PropOf<K extends keyof EventRelayConfig> = K extends 'logRetentionDays' ? 'logRetention' : K;
/** Fails to compile when a configuration key (lib/config.ts) has no prop: add it to EventRelayProps. */
const EVERY_CONFIG_KEY_IS_A_PROP: Record<
  Exclude<PropOf<keyof EventRelayConfig>, keyof EventRelayProps>,
  never
> = {};
void EVERY_CONFIG_KEY_IS_A_PROP;

/** The props that give exactly `config` (how `EventRelayStack` passes the cdk.json context on). */
export function eventRelayPropsFromConfig(config: EventRelayConfig): EventRelayProps {
  const { logRetentionDays, removalPolicy, ...rest } = config;
  return {
    ...rest,
    logRetention: logRetentionDays as RetentionDays,
    removalPolicy: removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
  };
}

/** Validated configuration of the props over the defaults; throws `ConfigError` naming the bad prop. */
export function configFromProps(props: EventRelayProps): EventRelayConfig {
  const { logRetention, ...rest } = props;
  const given = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  return parseConfig({
    ...DEFAULT_CONFIG,
    ...given,
    ...(logRetention === undefined ? {} : { logRetentionDays: logRetention }),
  });
}

export class EventRelay extends Construct {
  /** The validated settings, defaults filled in. */
  readonly config: EventRelayConfig;
  /** The DynamoDB tables. */
  readonly storage: Storage;
  /** The bus, its archive, and per status a rule, a delivery queue and a dead-letter queue. */
  readonly fanOut: FanOut;
  /** The functions (authorizer, api, inbound, delivery, replay) and their log groups. */
  readonly functions: Functions;
  /** The queue (and dead-letter queue) whose messages run replays and catch-ups step by step. */
  readonly replayQueues: ReplayQueues;
  /**
   * The retries that wait in EventBridge Scheduler (schedule group, role, dead-letter queue); only
   * when the retry schedule has a delay beyond what SQS can hold.
   */
  readonly retryScheduler?: RetryScheduler;
  /** The HTTP API, its stage and access logs. */
  readonly api: Api;
  /** Alarms, the alarm topic and the dashboard. */
  readonly monitoring: Monitoring;
  /** The EventBridge bus every normalized event goes through. */
  readonly bus: EventBus;
  /** Per normalized status: its rule, delivery queue and dead-letter queue. */
  readonly queues: Readonly<Record<Status, StatusQueues>>;
  /** Tables by their definition id (`Tenants`, `Subscriptions`, `Integrations`, `Deliveries`, ...). */
  readonly tables: Readonly<Record<string, Table>>;

  constructor(scope: Construct, id: string, props: EventRelayProps = {}) {
    super(scope, id);
    const config = configFromProps(props);
    const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const timeouts = functionTimeouts(config);
    this.config = config;

    this.storage = new Storage(this, 'Storage', { removalPolicy });
    this.fanOut = new FanOut(this, 'FanOut', {
      retrySchedule: config.retrySchedule,
      visibilityTimeout: timeouts.queueVisibility,
      archiveRetentionDays: config.archiveRetentionDays,
      removalPolicy,
    });
    this.replayQueues = new ReplayQueues(this, 'Replay', {
      visibilityTimeout: timeouts.replayQueueVisibility,
      removalPolicy,
    });
    if (usesScheduler(config.retrySchedule)) {
      this.retryScheduler = new RetryScheduler(this, 'RetryScheduler', {
        queues: STATUSES.flatMap((status) => [
          this.fanOut.queues[status].queue,
          this.fanOut.queues[status].slowQueue,
        ]),
        removalPolicy,
      });
    }
    this.functions = new Functions(this, 'Functions', {
      config,
      timeouts,
      storage: this.storage,
      fanOut: this.fanOut,
      replayQueues: this.replayQueues,
      ...(this.retryScheduler ? { retryScheduler: this.retryScheduler } : {}),
      removalPolicy,
    });
    const { functions } = this.functions;
    this.api = new Api(this, 'Api', {
      handlers: { api: functions.api, inbound: functions.inbound, static: functions.static },
      authorizer: functions.authorizer,
      throttlingRateLimit: config.throttlingRateLimit,
      throttlingBurstLimit: config.throttlingBurstLimit,
      logRetentionDays: config.logRetentionDays,
      removalPolicy,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      functions,
      queues: this.fanOut.queues,
      httpApi: this.api.httpApi,
      stageName: STAGE_NAME,
      inboundRoute: INBOUND_ROUTE,
      retrySchedule: config.retrySchedule,
      ...(this.retryScheduler ? { retrySchedulerDeadLetterQueue: this.retryScheduler.deadLetterQueue } : {}),
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
      removalPolicy,
    });

    this.bus = this.fanOut.bus;
    this.queues = this.fanOut.queues;
    this.tables = this.storage.tables;
  }

  /** Base URL of the HTTP API (no trailing slash). */
  get apiUrl(): string {
    return this.api.url;
  }

  /** The table of a definition from `lambdas/shared/tables.ts`. */
  table(definition: TableDefinition): Table {
    return this.storage.table(definition);
  }

  /**
   * What `npm run tenant` needs: create tenants and their API keys, list them, revoke keys (read and
   * write on the tenants table).
   */
  grantManageTenants(grantee: IGrantable): Grant {
    return this.table(TENANTS_TABLE).grantReadWriteData(grantee);
  }

  /**
   * What `npm run redrive` needs: receive and delete dead-lettered deliveries, send them back to their
   * delivery queue, and mark their log entries pending again.
   */
  grantRedrive(grantee: IGrantable): Grant {
    return STATUSES.reduce(
      (grant, status) =>
        grant
          .combine(this.queues[status].deadLetterQueue.grantConsumeMessages(grantee))
          .combine(this.queues[status].targetDeadLetterQueue.grantConsumeMessages(grantee))
          .combine(this.queues[status].queue.grantSendMessages(grantee)),
      this.table(DELIVERIES_TABLE).grantReadWriteData(grantee),
    );
  }

  /** Read every tenant's delivery log (for reporting or support tooling outside the API). */
  grantReadDeliveryLogs(grantee: IGrantable): Grant {
    return this.table(DELIVERIES_TABLE).grantReadData(grantee);
  }
}
