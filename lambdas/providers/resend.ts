/**
 * Resend webhooks, delivered by Svix: `svix-id`, `svix-timestamp`, `svix-signature` headers, the
 * Standard Webhooks scheme with the `whsec_` signing secret (https://resend.com/docs/dashboard/webhooks/verify-webhooks-requests).
 * The event id is `svix-id` (stable across Svix retries). Tags come back in `data.tags`.
 */
import * as z from 'zod';
import { BadRequestError } from '../shared/errors';
import {
  ignored,
  isRecord,
  isoDate,
  mappedStatus,
  metadataFrom,
  normalized,
  parseJson,
  requireRecord,
  text,
} from './common';
import { standardWebhooksSecret, verifyStandardWebhook } from './standard-webhooks';
import type { MappingRow, ProviderModule } from './types';

const CredentialsSchema = z.strictObject({
  signingSecret: standardWebhooksSecret({ prefixed: true }).describe('The webhook signing secret, `whsec_…`'),
});

/** Event types per https://resend.com/docs/dashboard/webhooks/event-types */
const mapping: readonly MappingRow[] = [
  { providerStatus: 'email.opened', status: 'OPEN' },
  { providerStatus: 'email.clicked', status: 'CLICK' },
  { providerStatus: 'email.bounced', status: 'FAILED' },
  { providerStatus: 'email.failed', status: 'FAILED', note: 'Resend could not send it' },
  { providerStatus: 'email.suppressed', status: 'FAILED', note: 'recipient on the suppression list' },
  { providerStatus: 'email.delivery_delayed', status: 'ignored', note: 'Resend keeps trying' },
  { providerStatus: 'email.sent', status: 'ignored' },
  { providerStatus: 'email.delivered', status: 'ignored' },
  { providerStatus: 'email.complained', status: 'ignored' },
  { providerStatus: 'email.scheduled', status: 'ignored' },
];

/** Tags as an object (`{ name: value }`) or as `[{ name, value }]`. */
function tagsOf(tags: unknown): Record<string, unknown> {
  if (Array.isArray(tags)) {
    return Object.fromEntries(tags.filter(isRecord).map((tag) => [String(tag.name), tag.value] as const));
  }
  return isRecord(tags) ? tags : {};
}

export const resend: ProviderModule<z.infer<typeof CredentialsSchema>> = {
  name: 'resend',
  title: 'Resend',
  credentialsSchema: CredentialsSchema,
  mapping,
  verify(request, { signingSecret }) {
    verifyStandardWebhook(request, signingSecret, 'svix');
  },
  parse(request) {
    const body = requireRecord(parseJson(request.rawBody), 'the body');
    if (typeof body.type !== 'string') throw new BadRequestError('Expected a Resend event with a "type".');
    return [{ ...body, webhookId: request.headers['svix-id'] }];
  },
  normalize(event, receivedAt) {
    const type = text(event.type) ?? 'unknown';
    const data = isRecord(event.data) ? event.data : {};
    const providerMessageId = text(data.email_id);
    const identity = {
      providerEventId: text(event.webhookId) ?? `${providerMessageId}:${type}:${text(event.created_at)}`,
      providerMessageId,
      occurredAt: isoDate(event.created_at ?? data.created_at, receivedAt),
    };
    const status = mappedStatus(mapping, type);
    if (status === 'ignored') return ignored(type, identity);
    const bounce = isRecord(data.bounce) ? data.bounce : {};
    const reason = text(bounce.message) ?? undefined;
    return normalized({
      ...identity,
      status,
      channel: 'EMAIL',
      metadata: metadataFrom(tagsOf(data.tags)),
      ...(status === 'FAILED' && reason !== undefined && { reason }),
    });
  },
};
