/** Standard Webhooks verification (the generic provider, and Resend's Svix headers which use the same scheme). */
import { Webhook } from 'standardwebhooks';
import * as z from 'zod';
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

/**
 * A Standard Webhooks secret as the scheme's libraries read it: `whsec_` (optional unless `prefixed`)
 * and then standard base64 of a 24–64-byte key. Anything else (a NUL, a line break, a space, a short
 * key) is refused when the integration is created rather than failing every request later.
 */
export function standardWebhooksSecret(options: { prefixed?: boolean } = {}) {
  return z.string().superRefine((secret, ctx) => {
    const hasPrefix = secret.startsWith('whsec_');
    const encoded = hasPrefix ? secret.slice('whsec_'.length) : secret;
    let problem: string | undefined;
    if (options.prefixed && !hasPrefix) problem = 'must start with whsec_';
    else if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
      problem = 'must be whsec_ followed by standard base64';
    } else {
      const bytes = Buffer.from(encoded, 'base64').length;
      if (bytes < 24 || bytes > 64) problem = `must decode to a 24–64-byte key (got ${bytes})`;
    }
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}
