/**
 * The event-relay stack: HTTP API → management and inbound functions; inbound → EventBridge bus → one
 * rule and SQS queue per normalized status → delivery function → subscribers. Built from the small
 * constructs beside this file; every setting comes from `EventRelayConfig` (cdk.json context).
 */
import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { TABLES } from '../lambdas/shared/tables';
import { Api, INBOUND_ROUTE, STAGE_NAME } from './api';
import { resolveConfig, type EventRelayConfig } from './config';
import { FanOut } from './fan-out';
import { Functions, functionTimeouts } from './functions';
import { Monitoring } from './monitoring';
import { Storage } from './storage';

export interface EventRelayStackProps extends StackProps {
  /** Values taking precedence over the cdk.json context. */
  readonly config?: Partial<EventRelayConfig>;
}

/** Stack output keys the operator commands read (`scripts/target.ts`). */
export const OUTPUTS = {
  apiUrl: 'ApiUrl',
  deliveryQueueUrls: 'DeliveryQueueUrls',
  deadLetterQueueUrls: 'DeadLetterQueueUrls',
  eventBusName: 'EventBusName',
  dashboardName: 'DashboardName',
  alarmTopicArn: 'AlarmTopicArn',
} as const;

export class EventRelayStack extends Stack {
  readonly config: EventRelayConfig;
  readonly storage: Storage;
  readonly fanOut: FanOut;
  readonly functions: Functions;
  readonly api: Api;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: EventRelayStackProps = {}) {
    super(scope, id, {
      description: 'event-relay: provider delivery events in, signed webhooks out',
      ...props,
    });
    const config = resolveConfig(this.node, props.config);
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
    this.functions = new Functions(this, 'Functions', {
      config,
      timeouts,
      storage: this.storage,
      fanOut: this.fanOut,
      removalPolicy,
    });
    const { functions } = this.functions;
    this.api = new Api(this, 'Api', {
      handlers: { api: functions.api, inbound: functions.inbound },
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
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
      removalPolicy,
    });

    const output = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { value, description });
    output(OUTPUTS.apiUrl, this.api.url, 'Base URL of the HTTP API');
    for (const definition of TABLES) {
      output(
        `${definition.id}Table`,
        this.storage.table(definition).tableName,
        `${definition.id} table name`,
      );
    }
    output(
      OUTPUTS.deliveryQueueUrls,
      this.fanOut.queueUrlsJson('queue'),
      'Delivery queue URL per status, JSON',
    );
    output(
      OUTPUTS.deadLetterQueueUrls,
      this.fanOut.queueUrlsJson('deadLetterQueue'),
      'Dead-letter queue URL per status, JSON',
    );
    output(OUTPUTS.eventBusName, this.fanOut.bus.eventBusName, 'EventBridge bus of delivery events');
    output(OUTPUTS.dashboardName, this.monitoring.dashboard.dashboardName, 'CloudWatch dashboard');
    output(OUTPUTS.alarmTopicArn, this.monitoring.topic.topicArn, 'SNS topic every alarm notifies');
  }
}
