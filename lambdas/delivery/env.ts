import * as z from 'zod';
import { booleanFromEnv, readEnv } from '../shared/env';
import { DeliveryQueueUrlsSchema } from '../shared/events';
import { parseRetrySchedule } from '../shared/retry-schedule';

/** Where the delivery function creates the schedules of retries that wait in EventBridge Scheduler (lib/retry-scheduler.ts). */
const RetrySchedulerSchema = z.object({
  groupName: z.string().min(1),
  roleArn: z.string().min(1),
  deadLetterQueueArn: z.string().min(1),
});

const DeliveryEnvSchema = z.object({
  SUBSCRIPTIONS_TABLE: z.string().min(1),
  DELIVERIES_TABLE: z.string().min(1),
  RETRY_SCHEDULE: z
    .string()
    .optional()
    .transform((value, ctx) => {
      try {
        return parseRetrySchedule(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  DELIVERY_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  ALLOW_PRIVATE_TARGETS: booleanFromEnv(false),
  DELIVERY_LOG_TTL_DAYS: z.coerce.number().int().positive().default(30),
  /** The fast lane's (the status queues') time limit per POST; an endpoint slower than it moves to the slow lane. */
  FAST_LANE_TIMEOUT_MS: z.coerce.number().int().positive().default(1_000),
  /**
   * How long a fast-lane POST waits before it counts as waiting on its endpoint: of the batches waiting
   * on one endpoint that long, only the first (within FAST_LANE_TIMEOUT_MS) waits on; the others are cut
   * off and handed to the slow lane, so one endpoint never holds more than one of the fast lane's slots.
   */
  FAST_LANE_PATIENCE_MS: z.coerce.number().int().positive().default(250),
  /** Consecutive failed attempts that open an endpoint's circuit breaker. */
  BREAKER_FAILURE_THRESHOLD: z.coerce.number().int().positive().default(5),
  /** How long an open breaker defers attempts before it lets one probe through. */
  BREAKER_COOLDOWN_SECONDS: z.coerce.number().int().nonnegative().default(60),
  /** `{ "OPEN": url, ... }`: each status's slow lane, where slow endpoints get the full time limit. */
  SLOW_LANE_QUEUE_URLS: jsonOf(DeliveryQueueUrlsSchema).optional(),
  /** `{ "OPEN": url, ... }`: each status's dead-letter queue, for deliveries that end before SQS would move them. */
  DEAD_LETTER_QUEUE_URLS: jsonOf(DeliveryQueueUrlsSchema).optional(),
  /**
   * A subscription whose endpoint has failed every attempt for this long is disabled by the system
   * (its later deliveries are parked); 0 never disables (cdk.json disableAfterFailingSeconds).
   */
  DISABLE_AFTER_FAILING_SECONDS: z.coerce.number().int().nonnegative().default(432_000),
  /** Set when the retry schedule has waits beyond what SQS can hold: where those retries' schedules go. */
  RETRY_SCHEDULER: jsonOf(
    RetrySchedulerSchema,
    'must be a JSON object with groupName, roleArn and deadLetterQueueArn',
  ).optional(),
  /** The stack's bus, for operational events; without it they are only logged and counted. */
  EVENT_BUS_NAME: z.string().min(1).optional(),
});

/** A JSON-encoded value of `schema`. */
function jsonOf<T extends z.ZodType>(schema: T, problem = 'must be a JSON object of queue URLs by status') {
  return z.string().transform((value, ctx): z.infer<T> | undefined => {
    if (value === '') return undefined;
    try {
      return schema.parse(JSON.parse(value));
    } catch {
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    }
  });
}

export type DeliveryEnv = z.infer<typeof DeliveryEnvSchema>;

/** The delivery function's environment, read per batch (it costs microseconds, and tests change it). */
export function deliveryEnv(): DeliveryEnv {
  return readEnv(DeliveryEnvSchema);
}
