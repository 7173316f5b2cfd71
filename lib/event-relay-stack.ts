/**
 * The event-relay stack of this repository's CDK app: one `EventRelay` configured from the cdk.json
 * context (lib/config.ts), plus the stack outputs the operator commands read (scripts/target.ts).
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { PORTAL_SITE } from '../lambdas/shared/static-sites';
import { TABLES } from '../lambdas/shared/tables';
import type { Api } from './api';
import { resolveConfig, type ConfigSettings, type EventRelayConfig } from './config';
import { EventRelay, eventRelayPropsFromConfig } from './event-relay';
import type { FanOut } from './fan-out';
import type { Functions } from './functions';
import type { Monitoring } from './monitoring';
import type { ReplayQueues } from './replay';
import type { Storage } from './storage';

export interface EventRelayStackProps extends StackProps {
  /** Values taking precedence over the cdk.json context. */
  readonly config?: ConfigSettings;
}

/** Stack output keys the operator commands read (`scripts/target.ts`). */
export const OUTPUTS = {
  apiUrl: 'ApiUrl',
  portalUrl: 'PortalUrl',
  deliveryQueueUrls: 'DeliveryQueueUrls',
  deadLetterQueueUrls: 'DeadLetterQueueUrls',
  targetDeadLetterQueueUrls: 'TargetDeadLetterQueueUrls',
  eventBusName: 'EventBusName',
  dashboardName: 'DashboardName',
  alarmTopicArn: 'AlarmTopicArn',
} as const;

export class EventRelayStack extends Stack {
  readonly relay: EventRelay;
  readonly config: EventRelayConfig;
  readonly storage: Storage;
  readonly fanOut: FanOut;
  readonly functions: Functions;
  readonly api: Api;
  readonly monitoring: Monitoring;
  readonly replayQueues: ReplayQueues;

  constructor(scope: Construct, id: string, props: EventRelayStackProps = {}) {
    super(scope, id, {
      description: 'event-relay: provider delivery events in, signed webhooks out',
      ...props,
    });
    // The id `Default` leaves the construct out of every logical id, so the template (and a stack
    // deployed before the construct existed) keeps the resource names it had.
    this.relay = new EventRelay(
      this,
      'Default',
      eventRelayPropsFromConfig(resolveConfig(this.node, props.config)),
    );
    ({
      config: this.config,
      storage: this.storage,
      fanOut: this.fanOut,
      functions: this.functions,
      api: this.api,
      monitoring: this.monitoring,
      replayQueues: this.replayQueues,
    } = this.relay);

    const output = (key: string, value: string, description: string) =>
      new CfnOutput(this, key, { value, description });
    output(OUTPUTS.apiUrl, this.api.url, 'Base URL of the HTTP API');
    output(
      OUTPUTS.portalUrl,
      `${this.api.url}${PORTAL_SITE.route}`,
      'Tenant portal (open a link minted with POST /v1/portal/sessions)',
    );
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
    output(
      OUTPUTS.targetDeadLetterQueueUrls,
      this.fanOut.queueUrlsJson('targetDeadLetterQueue'),
      "Dead-letter queue URL of each status's EventBridge rule target, JSON",
    );
    output(OUTPUTS.eventBusName, this.fanOut.bus.eventBusName, 'EventBridge bus of delivery events');
    output(OUTPUTS.dashboardName, this.monitoring.dashboard.dashboardName, 'CloudWatch dashboard');
    output(OUTPUTS.alarmTopicArn, this.monitoring.topic.topicArn, 'SNS topic every alarm notifies');
  }
}
