/**
 * The signature headers of one delivery attempt.
 *
 * - Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`), computed by the
 *   `standardwebhooks` package itself. During a rotation's grace period every valid secret signs, and
 *   the signatures are space separated, so a receiver holding either secret can verify.
 * - `X-Webhook-Signature: sha256=<hex>`, the HMAC-SHA256 of the raw body keyed with the current secret
 *   string exactly as the subscriber holds it (the check in the product's Node.js and Python examples).
 */
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

const WHSEC_PREFIX = 'whsec_';

/**
 * The HMAC key of a secret under Standard Webhooks: the base64-decoded part of a `whsec_` secret, or
 * the UTF-8 bytes of a plain one. (The package's own string constructor only understands the first
 * form, and its `raw` string form takes char codes rather than UTF-8, so the bytes are passed in.)
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
  const signatures = secrets.map((secret) =>
    new Webhook(standardWebhooksKey(secret), { format: 'raw' }).sign(deliveryId, timestamp, body),
  );
  return {
    'webhook-id': deliveryId,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
    'x-webhook-signature': `sha256=${createHmac('sha256', current).update(body, 'utf8').digest('hex')}`,
  };
}
