import { createHmac } from 'node:crypto';
import { UnauthorizedError } from '../../lambdas/shared/errors';
import { plivo, plivoV3SignedString } from '../../lambdas/providers/plivo';
import { sparkpost } from '../../lambdas/providers/sparkpost';
import { isIgnored } from '../../lambdas/providers/types';
import { fixture, request } from './support';

describe('sparkpost', () => {
  const credentials = { username: 'relay', password: 'sp-pass' };
  const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  const body = JSON.stringify(fixture('sparkpost', 'events.json').body);

  it('checks the webhook’s Basic Auth credentials', () => {
    const verify = (authorization?: string) => () =>
      sparkpost.verify(request(body, { headers: authorization ? { authorization } : {} }), credentials);
    expect(verify(basic('relay', 'sp-pass'))).not.toThrow();
    expect(verify(basic('relay', 'wrong'))).toThrow(UnauthorizedError);
    expect(verify()).toThrow(/Missing/);
  });

  it('normalizes each record of the batch, keyed by its event_id', () => {
    const results = sparkpost.parse(request(body)).map((event) => sparkpost.normalize(event));
    expect(results[0]).toEqual({
      status: 'OPEN',
      channel: 'EMAIL',
      trackingId: 'trk_sp',
      notificationId: 'ntf_sp',
      userId: 'usr_sp',
      providerEventId: '92356927693813856',
      providerMessageId: '0e0d94b7-9085-4e3c-ab30-e3f2cd9c273e',
      occurredAt: '2016-04-18T14:25:07.000Z',
    });
    expect(isIgnored(results[1]!) && results[1].ignored).toBe('initial_open');
    expect(results[2]).toMatchObject({ status: 'CLICK', trackingId: '0e0d94b7-9085-4e3c-ab30-e3f2cd9c273e' });
    expect(results[3]).toMatchObject({
      status: 'FAILED',
      reason: '554 5.5.0 Invalid recipient',
      userId: 'usr_sp',
    });
    expect(isIgnored(results[4]!) && results[4].ignored).toBe('delay');
  });

  it('answers the webhook test ping with no events and rejects other shapes', () => {
    expect(sparkpost.parse(request('[{"msys":{}}]'))).toEqual([]);
    expect(() => sparkpost.parse(request('{"msys":{}}'))).toThrow(/array/);
  });
});

describe('plivo', () => {
  const authToken = 'plivo-auth-token';
  const nonce = '05429567804466091622';
  const { params, query } = fixture('plivo', 'sms-undelivered.json');
  const url = `https://api.example.test/v1/inbound/int_pl?${query}`;
  const body = new URLSearchParams(params).toString();
  // The V3 construction spelled out: URL + "?" + sorted query + "." + sorted params (name+value) + "." + nonce.
  const sortedQuery = 'notificationId=ntf_pl&trackingId=trk_pl&userId=usr_pl';
  const sortedParams = Object.keys(params)
    .sort()
    .map((name) => name + params[name])
    .join('');
  const signature = createHmac('sha256', authToken)
    .update(`https://api.example.test/v1/inbound/int_pl?${sortedQuery}.${sortedParams}.${nonce}`)
    .digest('base64');
  const headers = (value = signature, withNonce = nonce) => ({
    'x-plivo-signature-v3': value,
    'x-plivo-signature-v3-nonce': withNonce,
  });

  it('builds the V3 string to sign as Plivo’s SDKs do', () => {
    expect(plivoV3SignedString(url, body)).toBe(
      `https://api.example.test/v1/inbound/int_pl?${sortedQuery}.${sortedParams}`,
    );
    expect(plivoV3SignedString('https://h.test/p', 'B=2&A=1')).toBe('https://h.test/p?A1B2');
    expect(plivoV3SignedString('https://h.test/p?b=2&a=1', '')).toBe('https://h.test/p?a=1&b=2');
  });

  it('accepts a valid signature, also among several, and rejects tampered ones', () => {
    const verify =
      (raw: string, hdrs: Record<string, string>, calledUrl = url) =>
      () =>
        plivo.verify(request(raw, { url: calledUrl, headers: hdrs }), { authToken });
    expect(verify(body, headers())).not.toThrow();
    expect(verify(body, headers(`c29tZXRoaW5nIGVsc2U=,${signature}`))).not.toThrow();
    expect(verify(body.replace('undelivered', 'delivered'), headers())).toThrow(/Invalid signature/);
    expect(verify(body, headers(), url.replace('trk_pl', 'trk_xx'))).toThrow(/Invalid signature/);
    expect(verify(body, headers(signature, 'another-nonce'))).toThrow(/Invalid signature/);
    expect(verify(body, {})).toThrow(/Missing/);
  });

  it('reads metadata from the callback URL query; maps SMS and call failures', () => {
    const now = new Date('2025-01-01T00:00:00Z');
    const [sms] = plivo.parse(request(body, { query: Object.fromEntries(new URLSearchParams(query)), now }));
    expect(plivo.normalize(sms!)).toEqual({
      status: 'FAILED',
      channel: 'SMS',
      trackingId: 'trk_pl',
      notificationId: 'ntf_pl',
      userId: 'usr_pl',
      providerEventId: '2fc3a55a-5e84-11ee-9a3e-0242ac110004:sms/undelivered',
      providerMessageId: '2fc3a55a-5e84-11ee-9a3e-0242ac110004',
      occurredAt: '2025-01-01T00:00:00.000Z',
      reason: 'error 300',
    });
    const call = fixture('plivo', 'call-busy.json');
    const [voice] = plivo.parse(
      request(new URLSearchParams(call.params).toString(), {
        query: Object.fromEntries(new URLSearchParams(call.query)),
      }),
    );
    expect(plivo.normalize(voice!)).toMatchObject({
      status: 'FAILED',
      channel: 'CALL',
      trackingId: 'trk_pl_call',
      reason: 'Busy Line',
    });
    const [delivered] = plivo.parse(request('MessageUUID=m1&Status=delivered'));
    expect(plivo.normalize(delivered!)).toMatchObject({ ignored: 'sms/delivered' });
    expect(() => plivo.parse(request('Foo=bar'))).toThrow(/MessageUUID or CallUUID/);
  });
});
