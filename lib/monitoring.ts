/**
 * Alarms and the dashboard. Every alarm notifies one SNS topic (KMS-encrypted, TLS-only), which an
 * operator e-mail address can subscribe to through the `alarmEmail` context value.
 */
import { Aws, Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { STATUSES, type Status } from '../lambdas/shared/catalog';
import {
  METRIC,
  METRICS_NAMESPACE,
  PROVIDER_DIMENSION,
  SERVICE_NAME,
  STATUS_DIMENSION,
} from '../lambdas/shared/metrics';
import type { RouteSpec } from '../lambdas/shared/routes';
import { longestQueueWaitSeconds, type RetrySchedule } from '../lambdas/shared/retry-schedule';
import { statusId, type StatusQueues } from './fan-out';
import { FUNCTION_NAMES, functionId, type FunctionName } from './functions';

const PERIOD = Duration.minutes(5);
/** Slack on top of the whole retry schedule before a queue's oldest message counts as stuck. */
const QUEUE_AGE_SLACK_SECONDS = 900;

export interface MonitoringProps {
  readonly functions: Readonly<Record<FunctionName, IFunction>>;
  readonly queues: Readonly<Record<Status, StatusQueues>>;
  readonly httpApi: IHttpApi;
  readonly stageName: string;
  readonly inboundRoute: RouteSpec;
  readonly retrySchedule: RetrySchedule;
  /** The retry schedules' dead-letter queue, when the schedule has waits in EventBridge Scheduler. */
  readonly retrySchedulerDeadLetterQueue?: IQueue;
  readonly alarmEmail?: string;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The oldest-message alarm threshold: a message may legitimately wait through every retry its queue
 * holds (jitter included; a wait in EventBridge Scheduler ends the message), so only an age beyond
 * that (plus slack) means the queue is not being drained.
 */
export function queueAgeThresholdSeconds(retrySchedule: RetrySchedule): number {
  return longestQueueWaitSeconds(retrySchedule) + QUEUE_AGE_SLACK_SECONDS;
}

/** A delivery metric the delivery function emits (Powertools adds the `service` dimension). */
export function deliveryMetric(name: string, status: Status, statistic = 'Sum'): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: SERVICE_NAME, [STATUS_DIMENSION]: status },
    statistic,
    period: PERIOD,
  });
}

/**
 * `<stack>-<region>`, with the ids of the constructs between the stack and this one in the middle
 * (`Shop-Webhooks-eu-west-1`), so two instances in one stack get different names. Dashboard names
 * are unique per account and allow letters, digits, `-` and `_`.
 */
function dashboardName(monitoring: Construct): string {
  const stack = Stack.of(monitoring);
  const owners = monitoring.node.scopes
    .slice(stack.node.scopes.length, -1)
    .map((scope) => scope.node.id.replace(/[^A-Za-z0-9_-]/g, ''))
    .filter((id) => id !== '' && id !== 'Default');
  return [stack.stackName, ...owners, Aws.REGION].join('-');
}

export class Monitoring extends Construct {
  readonly topic: Topic;
  readonly alarms: readonly Alarm[];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const key = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the event-relay alarm topic',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    // CloudWatch publishes alarm notifications to the encrypted topic, so it needs the key.
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: 'event-relay alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    const alarms: Alarm[] = [];
    const alarm = (alarmId: string, description: string, metric: IMetric, threshold = 1): Alarm => {
      const created = new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(new SnsAction(this.topic));
      created.addOkAction(new SnsAction(this.topic));
      alarms.push(created);
      return created;
    };

    const ageThreshold = queueAgeThresholdSeconds(props.retrySchedule);
    for (const status of STATUSES) {
      const { queue, deadLetterQueue, targetDeadLetterQueue } = props.queues[status];
      const name = statusId(status);
      alarm(
        `${name}DeadLetterQueueAlarm`,
        `${status} deliveries failed every attempt and are in the dead-letter queue (redrive with npm run redrive).`,
        deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
      );
      alarm(
        `${name}TargetDeadLetterQueueAlarm`,
        `EventBridge could not put ${status} events on their delivery queue; they wait in the rule target's dead-letter queue (npm run redrive moves them on).`,
        targetDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
      );
      alarm(
        `${name}QueueAgeAlarm`,
        `The oldest ${status} delivery is older than the whole retry schedule plus ${QUEUE_AGE_SLACK_SECONDS} s: the queue is not being drained.`,
        queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum' }),
        ageThreshold,
      );
    }
    if (props.retrySchedulerDeadLetterQueue) {
      alarm(
        'RetrySchedulerDeadLetterQueueAlarm',
        'EventBridge Scheduler could not put a delivery retry back on its queue; it waits in the retry schedules’ dead-letter queue.',
        props.retrySchedulerDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: 'Maximum',
        }),
      );
    }
    for (const fnName of FUNCTION_NAMES) {
      const fn = props.functions[fnName];
      const id = functionId(fnName);
      alarm(
        `${id}ErrorsAlarm`,
        `The ${fnName} function failed.`,
        fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
      );
      alarm(
        `${id}ThrottlesAlarm`,
        `The ${fnName} function was throttled.`,
        fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
      );
    }
    // Route-level HTTP API metrics (the stage enables detailed metrics for the inbound route).
    const inboundMetric = (metricName: '4xx' | '5xx') =>
      new Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: {
          ApiId: props.httpApi.apiId,
          Stage: props.stageName,
          Method: props.inboundRoute.method,
          Resource: props.inboundRoute.path,
        },
        statistic: 'Sum',
        period: PERIOD,
      });
    const inbound5xx = inboundMetric('5xx');
    alarm(
      'Inbound5xxAlarm',
      'Provider webhooks got 5xx answers: providers will retry, or drop, events.',
      inbound5xx,
    );
    this.alarms = alarms;

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: dashboardName(this),
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# event-relay\nDeliveries per event type (`OPEN`, `CLICK`, `FAILED`): attempts, failures, retries, latency, queue and dead-letter queue depth.',
        width: 24,
        height: 2,
      }),
    );
    for (const status of STATUSES) this.dashboard.addWidgets(...statusWidgets(status, props.queues[status]));
    this.dashboard.addWidgets(
      new GraphWidget({
        title: 'Inbound events by provider',
        left: [
          new MathExpression({
            expression: `SEARCH('{${METRICS_NAMESPACE},${PROVIDER_DIMENSION},service} MetricName="${METRIC.inboundEvents}"', 'Sum', 300)`,
            label: '',
            period: PERIOD,
          }),
        ],
        width: 8,
      }),
      new GraphWidget({
        title: 'Inbound webhooks',
        left: [inbound5xx.with({ label: '5xx' }), inboundMetric('4xx').with({ label: '4xx' })],
        width: 8,
      }),
      new GraphWidget({
        title: 'Function errors',
        left: FUNCTION_NAMES.map((fnName) =>
          props.functions[fnName].metricErrors({ period: PERIOD, statistic: 'Sum', label: fnName }),
        ),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(...isolationWidgets(props.queues));
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms, width: 24 }));
  }
}

/** A fleet-wide delivery metric, without a Status dimension. */
function fleetMetric(name: string, statistic: string, label: string): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: SERVICE_NAME },
    statistic,
    period: Duration.minutes(1),
    label,
  });
}

/**
 * Isolation at a glance: per status queue (both lanes) the age of its oldest message, the endpoints
 * whose circuit breaker is open, and what the system did on its own (breakers opened, subscriptions
 * disabled, deliveries deferred or moved to the slow lane).
 */
function isolationWidgets(queues: Readonly<Record<Status, StatusQueues>>): GraphWidget[] {
  const age = (queue: StatusQueues['queue'], label: string) =>
    queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum', label });
  return [
    new GraphWidget({
      title: 'Oldest message age per status queue (s)',
      left: STATUSES.flatMap((status) => [
        age(queues[status].queue, `${status} fast lane`),
        age(queues[status].slowQueue, `${status} slow lane`),
      ]),
      width: 8,
    }),
    new GraphWidget({
      title: 'Endpoints with an open circuit breaker',
      left: [
        // Emitted when the count changes; between changes the last value holds.
        new MathExpression({
          expression: 'FILL(open, REPEAT)',
          usingMetrics: {
            open: fleetMetric(METRIC.endpointsWithOpenBreaker, 'Maximum', 'open breakers'),
          },
          label: 'open breakers',
          period: Duration.minutes(1),
        }),
      ],
      width: 8,
    }),
    new GraphWidget({
      title: 'Isolation actions',
      left: [
        fleetMetric(METRIC.breakersOpened, 'Sum', 'breakers opened'),
        fleetMetric(METRIC.subscriptionsDisabled, 'Sum', 'subscriptions disabled by the system'),
        ...STATUSES.flatMap((status) => [
          deliveryMetric(METRIC.deliveryDeferred, status).with({ label: `${status} deferred` }),
          deliveryMetric(METRIC.deliveryHandedOff, status).with({ label: `${status} to the slow lane` }),
        ]),
      ],
      width: 8,
    }),
  ];
}

function statusWidgets(status: Status, queues: StatusQueues): GraphWidget[] {
  const width = 4;
  const metric = (name: string, label: string, statistic = 'Sum') =>
    deliveryMetric(name, status, statistic).with({ label });
  return [
    new GraphWidget({
      title: `${status} deliveries`,
      left: [metric(METRIC.deliveryAttempts, 'attempts'), metric(METRIC.deliverySucceeded, 'succeeded')],
      width,
    }),
    new GraphWidget({
      title: `${status} failures`,
      left: [
        metric(METRIC.deliveryFailed, 'failed (no retries left)'),
        metric(METRIC.deliveryAttemptFailed, 'failed attempts'),
        metric(METRIC.deliverySkipped, 'skipped'),
      ],
      width,
    }),
    new GraphWidget({
      title: `${status} retries`,
      left: [metric(METRIC.deliveryRetried, 'retries scheduled')],
      width,
    }),
    new GraphWidget({
      title: `${status} latency (ms)`,
      left: ['p50', 'p90', 'p99'].map((statistic) => metric(METRIC.deliveryLatency, statistic, statistic)),
      width,
    }),
    new GraphWidget({
      title: `${status} queue depth`,
      left: [
        queues.queue.metricApproximateNumberOfMessagesVisible({
          period: PERIOD,
          statistic: 'Maximum',
          label: 'waiting',
        }),
        queues.queue.metricApproximateNumberOfMessagesNotVisible({
          period: PERIOD,
          statistic: 'Maximum',
          label: 'in flight or awaiting retry',
        }),
      ],
      width,
    }),
    new GraphWidget({
      title: `${status} dead-letter queue depth`,
      left: [
        queues.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: PERIOD,
          statistic: 'Maximum',
          label: 'dead letters',
        }),
        queues.targetDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: PERIOD,
          statistic: 'Maximum',
          label: 'not queued by EventBridge',
        }),
      ],
      width,
    }),
  ];
}
