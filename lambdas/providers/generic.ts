/**
 * `generic`: the platform's own already-normalized events (how PUSH, WEB_PUSH and INAPP_WEB failures
 * arrive), one event or an array, signed with Standard Webhooks headers and the integration's secret.
 *
 * The sender owns every field, so an event is identified by what it says it is, its `id` and its
 * `status`, not by its `occurredAt`, which a sender may well set afresh when it sends the event again:
 * the delivery is anchored on the first arrival of that identity (`timeIsVolatile`).
 */
import * as z from 'zod';
import { CHANNELS, STATUSES } from '../shared/catalog';
import { BadRequestError, UnsupportedMediaTypeError } from '../shared/errors';
import { isJsonMediaType } from '../shared/http';
import { parseEventTime, parseJson } from './common';
import { standardWebhooksSecret, verifyStandardWebhook } from './standard-webhooks';
import type { MappingRow, NormalizeResult, ProviderEvent, ProviderModule } from './types';

const CredentialsSchema = z.strictObject({
  secret: standardWebhooksSecret().describe(
    'Standard Webhooks secret the sender signs with: `whsec_` + base64 of a 24–64-byte key',
  ),
});

/** Longest `id` accepted: far above any real event id, far below DynamoDB's key limits. */
export const MAX_GENERIC_ID_LENGTH = 256;

const GenericEventSchema = z.object({
  id: z.union([z.string().min(1).max(MAX_GENERIC_ID_LENGTH), z.number()]).transform(String),
  status: z.enum(STATUSES),
  channel: z.enum(CHANNELS),
  trackingId: z.string().min(1),
  notificationId: z.string().nullable().optional(),
  userId: z.string().nullable().optional(),
  product: z.string().optional(),
  occurredAt: z
    .string()
    .refine(
      (value) => parseEventTime(value) !== undefined,
      'must be a date between 1970-01-01 and 9999-12-31 (ISO 8601 or epoch seconds/milliseconds)',
    )
    .optional(),
  reason: z.string().optional(),
  providerMessageId: z.string().optional(),
});

const mapping: readonly MappingRow[] = [
  { providerStatus: 'OPEN', status: 'OPEN' },
  { providerStatus: 'CLICK', status: 'CLICK' },
  { providerStatus: 'FAILED', status: 'FAILED' },
];

export const generic: ProviderModule<z.infer<typeof CredentialsSchema>> = {
  name: 'generic',
  title: 'Generic (platform events)',
  credentialsSchema: CredentialsSchema,
  mapping,
  timeIsVolatile: true,
  verify(request, { secret }) {
    verifyStandardWebhook(request, secret);
  },
  parse(request) {
    if (!isJsonMediaType(request.headers['content-type'])) {
      throw new UnsupportedMediaTypeError('application/json');
    }
    const body = parseJson(request.rawBody);
    const items = Array.isArray(body) ? body : [body];
    return items.map((item, index) => {
      const result = GenericEventSchema.safeParse(item);
      if (!result.success) {
        const issue = result.error.issues[0]!;
        const path = [...(Array.isArray(body) ? [index] : []), ...issue.path].join('.');
        throw new BadRequestError(`${path || 'body'}: ${issue.message}`);
      }
      return result.data as ProviderEvent;
    });
  },
  normalize(raw, receivedAt): NormalizeResult {
    const event = raw as z.infer<typeof GenericEventSchema>;
    return {
      status: event.status,
      channel: event.channel,
      trackingId: event.trackingId,
      notificationId: event.notificationId ?? null,
      userId: event.userId ?? null,
      ...(event.product !== undefined && { product: event.product }),
      providerEventId: `${event.status}:${event.id}`,
      providerMessageId: event.providerMessageId ?? null,
      occurredAt: parseEventTime(event.occurredAt) ?? (receivedAt ?? new Date()).toISOString(),
      ...(event.reason !== undefined && { reason: event.reason }),
    };
  },
};
