/**
 * The signature headers of one delivery attempt.
 *
 * - Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). During a rotation's
 *   grace period every valid secret signs, and the signatures are space separated, so a receiver
 *   holding either secret can verify. Computed with node:crypto rather than the `standardwebhooks`
 *   package, whose HMAC is plain JavaScript and about ten times slower; a test proves the output
 *   byte-identical to the package's `sign`, and verifies it with the package's `verify`.
 * - `X-Webhook-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw body keyed with the current secret
 *   string exactly as the subscriber holds it (the check in the product's Node.js and Python examples).
 */
import { createHmac } from 'node:crypto';

const WHSEC_PREFIX = 'whsec_';

/**
 * The HMAC key of a secret under Standard Webhooks: the base64-decoded part of a `whsec_` secret, or
 * the UTF-8 bytes of a plain one.
 */
export function standardWebhooksKey(secret: string): Uint8Array {
  return secret.startsWith(WHSEC_PREFIX)
    ? Buffer.from(secret.slice(WHSEC_PREFIX.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

export interface SignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
  'x-webhook-signature': string;
}

/** `secrets`: the current secret first, then retired ones still in their grace period. */
export function signatureHeaders(
  secrets: readonly string[],
  deliveryId: string,
  timestamp: Date,
  body: string,
): SignatureHeaders {
  const [current] = secrets;
  if (current === undefined) throw new Error('a delivery needs at least one signing secret');
  const seconds = String(Math.floor(timestamp.getTime() / 1000));
  const signed = `${deliveryId}.${seconds}.${body}`;
  const signatures = secrets.map(
    (secret) =>
      `v1,${createHmac('sha256', standardWebhooksKey(secret)).update(signed, 'utf8').digest('base64')}`,
  );
  return {
    'webhook-id': deliveryId,
    'webhook-timestamp': seconds,
    'webhook-signature': signatures.join(' '),
    'x-webhook-signature': `sha256=${createHmac('sha256', current).update(body, 'utf8').digest('hex')}`,
  };
}
