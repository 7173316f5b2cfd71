import { generateKeyPairSync, sign } from 'node:crypto';
import { BadRequestError, UnauthorizedError } from '../../lambdas/shared/errors';
import { telnyx } from '../../lambdas/providers/telnyx';
import { fixture, request } from './support';

const { publicKey: key, privateKey } = generateKeyPairSync('ed25519');
// Telnyx shows the raw 32-byte public key in base64.
const publicKey = Buffer.from(key.export({ format: 'jwk' }).x!, 'base64url').toString('base64');
const now = new Date(1_700_000_000_000);
const ts = String(now.getTime() / 1000);

const signedHeaders = (raw: string, timestamp = ts) => ({
  'telnyx-timestamp': timestamp,
  'telnyx-signature-ed25519': sign(null, Buffer.from(`${timestamp}|${raw}`), privateKey).toString('base64'),
});
const load = (name: string) => {
  const { body, query } = fixture('telnyx', name);
  return { raw: JSON.stringify(body), query: Object.fromEntries(new URLSearchParams(query)) };
};

describe('telnyx', () => {
  const { raw, query } = load('message-finalized.json');

  it('accepts a valid Ed25519 signature (raw base64 or PEM key)', () => {
    const headers = signedHeaders(raw);
    expect(() => telnyx.verify(request(raw, { headers, now }), { publicKey })).not.toThrow();
    const pem = key.export({ format: 'pem', type: 'spki' }).toString();
    expect(() => telnyx.verify(request(raw, { headers, now }), { publicKey: pem })).not.toThrow();
  });

  it.each([
    ['a tampered body', raw.replace('delivery_failed', 'delivered'), signedHeaders(raw), /Invalid signature/],
    [
      'a tampered timestamp',
      raw,
      { ...signedHeaders(raw), 'telnyx-timestamp': String(Number(ts) + 1) },
      /Invalid signature/,
    ],
    ['an expired timestamp', raw, signedHeaders(raw, String(Number(ts) - 301)), /tolerance/],
    ['a missing signature', raw, { 'telnyx-timestamp': ts }, /Missing telnyx-signature-ed25519/],
  ])('rejects %s', (_, body, headers, reason) => {
    const run = () => telnyx.verify(request(body, { headers, now }), { publicKey });
    expect(run).toThrow(UnauthorizedError);
    expect(run).toThrow(reason);
  });

  it('rejects a key that is not an Ed25519 public key', () => {
    expect(telnyx.credentialsSchema.safeParse({ publicKey }).success).toBe(true);
    expect(telnyx.credentialsSchema.safeParse({ publicKey: 'bm9wZQ==' }).success).toBe(false);
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey;
    const ecPem = ec.export({ format: 'pem', type: 'spki' }).toString();
    expect(telnyx.credentialsSchema.safeParse({ publicKey: ecPem }).success).toBe(false);
  });

  it('maps a failed message.finalized to SMS FAILED with the webhook URL query ids', () => {
    const [event] = telnyx.parse(request(raw, { query }));
    expect(telnyx.normalize(event!)).toEqual({
      status: 'FAILED',
      channel: 'SMS',
      trackingId: 'trk_tx',
      notificationId: 'ntf_tx',
      userId: 'usr_tx',
      providerEventId: 'b301ed3f-1490-491f-995f-6e64e69674d4',
      providerMessageId: 'ac012cbf-5e09-46af-a69a-7c0e2d4a2b8d',
      occurredAt: '2019-12-09T20:16:07.588Z',
      reason: '40008 Undeliverable',
    });
    const delivered = JSON.parse(raw);
    delivered.data.payload.to[0].status = 'delivered';
    const [ok] = telnyx.parse(request(JSON.stringify(delivered)));
    expect(telnyx.normalize(ok!)).toMatchObject({ ignored: 'message.finalized/delivered' });
  });

  it('maps a busy call.hangup to CALL FAILED and a completed call to ignored', () => {
    const call = load('call-hangup.json');
    const [event] = telnyx.parse(request(call.raw, { query: call.query }));
    expect(telnyx.normalize(event!)).toEqual({
      status: 'FAILED',
      channel: 'CALL',
      trackingId: 'trk_txc',
      notificationId: null,
      userId: null,
      providerEventId: '0ccc7b54-4df3-4bca-a65a-3da1ecc777f0',
      providerMessageId: '428c31b6-abf3-3bc1-b7f4-5013ef9657c1',
      occurredAt: '2018-02-02T22:25:27.521Z',
      reason: 'user_busy',
    });
    const completed = call.raw.replace('user_busy', 'normal_clearing');
    expect(telnyx.normalize(telnyx.parse(request(completed))[0]!)).toMatchObject({
      ignored: 'call.hangup/normal_clearing',
    });
    const answered = JSON.stringify({ data: { id: 'e1', event_type: 'call.answered', payload: {} } });
    expect(telnyx.normalize(telnyx.parse(request(answered))[0]!)).toMatchObject({ ignored: 'call.answered' });
  });

  it('answers 400 for a body that is not a Telnyx webhook', () => {
    expect(() => telnyx.parse(request('{"data":{}}'))).toThrow(BadRequestError);
    expect(() => telnyx.parse(request('[]'))).toThrow(BadRequestError);
  });
});
