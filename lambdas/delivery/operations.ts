/**
 * Operational events: what operators (and the platform) alert on. Each is three things at once: an
 * event on the stack's bus with its own detail-type (source `event-relay.operations`, which no delivery
 * rule or the archive matches), a metric, and a structured log line. Putting the event can fail without
 * failing the delivery: the metric and the log line still say it happened.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { eventBridge } from '../shared/aws';
import { logger } from '../shared/logger';

export const OPERATIONS_SOURCE = 'event-relay.operations';

export const OPERATIONAL_DETAIL_TYPES = {
  /** A delivery was marked failed: after its last attempt, or at once on 410 Gone. */
  deliveryFailed: 'Delivery Failed',
  /** The system disabled a subscription (its endpoint answered 410 Gone). */
  subscriptionDisabled: 'Subscription Disabled',
} as const;

export interface DeliveryFailedDetail {
  tenantId: string;
  subscriptionId: string;
  deliveryId: string;
  eventType: string;
  attempts: number;
  statusCode?: number;
  error?: string;
}

export interface SubscriptionDisabledDetail {
  tenantId: string;
  subscriptionId: string;
  reason: string;
  disabledAt: string;
}

export type OperationalEvent =
  | { detailType: typeof OPERATIONAL_DETAIL_TYPES.deliveryFailed; detail: DeliveryFailedDetail }
  | { detailType: typeof OPERATIONAL_DETAIL_TYPES.subscriptionDisabled; detail: SubscriptionDisabledDetail };

/** Logs each event and puts them on the bus (10 per call, the PutEvents limit). Never throws. */
export async function emitOperationalEvents(
  events: readonly OperationalEvent[],
  busName: string | undefined,
): Promise<void> {
  for (const event of events) {
    logger.error(`operational event: ${event.detailType}`, {
      operationalEvent: event.detailType,
      ...event.detail,
    });
  }
  if (!busName || events.length === 0) return;
  for (let i = 0; i < events.length; i += 10) {
    const chunk = events.slice(i, i + 10);
    try {
      const result = await eventBridge().send(
        new PutEventsCommand({
          Entries: chunk.map((event) => ({
            EventBusName: busName,
            Source: OPERATIONS_SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
          })),
        }),
      );
      if (result.FailedEntryCount) {
        logger.warn('operational events not put on the bus', { failed: result.FailedEntryCount });
      }
    } catch (error) {
      logger.warn('operational events not put on the bus', { error: error as Error });
    }
  }
}
