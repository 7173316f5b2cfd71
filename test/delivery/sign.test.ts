import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { signatureHeaders, standardWebhooksKey } from '../../lambdas/delivery/sign';

const payload = {
  eventType: 'EMAIL_FAILED',
  trackingId: 'trk_42',
  notificationId: 'welcome-email',
  channel: 'EMAIL',
  userId: 'user-ü-1',
  id: 'evt_1',
  occurredAt: '2025-01-15T10:30:05.000Z',
  provider: 'sendgrid',
  reason: 'bounce: 550 5.1.1 user unknown — “quoted”',
};
// What the delivery engine sends: exactly JSON.stringify of the payload object.
const body = JSON.stringify(payload);
const WHSEC = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const PLAIN = 'plain-secret-0123456789';

// The product documentation's Node.js check, unchanged.
function verifyWebhook(payload: string, signature: string, secret: string) {
  const expected = createHmac('sha256', secret).update(payload).digest('hex');

  return `sha256=${expected}` === signature;
}

// The product documentation's Python check, unchanged, fed the raw body as `request.get_data(as_text=True)` gives it.
const PYTHON_CHECK = `
import hmac
import hashlib
import json
import sys

def verify_webhook(payload, signature, secret):
    expected = 'sha256=' + hmac.new(
        secret.encode(),
        payload.encode(),
        hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(expected, signature)

args = json.loads(sys.stdin.read())
print('valid' if verify_webhook(args['payload'], args['signature'], args['secret']) else 'invalid')
`;
function pythonVerifies(payload: string, signature: string, secret: string): boolean {
  const output = execFileSync('python3', ['-c', PYTHON_CHECK], {
    input: JSON.stringify({ payload, signature, secret }),
    encoding: 'utf8',
  });
  return output.trim() === 'valid';
}

describe('signatureHeaders', () => {
  const now = new Date();

  test.each([
    ['a whsec_ secret', WHSEC, new Webhook(WHSEC)],
    ['a plain secret', PLAIN, new Webhook(Buffer.from(PLAIN, 'utf8'), { format: 'raw' })],
  ])('with %s, the standardwebhooks verifier accepts the delivery', (_, secret, verifier) => {
    const headers = signatureHeaders([secret], 'msg_1', now, body);
    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(now.getTime() / 1000)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(verifier.verify(body, { ...headers })).toEqual(payload);
  });

  test('a plain secret also verifies with the package string form (ASCII secrets)', () => {
    const headers = signatureHeaders([PLAIN], 'msg_1', now, body);
    expect(new Webhook(PLAIN, { format: 'raw' }).verify(body, { ...headers })).toEqual(payload);
  });

  test.each([
    ['a whsec_ secret', WHSEC, 'msg_1', body],
    ['a plain secret', PLAIN, 'msg_2', body],
    ['a non-ASCII body and secret', 'sécret-plain-16chars', 'msg_3', JSON.stringify({ name: 'Zoë 🚀' })],
  ])('with %s, webhook-signature is byte-identical to the package’s own sign()', (_, secret, id, text) => {
    const headers = signatureHeaders([secret], id, now, text);
    const packageSignature = new Webhook(standardWebhooksKey(secret), { format: 'raw' }).sign(id, now, text);
    expect(headers['webhook-signature']).toBe(packageSignature);
  });

  test('the key is the decoded whsec_ part, or the UTF-8 bytes of a plain secret', () => {
    expect(Buffer.from(standardWebhooksKey(WHSEC))).toEqual(Buffer.alloc(32, 7));
    expect(Buffer.from(standardWebhooksKey('sécret'))).toEqual(Buffer.from('sécret', 'utf8'));
  });

  test('a tampered body or another secret fails verification', () => {
    const headers = signatureHeaders([WHSEC], 'msg_1', now, body);
    expect(() => new Webhook(WHSEC).verify(body.replace('trk_42', 'trk_43'), { ...headers })).toThrow();
    const other = `whsec_${Buffer.alloc(32, 8).toString('base64')}`;
    expect(() => new Webhook(other).verify(body, { ...headers })).toThrow();
  });

  test.each([
    ['a whsec_ secret', WHSEC],
    ['a plain secret', PLAIN],
  ])('X-Webhook-Signature passes the documented Node.js check with %s', (_, secret) => {
    const headers = signatureHeaders([secret], 'msg_1', now, body);
    // The receiver re-serializes its parsed body (`JSON.stringify(req.body)`), which gives back the sent bytes.
    const reserialized = JSON.stringify(JSON.parse(body));
    expect(reserialized).toBe(body);
    expect(verifyWebhook(reserialized, headers['x-webhook-signature'], secret)).toBe(true);
    expect(verifyWebhook(reserialized, headers['x-webhook-signature'], 'wrong-secret')).toBe(false);
  });

  test.each([
    ['a whsec_ secret', WHSEC],
    ['a plain secret', PLAIN],
  ])('X-Webhook-Signature passes the documented Python check with %s', (_, secret) => {
    const headers = signatureHeaders([secret], 'msg_1', now, body);
    expect(pythonVerifies(body, headers['x-webhook-signature'], secret)).toBe(true);
    expect(pythonVerifies(body, headers['x-webhook-signature'], 'wrong-secret')).toBe(false);
  });

  test('during a rotation, one signature per secret, each verifiable on its own', () => {
    const rotated = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    const headers = signatureHeaders([rotated, WHSEC], 'msg_1', now, body);
    const signatures = headers['webhook-signature'].split(' ');
    expect(signatures).toHaveLength(2);
    expect(new Webhook(rotated).verify(body, { ...headers })).toEqual(payload);
    expect(new Webhook(WHSEC).verify(body, { ...headers })).toEqual(payload);
    // X-Webhook-Signature carries the current (first) secret only.
    expect(verifyWebhook(body, headers['x-webhook-signature'], rotated)).toBe(true);
    expect(verifyWebhook(body, headers['x-webhook-signature'], WHSEC)).toBe(false);
  });

  test('refuses to sign without a secret', () => {
    expect(() => signatureHeaders([], 'msg_1', now, body)).toThrow(/at least one signing secret/);
  });
});
