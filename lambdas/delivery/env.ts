import * as z from 'zod';
import { booleanFromEnv, readEnv } from '../shared/env';
import { parseRetrySchedule } from '../shared/retry-schedule';

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
});

export type DeliveryEnv = z.infer<typeof DeliveryEnvSchema>;

/** The delivery function's environment, read per batch (it costs microseconds, and tests change it). */
export function deliveryEnv(): DeliveryEnv {
  return readEnv(DeliveryEnvSchema);
}
