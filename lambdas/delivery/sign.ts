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
 *
 * The body may be given as a string or as its UTF-8 bytes (the sender passes the very Buffer it then
 * sends, so the body is encoded once); the signatures are the same either way.
 */
import { createHmac } from 'node:crypto';
import { boundedMemo } from '../shared/memo';

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

/** Decoded Standard Webhooks keys by secret: a warm function decodes each secret once, not per delivery. */
const cachedStandardWebhooksKey = boundedMemo(1024, standardWebhooksKey);
/** The `X-Webhook-Signature` key (the secret string's UTF-8 bytes), encoded once per secret too. */
const cachedSecretBytes = boundedMemo(1024, (secret: string) => Buffer.from(secret, 'utf8'));

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
  body: string | Uint8Array,
): SignatureHeaders {
  const current = secrets[0];
  if (current === undefined) throw new Error('a delivery needs at least one signing secret');
  const seconds = String(Math.floor(timestamp.getTime() / 1000));
  // Standard Webhooks signs `${id}.${timestamp}.${body}`: the prefix and the body go in as two updates,
  // which hash the same bytes as their concatenation without building it.
  const prefix = `${deliveryId}.${seconds}.`;
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  let signature = '';
  for (let i = 0; i < secrets.length; i++) {
    const digest = createHmac('sha256', cachedStandardWebhooksKey(secrets[i]!))
      .update(prefix, 'utf8')
      .update(bytes)
      .digest('base64');
    signature += i === 0 ? `v1,${digest}` : ` v1,${digest}`;
  }
  return {
    'webhook-id': deliveryId,
    'webhook-timestamp': seconds,
    'webhook-signature': signature,
    'x-webhook-signature': `sha256=${createHmac('sha256', cachedSecretBytes(current)).update(bytes).digest('hex')}`,
  };
}
