/**
 * Webhook requests signed exactly as each provider signs them, for the end-to-end tests: the URL the
 * provider calls, the raw body and the headers. Payloads come from the documented fixtures.
 */
import { createHmac, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { SnsSigner } from '../providers/sns-signer';
import { basicAuth } from './support';

export interface ProviderRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** The same request with `from` replaced by `to` in the body, headers unchanged (a tampered body). */
export function tampered(request: ProviderRequest, from: string, to: string): ProviderRequest {
  if (!request.body.includes(from)) throw new Error(`"${from}" is not in the body`);
  return { ...request, body: request.body.split(from).join(to) };
}

const epochSeconds = (now: Date) => String(Math.floor(now.getTime() / 1000));

/** A SendGrid Signed Event Webhook key pair: the verification key as SendGrid shows it (base64 DER SPKI). */
export function sendgridKeys(): { verificationKey: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    verificationKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    privateKey,
  };
}

/** ECDSA P-256 / SHA-256 over `timestamp + body`, base64 DER in the Twilio-Email headers. */
export function sendgridRequest(
  url: string,
  privateKey: KeyObject,
  events: unknown[],
  now = new Date(),
): ProviderRequest {
  const body = JSON.stringify(events);
  const timestamp = epochSeconds(now);
  return {
    url,
    body,
    headers: {
      'content-type': 'application/json',
      'x-twilio-email-event-webhook-timestamp': timestamp,
      'x-twilio-email-event-webhook-signature': sign(
        'sha256',
        Buffer.from(timestamp + body),
        privateKey,
      ).toString('base64'),
    },
  };
}

/** One SES event record published through SNS: an SNS Notification signed with the test certificate. */
export function sesRequest(url: string, signer: SnsSigner, record: unknown): ProviderRequest {
  return {
    url,
    body: signer.message({ Message: JSON.stringify(record) }),
    headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' },
  };
}

/** Mailgun: `signature` = hex HMAC-SHA256(signing key, timestamp + token), sent in the JSON body. */
export function mailgunRequest(
  url: string,
  signingKey: string,
  eventData: unknown,
  now = new Date(),
): ProviderRequest {
  const timestamp = epochSeconds(now);
  const token = randomBytes(25).toString('hex');
  const signature = createHmac('sha256', signingKey)
    .update(timestamp + token)
    .digest('hex');
  return {
    url,
    body: JSON.stringify({ signature: { timestamp, token, signature }, 'event-data': eventData }),
    headers: { 'content-type': 'application/json' },
  };
}

/** Postmark: the Basic Auth credentials put in the webhook URL, sent as an Authorization header. */
export function postmarkRequest(
  url: string,
  username: string,
  password: string,
  body: string,
): ProviderRequest {
  return {
    url,
    body,
    headers: { 'content-type': 'application/json', authorization: basicAuth(username, password) },
  };
}

/** Resend (Svix): Standard Webhooks signature under `svix-*` header names. */
export function resendRequest(
  url: string,
  signingSecret: string,
  event: unknown,
  now = new Date(),
): ProviderRequest {
  const body = JSON.stringify(event);
  const id = `msg_${randomBytes(12).toString('hex')}`;
  return {
    url,
    body,
    headers: {
      'content-type': 'application/json',
      'svix-id': id,
      'svix-timestamp': epochSeconds(now),
      'svix-signature': new Webhook(signingSecret).sign(id, now, body),
    },
  };
}

/**
 * Twilio status callback to `inboundUrl?query` (the status-callback URL the platform sets, carrying its
 * ids): `X-Twilio-Signature` = base64 HMAC-SHA1(auth token, full URL + sorted POST parameters).
 */
export function twilioRequest(
  inboundUrl: string,
  authToken: string,
  query: Record<string, string>,
  params: Record<string, string>,
): ProviderRequest {
  const url = `${inboundUrl}?${new URLSearchParams(query).toString()}`;
  // Written out here rather than imported from the module under test, so the test checks the scheme.
  const signed =
    url +
    Object.keys(params)
      .sort()
      .map((name) => name + params[name])
      .join('');
  const signature = createHmac('sha1', authToken).update(signed).digest('base64');
  return {
    url,
    body: new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
  };
}
