/**
 * `generic`: the platform's own already-normalized events (how PUSH, WEB_PUSH and INAPP_WEB failures
 * arrive), one event or an array, signed with Standard Webhooks headers and the integration's secret.
 */
import * as z from 'zod';
import { CHANNELS, STATUSES } from '../shared/catalog';
import { BadRequestError } from '../shared/errors';
import { isoDate, parseJson } from './common';
import { verifyStandardWebhook } from './standard-webhooks';
import type { MappingRow, NormalizeResult, ProviderEvent, ProviderModule } from './types';

const CredentialsSchema = z.strictObject({
  secret: z.string().min(1).describe('Standard Webhooks secret (`whsec_…`) the sender signs with'),
});

const GenericEventSchema = z.object({
  id: z.union([z.string().min(1), z.number()]).transform(String),
  status: z.enum(STATUSES),
  channel: z.enum(CHANNELS),
  trackingId: z.string().min(1),
  notificationId: z.string().nullable().optional(),
  userId: z.string().nullable().optional(),
  product: z.string().optional(),
  occurredAt: z.string().optional(),
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
  verify(request, { secret }) {
    verifyStandardWebhook(request, secret);
  },
  parse(request) {
    const body = parseJson(request.rawBody);
    const items = Array.isArray(body) ? body : [body];
    return items.map((item, index) => {
      const result = GenericEventSchema.safeParse(item);
      if (!result.success) {
        const issue = result.error.issues[0]!;
        const path = [...(Array.isArray(body) ? [index] : []), ...issue.path].join('.');
        throw new BadRequestError(`${path || 'body'}: ${issue.message}`);
      }
      return { ...result.data, receivedAt: request.now.toISOString() } as ProviderEvent;
    });
  },
  normalize(raw): NormalizeResult {
    const event = raw as z.infer<typeof GenericEventSchema> & { receivedAt: string };
    return {
      status: event.status,
      channel: event.channel,
      trackingId: event.trackingId,
      notificationId: event.notificationId ?? null,
      userId: event.userId ?? null,
      ...(event.product !== undefined && { product: event.product }),
      providerEventId: event.id,
      providerMessageId: event.providerMessageId ?? null,
      occurredAt: isoDate(event.occurredAt, new Date(event.receivedAt)),
      ...(event.reason !== undefined && { reason: event.reason }),
    };
  },
};
