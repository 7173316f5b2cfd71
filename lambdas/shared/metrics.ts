/**
 * CloudWatch metric names, shared by the functions that emit them (embedded metric format through
 * Powertools Metrics) and the stack's dashboard and alarms that read them.
 */
export const METRICS_NAMESPACE = 'EventRelay';

/** Powertools `service`: a dimension of every metric (the dashboard must match it) and a field of every log line. */
export const SERVICE_NAME = 'event-relay';

/** Dimension on delivery metrics: the queue's status, `OPEN`, `CLICK` or `FAILED`. */
export const STATUS_DIMENSION = 'Status';
/** Dimension on inbound metrics: the provider module, e.g. `sendgrid`. */
export const PROVIDER_DIMENSION = 'Provider';

export const METRIC = {
  /** Every delivery attempt (first and retries). */
  deliveryAttempts: 'DeliveryAttempts',
  /** Deliveries that got a 2xx. */
  deliverySucceeded: 'DeliverySucceeded',
  /** Attempts that failed (non-2xx, timeout, refused address, ...). */
  deliveryAttemptFailed: 'DeliveryAttemptFailed',
  /** Failed attempts that will be retried. */
  deliveryRetried: 'DeliveryRetried',
  /** Deliveries marked failed after the last attempt. */
  deliveryFailed: 'DeliveryFailed',
  /** Deliveries skipped because the subscription was deleted. */
  deliverySkipped: 'DeliverySkipped',
  /** Deliveries kept, not attempted, because the subscription is disabled (sent by a catch-up later). */
  deliveryParked: 'DeliveryParked',
  /** Deliveries not sent because their endpoint's circuit breaker was open (each uses up its slot). */
  deliveryDeferred: 'DeliveryDeferred',
  /** Deliveries moved to the slow lane (no answer within the fast lane's limit, or known slow). */
  deliveryHandedOff: 'DeliveryHandedOff',
  /** Subscriptions the system disabled (410 Gone, or failing for disableAfterFailingSeconds). No Status dimension. */
  subscriptionsDisabled: 'SubscriptionsDisabled',
  /** Circuit breakers that opened. No Status dimension. */
  breakersOpened: 'BreakersOpened',
  /** Endpoints whose breaker is open, emitted whenever that number changes. No Status dimension. */
  endpointsWithOpenBreaker: 'EndpointsWithOpenBreaker',
  /** Milliseconds from request start to response for each attempt. */
  deliveryLatency: 'DeliveryLatency',
  /** Provider events accepted and normalized (any status, including ignored). */
  inboundEvents: 'InboundEvents',
  /** Events put on the bus (one per matching subscription). */
  eventsPublished: 'EventsPublished',
  /** Inbound requests rejected for a bad signature. */
  inboundRejected: 'InboundRejected',
} as const;
