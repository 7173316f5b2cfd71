/** Standard Webhooks verification (the generic provider, and Resend's Svix headers which use the same scheme). */
import { Webhook } from 'standardwebhooks';
import { UnauthorizedError } from '../shared/errors';
import { checkTimestamp, requireHeader } from './common';
import type { InboundRequest } from './types';

export function verifyStandardWebhook(
  request: InboundRequest,
  secret: string,
  headerPrefix: 'webhook' | 'svix' = 'webhook',
): void {
  const id = requireHeader(request, `${headerPrefix}-id`);
  const timestamp = requireHeader(request, `${headerPrefix}-timestamp`);
  const signature = requireHeader(request, `${headerPrefix}-signature`);
  checkTimestamp(timestamp, request.now);
  try {
    // The library compares in constant time and checks the timestamp against the clock too.
    new Webhook(secret).verify(request.rawBody, {
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': signature,
    });
  } catch {
    throw new UnauthorizedError('Invalid signature.');
  }
}
