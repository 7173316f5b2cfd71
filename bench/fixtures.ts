/** The payload and subscription secret the delivery figures share, shaped like a real EMAIL_OPEN delivery. */
import { deliveryIdOf, type DeliveryRequest, type WebhookPayload } from '../lambdas/shared/events';

export const BENCH_TENANT_ID = 'tn_bench';
export const BENCH_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

export function benchPayload(eventId: string): WebhookPayload {
  return {
    eventType: 'OPEN',
    trackingId: 'trk_01JH8Z3K4Q9V7W2X5Y6Z8A1B2C',
    notificationId: 'welcome-email',
    channel: 'EMAIL',
    userId: 'user-12345',
    id: eventId,
    occurredAt: '2025-01-15T10:30:05.000Z',
    provider: 'sendgrid',
    product: 'campaigns',
  };
}

export function benchDeliveryRequest(subscriptionIds: string[], eventId: string): DeliveryRequest {
  const payload = benchPayload(eventId);
  return {
    deliveryId: deliveryIdOf(BENCH_TENANT_ID, eventId, payload.occurredAt),
    tenantId: BENCH_TENANT_ID,
    subscriptionIds,
    eventType: 'EMAIL_OPEN',
    payload,
  };
}
