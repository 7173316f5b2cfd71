import { payloadEventType, splitEventType, type EventType } from '../shared/catalog';
import type { WebhookPayload } from '../shared/events';

const SAMPLE_REASONS: Partial<Record<EventType, string>> = {
  EMAIL_FAILED: 'bounce: 550 5.1.1 user unknown',
  SMS_FAILED: 'undelivered: 30003 unreachable destination handset',
  CALL_FAILED: 'no-answer',
  PUSH_FAILED: 'Unregistered device token',
  WEB_PUSH_FAILED: 'Push subscription has expired',
  INAPP_WEB_FAILED: 'Recipient session unavailable',
};

/**
 * A realistic body of the given event type, exactly as a subscriber would receive it. The catalog
 * (`GET /v1/event-types`) shows it with fixed ids; the test route passes a fresh `id` and `occurredAt`.
 */
export function samplePayload(
  eventType: EventType,
  overrides: Partial<Pick<WebhookPayload, 'id' | 'occurredAt'>> = {},
): WebhookPayload {
  const { status, channel } = splitEventType(eventType);
  const payload: WebhookPayload = {
    eventType: payloadEventType(status, channel),
    trackingId: 'trk_sample_0001',
    notificationId: 'welcome-email',
    channel,
    userId: 'user-123',
    id: overrides.id ?? 'evt_sample_0001',
    occurredAt: overrides.occurredAt ?? '2025-01-15T10:30:05.000Z',
    provider: 'sample',
    product: 'AUTOMATION',
  };
  const reason = SAMPLE_REASONS[eventType];
  if (reason) payload.reason = reason;
  return payload;
}
