/**
 * The vocabulary every part of the stack shares: normalized statuses, channels,
 * and the subscribable event types built from them.
 */
export const STATUSES = ['OPEN', 'CLICK', 'FAILED'] as const;
export type Status = (typeof STATUSES)[number];

export const CHANNELS = ['EMAIL', 'SMS', 'CALL', 'PUSH', 'WEB_PUSH', 'INAPP_WEB'] as const;
export type Channel = (typeof CHANNELS)[number];

/** Subscribable event types, `<CHANNEL>_<STATUS>`, in catalog order. */
export const EVENT_TYPES = [
  'EMAIL_OPEN',
  'EMAIL_CLICK',
  'EMAIL_FAILED',
  'SMS_FAILED',
  'CALL_FAILED',
  'PUSH_FAILED',
  'WEB_PUSH_FAILED',
  'INAPP_WEB_FAILED',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_TYPE_DESCRIPTIONS: Record<EventType, string> = {
  EMAIL_OPEN: 'A recipient opened an email notification.',
  EMAIL_CLICK: 'A recipient clicked a link in an email notification.',
  EMAIL_FAILED: 'An email notification will not reach its recipient (bounce, block, drop, reject).',
  SMS_FAILED: 'An SMS notification failed or was undelivered.',
  CALL_FAILED: 'A call notification failed, was busy or was not answered.',
  PUSH_FAILED: 'A mobile push notification failed to deliver.',
  WEB_PUSH_FAILED: 'A web push notification failed to deliver.',
  INAPP_WEB_FAILED: 'An in-app web notification failed to deliver.',
};

/** The subscribable event type of a normalized event, or undefined when the catalog has none (e.g. SMS_OPEN). */
export function eventTypeOf(status: Status, channel: Channel): EventType | undefined {
  const candidate = `${channel}_${status}`;
  return (EVENT_TYPES as readonly string[]).includes(candidate) ? (candidate as EventType) : undefined;
}

/**
 * The `eventType` field of the webhook body, as the seed promises it:
 * `OPEN`, `CLICK`, or `<CHANNEL>_FAILED`.
 */
export function payloadEventType(status: Status, channel: Channel): string {
  return status === 'FAILED' ? `${channel}_FAILED` : status;
}

/** Parses `EMAIL_OPEN` back into its status and channel. */
export function splitEventType(eventType: EventType): { status: Status; channel: Channel } {
  const status = STATUSES.find((s) => eventType.endsWith(`_${s}`));
  if (!status) throw new Error(`not an event type: ${eventType}`);
  return { status, channel: eventType.slice(0, -(status.length + 1)) as Channel };
}
