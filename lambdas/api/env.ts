import * as z from 'zod';
import { booleanFromEnv, readEnv } from '../shared/env';
import { DeliveryQueueUrlsSchema } from '../shared/events';

const ApiEnvSchema = z.object({
  SUBSCRIPTIONS_TABLE: z.string().min(1),
  DELIVERIES_TABLE: z.string().min(1),
  IDEMPOTENCY_TABLE: z.string().min(1),
  PORTAL_SESSIONS_TABLE: z.string().min(1),
  DELIVERY_QUEUE_URLS: z.string().transform((value, ctx) => {
    try {
      return DeliveryQueueUrlsSchema.parse(JSON.parse(value));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON {"OPEN","CLICK","FAILED"} → queue URL' });
      return z.NEVER;
    }
  }),
  ALLOW_PRIVATE_TARGETS: booleanFromEnv(false),
  DELIVERY_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  DELIVERY_LOG_TTL_DAYS: z.coerce.number().int().positive().default(30),
  /** The stack's bus, for operational events (re-enabled, replay started, …); without it they are logged. */
  EVENT_BUS_NAME: z.string().min(1).optional(),
  PUBLIC_URL: z
    .string()
    .url()
    .optional()
    .or(z.literal('').transform(() => undefined)),
});

export type ApiEnv = z.infer<typeof ApiEnvSchema>;

/**
 * The management API's environment. Read at each use rather than cached: it costs microseconds, and
 * tests (and the local mode) may change a flag such as ALLOW_PRIVATE_TARGETS between requests.
 */
export function apiEnv(): ApiEnv {
  return readEnv(ApiEnvSchema);
}
