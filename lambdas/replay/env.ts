import * as z from 'zod';
import { readEnv } from '../shared/env';
import { DeliveryQueueUrlsSchema } from '../shared/events';

const ReplayEnvSchema = z.object({
  DELIVERIES_TABLE: z.string().min(1),
  DELIVERY_QUEUE_URLS: z.string().transform((value, ctx) => {
    try {
      return DeliveryQueueUrlsSchema.parse(JSON.parse(value));
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON {"OPEN","CLICK","FAILED"} → queue URL' });
      return z.NEVER;
    }
  }),
  /** The queue whose messages drive replays and catch-ups, one step each (lib/replay.ts). */
  REPLAY_QUEUE_URL: z.string().min(1),
  /** Deliveries a replay or catch-up sends per second to one subscription (cdk.json catchUpRatePerSecond). */
  REPLAY_RATE_PER_SECOND: z.coerce.number().positive().max(1_000).default(10),
  DELIVERY_LOG_TTL_DAYS: z.coerce.number().int().positive().default(30),
  /** The stack's bus, for the replay's operational events; without it they are only logged. */
  EVENT_BUS_NAME: z.string().min(1).optional(),
});

export type ReplayEnv = z.infer<typeof ReplayEnvSchema>;

/** Read at each use: tests and the local mode change it between runs. */
export function replayEnv(): ReplayEnv {
  return readEnv(ReplayEnvSchema);
}
