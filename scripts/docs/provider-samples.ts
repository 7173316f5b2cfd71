/**
 * One signed sample request per provider for docs/providers.md: the integration it needs and a shell
 * snippet that signs a documented payload the way the provider signs it (with Node.js's crypto, at the
 * moment it runs, so timestamped schemes accept it) and posts it with curl. `npm run docs` writes each
 * into its provider's section with the answer the local mode gave; test/docs/providers.test.ts runs them
 * all again and fails if an answer or a snippet differs from the page.
 *
 * The keys and secrets below exist only for these samples.
 */
import type { ProviderName } from '../../lambdas/providers/registry';

export interface ProviderSample {
  provider: ProviderName;
  /** What the request is, for the sentence above the block. */
  describes: string;
  credentials: Record<string, unknown>;
  /** Shell lines run after `INBOUND` holds the integration's inbound URL; the last prints the answer. */
  send: string;
}

/** The sample signing key pair of the SendGrid sample (P-256): private PKCS#8 and public SPKI, base64 DER. */
const SENDGRID_PRIVATE_KEY =
  'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg2h63ApXkMk3LKOpq+FiA4m0//9O5KUQkyEcSedRSj36hRANCAASb7aSq6vdzdcdxxdXuvUqGjUYjmL17jiaiuEt2gFLBvrEU6iLP+VjeBOKiNjihkMTDUA4ue8UwANArwZAstIJg';
const SENDGRID_VERIFICATION_KEY =
  'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEm+2kqur3c3XHccXV7r1Kho1GI5i9e44morhLdoBSwb6xFOoiz/lY3gTiojY4oZDEw1AOLnvFMADQK8GQLLSCYA==';
/** The Telnyx sample's Ed25519 key pair: private PKCS#8 (base64 DER), public key as Telnyx shows it. */
const TELNYX_PRIVATE_KEY = 'MC4CAQAwBQYDK2VwBCIEILvZ4aUrd0D833dPFRtlk8z+gE0jDnX/YnPvFmOZED/N';
const TELNYX_PUBLIC_KEY = 'kW4IWVJBLqsQFkRPeIXkPstU1VBZWLY4Na/XAt7NNcU=';

/**
 * Shell lines that sign `$BODY` with Standard Webhooks (the `standardwebhooks` package) and put the three
 * headers, named `<prefix>-id`, `<prefix>-timestamp` and `<prefix>-signature`, in `$HEADERS` for curl.
 */
function standardWebhooksHeaders(prefix: 'webhook' | 'svix', secret: string): string {
  return `HEADERS=$(node -e '
  const { Webhook } = require("standardwebhooks");
  const id = "msg_" + Date.now(), now = new Date();
  const signature = new Webhook("${secret}").sign(id, now, process.argv[1]);
  console.log(\`-H ${prefix}-id:\${id} -H ${prefix}-timestamp:\${Math.floor(now / 1000)} -H ${prefix}-signature:\${signature}\`);
' "$BODY")`;
}

export const PROVIDER_SAMPLES: readonly ProviderSample[] = [
  {
    provider: 'sendgrid',
    describes: 'a bounce, signed with ECDSA P-256 over the timestamp and the body as SendGrid signs it',
    credentials: { verificationKey: SENDGRID_VERIFICATION_KEY },
    send: `BODY='[{"email":"alice@example.com","timestamp":1700000000,"event":"bounce","type":"bounce","reason":"550 5.1.1 user unknown","sg_event_id":"sg-docs-bounce-1","sg_message_id":"docs-message-1","trackingId":"trk-1","notificationId":"welcome","userId":"user-1"}]'
TIMESTAMP=$(date +%s)
SIGNATURE=$(node -e '
  const crypto = require("node:crypto");
  const key = crypto.createPrivateKey({ key: "${SENDGRID_PRIVATE_KEY}", format: "der", type: "pkcs8", encoding: "base64" });
  console.log(crypto.sign("sha256", Buffer.from(process.argv[1] + process.argv[2]), key).toString("base64"));
' "$TIMESTAMP" "$BODY")
curl -sf -X POST "$INBOUND" -H "Content-Type: application/json" \\
  -H "X-Twilio-Email-Event-Webhook-Timestamp: $TIMESTAMP" -H "X-Twilio-Email-Event-Webhook-Signature: $SIGNATURE" \\
  -d "$BODY"`,
  },
  {
    provider: 'mailgun',
    describes: 'a permanent failure, with the HMAC of timestamp and token in the body as Mailgun sends it',
    credentials: { signingKey: 'docs-sample-mailgun-signing-key' },
    send: `BODY=$(node -e '
  const crypto = require("node:crypto");
  const timestamp = String(Math.floor(Date.now() / 1000)), token = crypto.randomBytes(25).toString("hex");
  const signature = crypto.createHmac("sha256", "docs-sample-mailgun-signing-key").update(timestamp + token).digest("hex");
  console.log(JSON.stringify({ signature: { timestamp, token, signature }, "event-data": {
    event: "failed", severity: "permanent", id: "mg-docs-failed-1", timestamp: 1700000000.5, reason: "bounce",
    "delivery-status": { code: 550, description: "user unknown" },
    message: { headers: { "message-id": "docs-message-2@example.com" } },
    "user-variables": { trackingId: "trk-2", notificationId: "welcome", userId: "user-2" } } }));
')
curl -sf -X POST "$INBOUND" -H "Content-Type: application/json" -d "$BODY"`,
  },
  {
    provider: 'postmark',
    describes: 'a hard bounce, with the Basic Auth credentials Postmark puts in the webhook URL',
    credentials: { username: 'relay', password: 'docs-sample-postmark-password' },
    send: `curl -sf -X POST "$INBOUND" -u relay:docs-sample-postmark-password -H "Content-Type: application/json" \\
  -d '{"RecordType":"Bounce","ID":4323372036854775807,"Type":"HardBounce","MessageID":"883953f4-6105-42a2-a16a-77a8eac79483","Email":"john@example.com","BouncedAt":"2023-11-14T22:13:20Z","Description":"unknown user","Metadata":{"trackingId":"trk-3","notificationId":"welcome","userId":"user-3"}}'`,
  },
  {
    provider: 'twilio',
    describes:
      'an undelivered SMS status callback, to the inbound URL with the ids in its query, signed with HMAC-SHA1 over the URL and the sorted parameters',
    credentials: { authToken: 'docs_sample_twilio_auth_token' },
    send: `URL="$INBOUND?trackingId=trk-4&notificationId=welcome&userId=user-4"
BODY='MessageSid=SMdocs0000000000000000000000000001&MessageStatus=undelivered&ErrorCode=30003&To=%2B15558675310&From=%2B15017122661'
SIGNATURE=$(node -e '
  const crypto = require("node:crypto");
  const params = new URLSearchParams(process.argv[2]);
  const signed = process.argv[1] + [...params.keys()].sort().map((name) => name + params.get(name)).join("");
  console.log(crypto.createHmac("sha1", "docs_sample_twilio_auth_token").update(signed).digest("base64"));
' "$URL" "$BODY")
curl -sf -X POST "$URL" -H "X-Twilio-Signature: $SIGNATURE" -d "$BODY"`,
  },
  {
    provider: 'resend',
    describes: 'a click, signed with Svix (Standard Webhooks under svix-* headers) as Resend signs it',
    credentials: { signingSecret: 'whsec_aIK21yr9MfJ9ftJvmdyE9qGyYaz2+ViX' },
    send: `BODY='{"type":"email.clicked","created_at":"2023-11-14T22:13:20.000Z","data":{"email_id":"56761188-7520-42d8-8898-ff6fc54ce618","created_at":"2023-11-14T22:13:19.000Z","to":["alice@example.com"],"click":{"link":"https://example.com","timestamp":"2023-11-14T22:13:20.000Z"},"tags":{"trackingId":"trk-5","notificationId":"welcome","userId":"user-5"}}}'
${standardWebhooksHeaders('svix', 'whsec_aIK21yr9MfJ9ftJvmdyE9qGyYaz2+ViX')}
curl -sf -X POST "$INBOUND" -H "Content-Type: application/json" $HEADERS -d "$BODY"`,
  },
  {
    provider: 'mandrill',
    describes:
      'a hard bounce, form-encoded as mandrill_events and signed with HMAC-SHA1 over the URL and the parameter',
    credentials: { webhookKey: 'docs-sample-mandrill-webhook-key' },
    send: `EVENTS='[{"event":"hard_bounce","ts":1700000000,"_id":"docs-mandrill-message-1","msg":{"_id":"docs-mandrill-message-1","email":"alice@example.com","bounce_description":"bad_mailbox","diag":"550 5.1.1 user unknown","metadata":{"trackingId":"trk-6","notificationId":"welcome","userId":"user-6"}}}]'
SIGNATURE=$(node -e '
  const crypto = require("node:crypto");
  const signed = process.argv[1] + "mandrill_events" + process.argv[2];
  console.log(crypto.createHmac("sha1", "docs-sample-mandrill-webhook-key").update(signed).digest("base64"));
' "$INBOUND" "$EVENTS")
curl -sf -X POST "$INBOUND" -H "X-Mandrill-Signature: $SIGNATURE" --data-urlencode "mandrill_events=$EVENTS"`,
  },
  {
    provider: 'mailjet',
    describes: 'a hard bounce, with the Basic Auth credentials Mailjet puts in the Event API URL',
    credentials: { username: 'relay', password: 'docs-sample-mailjet-password' },
    send: `curl -sf -X POST "$INBOUND" -u relay:docs-sample-mailjet-password -H "Content-Type: application/json" \\
  -d '{"event":"bounce","time":1700000000,"MessageID":13792286917004336,"email":"alice@example.com","CustomID":"trk-7","Payload":"{\\"notificationId\\":\\"welcome\\",\\"userId\\":\\"user-7\\"}","hard_bounce":true,"error_related_to":"recipient","error":"user unknown"}'`,
  },
  {
    provider: 'brevo',
    describes: 'a hard bounce, with the bearer token the Brevo webhook was created with',
    credentials: { token: 'docs-sample-brevo-bearer-token' },
    send: `curl -sf -X POST "$INBOUND" -H "Authorization: Bearer docs-sample-brevo-bearer-token" -H "Content-Type: application/json" \\
  -d '{"event":"hard_bounce","email":"alice@example.com","id":26224,"message-id":"<docs-message-8@relay.example.com>","ts_epoch":1700000000000,"reason":"user unknown","X-Mailin-custom":"{\\"trackingId\\":\\"trk-8\\",\\"notificationId\\":\\"welcome\\",\\"userId\\":\\"user-8\\"}"}'`,
  },
  {
    provider: 'vonage',
    describes:
      'a failed SMS delivery receipt, signed with HMAC-SHA256 over the sorted parameters as Vonage signs it',
    credentials: { signatureSecret: 'docs-sample-vonage-signature-secret', signatureMethod: 'sha256' },
    send: `BODY=$(node -e '
  const crypto = require("node:crypto");
  const params = { messageId: "0A00000000000DOC", msisdn: "447700900000", to: "Acme", status: "failed", "err-code": "6",
    "client-ref": "trk-9", "message-timestamp": "2023-11-14 22:13:20", timestamp: String(Math.floor(Date.now() / 1000)),
    nonce: crypto.randomUUID() };
  const signed = Object.keys(params).sort().map((name) => "&" + name + "=" + params[name].replace(/[&=]/g, "_")).join("");
  params.sig = crypto.createHmac("sha256", "docs-sample-vonage-signature-secret").update(signed).digest("hex");
  console.log(new URLSearchParams(params).toString());
')
curl -sf -X POST "$INBOUND?notificationId=welcome&userId=user-9" -d "$BODY"`,
  },
  {
    provider: 'telnyx',
    describes: 'a failed SMS (message.finalized), signed with Ed25519 over the timestamp and the body',
    credentials: { publicKey: TELNYX_PUBLIC_KEY },
    send: `BODY='{"data":{"event_type":"message.finalized","id":"b301ed3f-1490-491f-995f-6e64e6900010","occurred_at":"2023-11-14T22:13:20.000+00:00","payload":{"id":"ac012cbf-5e09-46af-a69a-7c0e2d400010","to":[{"phone_number":"+18445550002","status":"delivery_failed"}],"errors":[{"code":"40008","title":"Undeliverable"}]}}}'
TIMESTAMP=$(date +%s)
SIGNATURE=$(node -e '
  const crypto = require("node:crypto");
  const key = crypto.createPrivateKey({ key: "${TELNYX_PRIVATE_KEY}", format: "der", type: "pkcs8", encoding: "base64" });
  console.log(crypto.sign(null, Buffer.from(process.argv[1] + "|" + process.argv[2]), key).toString("base64"));
' "$TIMESTAMP" "$BODY")
curl -sf -X POST "$INBOUND?trackingId=trk-10&notificationId=welcome&userId=user-10" -H "Content-Type: application/json" \\
  -H "telnyx-timestamp: $TIMESTAMP" -H "telnyx-signature-ed25519: $SIGNATURE" -d "$BODY"`,
  },
  {
    provider: 'sparkpost',
    describes: 'a bounce, in a batch, with the Basic Auth credentials configured on the SparkPost webhook',
    credentials: { username: 'relay', password: 'docs-sample-sparkpost-password' },
    send: `curl -sf -X POST "$INBOUND" -u relay:docs-sample-sparkpost-password -H "Content-Type: application/json" \\
  -d '[{"msys":{"message_event":{"type":"bounce","event_id":"92356927693813011","message_id":"docs-sparkpost-message-1","bounce_class":"10","reason":"550 5.1.1 user unknown","rcpt_to":"alice@example.com","timestamp":"1700000000","rcpt_meta":{"trackingId":"trk-11","notificationId":"welcome","userId":"user-11"}}}}]'`,
  },
  {
    provider: 'plivo',
    describes:
      'an undelivered SMS status callback, signed with Signature V3 (HMAC-SHA256 over the URL, the sorted parameters and a nonce)',
    credentials: { authToken: 'docs_sample_plivo_auth_token' },
    send: `URL="$INBOUND?trackingId=trk-12&notificationId=welcome&userId=user-12"
BODY='MessageUUID=2fc3a55a-5e84-11ee-9a3e-0242ac1100d0&Status=undelivered&ErrorCode=300&From=14155551234&To=14155556789'
NONCE=$(node -p 'require("node:crypto").randomBytes(10).toString("hex")')
SIGNATURE=$(node -e '
  const crypto = require("node:crypto");
  const url = new URL(process.argv[1]), sorted = (pairs) => pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const query = sorted([...url.searchParams]).map(([name, value]) => name + "=" + value).join("&");
  const params = sorted([...new URLSearchParams(process.argv[2])]).map(([name, value]) => name + value).join("");
  const signed = url.origin + url.pathname + "?" + query + "." + params + "." + process.argv[3];
  console.log(crypto.createHmac("sha256", "docs_sample_plivo_auth_token").update(signed).digest("base64"));
' "$URL" "$BODY" "$NONCE")
curl -sf -X POST "$URL" -H "X-Plivo-Signature-V3: $SIGNATURE" -H "X-Plivo-Signature-V3-Nonce: $NONCE" -d "$BODY"`,
  },
  {
    provider: 'generic',
    describes: "your platform's own push failure, signed with Standard Webhooks",
    credentials: { secret: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0' },
    send: `BODY='{"id":"evt-13","status":"FAILED","channel":"PUSH","trackingId":"trk-13","notificationId":"welcome","userId":"user-13","occurredAt":"2023-11-14T22:13:20Z"}'
${standardWebhooksHeaders('webhook', 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0')}
curl -sf -X POST "$INBOUND" -H "Content-Type: application/json" $HEADERS -d "$BODY"`,
  },
];

/** The shell block of a sample: create the integration, then sign and send. */
export function sampleScript(sample: ProviderSample): string {
  const create = JSON.stringify({ provider: sample.provider, credentials: sample.credentials });
  return [
    `INBOUND=$(curl -sf -X POST $API/v1/integrations -H "Authorization: Bearer $KEY" -H "Content-Type: application/json" \\`,
    `  -d '${create}' | json inboundUrl)`,
    sample.send,
  ].join('\n');
}

/** The inbound answer as the page shows it: ids and dates that change on every run elided. */
export function maskedAnswer(answer: string): string {
  return answer
    .trim()
    .replace(/"id":"evt_[^"]*"/g, '"id":"evt_…"')
    .replace(/"date":"[^"]*"/g, '"date":"…"');
}

/** The Markdown between a section's `<!-- sample:<provider> -->` and `<!-- /sample -->` markers. */
export function sampleMarkdown(sample: ProviderSample, answer: string): string {
  return [
    '### Signed sample request',
    '',
    `Against the local mode: ${sample.describes}.`,
    '',
    '```sh runnable',
    sampleScript(sample),
    '```',
    '',
    'The answer:',
    '',
    '```json',
    maskedAnswer(answer),
    '```',
  ].join('\n');
}

/** The shell lines the samples assume: the API, the key, and `json`. */
export function samplePreamble(apiUrl: string, apiKey: string): string {
  return [
    `export API=${apiUrl} KEY=${apiKey}`,
    `json() { node -pe "JSON.parse(require('fs').readFileSync(0, 'utf8')).$1"; }`,
  ].join('\n');
}
