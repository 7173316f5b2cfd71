import * as z from 'zod';
import { readEnv } from '../shared/env';

const InboundEnvSchema = z.object({
  INTEGRATIONS_TABLE: z.string().min(1),
  SUBSCRIPTIONS_TABLE: z.string().min(1),
  IDEMPOTENCY_TABLE: z.string().min(1),
  EVENT_BUS_NAME: z.string().min(1),
  PUBLIC_URL: z
    .string()
    .url()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  SNS_CERT_DIR: z.string().optional(),
});

export type InboundEnv = z.infer<typeof InboundEnvSchema>;

/** The inbound function's environment, read at each use (microseconds; tests change it). */
export function inboundEnv(): InboundEnv {
  return readEnv(InboundEnvSchema);
}
