import { createHash, createHmac } from 'node:crypto';
import { BadRequestError, UnauthorizedError } from '../../lambdas/shared/errors';
import { vonage, vonageSignature } from '../../lambdas/providers/vonage';
import { fixture, request } from './support';

const signatureSecret = 'vonage-signature-secret';
const { params, query: queryString } = fixture('vonage', 'dlr-failed.json');
const query = Object.fromEntries(new URLSearchParams(queryString));
const now = new Date(Number(params.timestamp) * 1000 + 30_000);

/** Signs the way Vonage documents it, spelled out independently of the module. */
function sign(values: Record<string, string>, method: string): string {
  const signed = Object.keys(values)
    .sort()
    .map((name) => `&${name}=${values[name]!.replace(/[&=]/g, '_')}`)
    .join('');
  return method === 'md5hash'
    ? createHash('md5')
        .update(signed + signatureSecret)
        .digest('hex')
    : createHmac(method, signatureSecret).update(signed).digest('hex');
}

const formBody = (values: Record<string, string>) => new URLSearchParams(values).toString();

describe('vonage', () => {
  it('reproduces Vonage’s published md5hash test vector', () => {
    // https://github.com/Vonage/vonage-python-sdk tests: a=1, b=2, timestamp=1461605396, secret "secret".
    const vector = { a: '1', b: '2', timestamp: '1461605396' };
    expect(vonageSignature(vector, 'secret', 'md5hash')).toBe('6af838ef94998832dbfc29020b564830');
    const body = formBody({ ...vector, sig: '6AF838EF94998832DBFC29020B564830' });
    const at = new Date(1461605396 * 1000);
    expect(() =>
      vonage.verify(request(body, { now: at }), { signatureSecret: 'secret', signatureMethod: 'md5hash' }),
    ).not.toThrow();
  });

  it.each(['md5hash', 'md5', 'sha1', 'sha256', 'sha512'] as const)(
    'accepts a valid %s signature, form-encoded or JSON',
    (signatureMethod) => {
      const signed = { ...params, sig: sign(params, signatureMethod) };
      const credentials = { signatureSecret, signatureMethod };
      expect(() => vonage.verify(request(formBody(signed), { now }), credentials)).not.toThrow();
      expect(() => vonage.verify(request(JSON.stringify(signed), { now }), credentials)).not.toThrow();
    },
  );

  it('rejects tampered, expired, wrongly signed and unsigned receipts', () => {
    const credentials = { signatureSecret, signatureMethod: 'sha256' as const };
    const signed = { ...params, sig: sign(params, 'sha256') };
    const cases: [Record<string, string>, Date, RegExp][] = [
      [{ ...signed, status: 'delivered' }, now, /Invalid signature/],
      [{ ...signed, sig: sign(params, 'sha1') }, now, /Invalid signature/],
      [signed, new Date(now.getTime() + 600_000), /tolerance/],
      [params, now, /Missing sig/],
    ];
    for (const [values, at, reason] of cases) {
      const run = () => vonage.verify(request(formBody(values), { now: at }), credentials);
      expect(run).toThrow(UnauthorizedError);
      expect(run).toThrow(reason);
    }
  });

  it('rejects an unknown signature method', () => {
    const bad = vonage.credentialsSchema.safeParse({ signatureSecret, signatureMethod: 'crc32' });
    expect(bad.success).toBe(false);
  });

  it('maps a failed receipt to SMS FAILED with client-ref and the callback query ids', () => {
    const [event] = vonage.parse(request(formBody(params), { query, now }));
    expect(vonage.normalize(event!)).toEqual({
      status: 'FAILED',
      channel: 'SMS',
      trackingId: 'trk_vg',
      notificationId: 'ntf_vg',
      userId: 'usr_vg',
      providerEventId: '0A0000001234567B:failed',
      providerMessageId: '0A0000001234567B',
      occurredAt: '2020-01-01T12:00:00.000Z',
      reason: 'err-code 6',
    });
  });

  it.each([
    ['rejected', 'FAILED'],
    ['expired', 'FAILED'],
    ['delivered', 'ignored'],
    ['accepted', 'ignored'],
    ['buffered', 'ignored'],
  ])('maps %s to %s', (status, expected) => {
    const [event] = vonage.parse(request(JSON.stringify({ ...params, status }), { now }));
    const result = vonage.normalize(event!);
    expect('ignored' in result ? 'ignored' : result.status).toBe(expected);
  });

  it('falls back to the message id without client-ref, and answers 400 for a non-receipt', () => {
    const { 'client-ref': _, ...withoutRef } = params;
    const [event] = vonage.parse(request(formBody(withoutRef), { now }));
    expect(vonage.normalize(event!)).toMatchObject({ trackingId: '0A0000001234567B', userId: null });
    expect(() => vonage.parse(request('status=failed'))).toThrow(BadRequestError);
    expect(() => vonage.parse(request('{"messageId":'))).toThrow(BadRequestError);
  });
});
