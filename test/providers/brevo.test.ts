import { BadRequestError, UnauthorizedError } from '../../lambdas/shared/errors';
import { brevo } from '../../lambdas/providers/brevo';
import { fixtureBodyText, request } from './support';

const token = 'brevo-bearer-token-0123456789';
const body = fixtureBodyText('brevo', 'events.json');

describe('brevo', () => {
  it('accepts the configured bearer token and rejects anything else', () => {
    const ok = request(body, { headers: { authorization: `Bearer ${token}` } });
    expect(() => brevo.verify(ok, { token })).not.toThrow();
    for (const authorization of [`Bearer ${token}x`, `Basic ${token}`, 'Bearer ']) {
      const run = () => brevo.verify(request(body, { headers: { authorization } }), { token });
      expect(run).toThrow(UnauthorizedError);
      expect(run).toThrow(/Invalid bearer token/);
    }
    expect(() => brevo.verify(request(body), { token })).toThrow(/Missing authorization/);
  });

  it('requires a token long enough to be a secret', () => {
    expect(brevo.credentialsSchema.safeParse({ token }).success).toBe(true);
    expect(brevo.credentialsSchema.safeParse({ token: 'short' }).success).toBe(false);
  });

  it('normalizes opens, clicks and soft bounces, reading X-Mailin-custom', () => {
    const results = brevo.parse(request(body)).map((event) => brevo.normalize(event));
    expect(results[0]).toEqual({
      status: 'OPEN',
      channel: 'EMAIL',
      trackingId: 'trk_bv',
      notificationId: 'ntf_bv',
      userId: 'usr_bv',
      providerEventId: expect.stringMatching(/^[0-9a-f]{32}$/),
      providerMessageId: '<201798300811.5787683@relay.domain.com>',
      occurredAt: '2020-11-09T14:53:43.000Z',
    });
    expect(results[1]).toMatchObject({ status: 'CLICK', trackingId: 'trk_bv' });
    expect(results[2]).toMatchObject({
      status: 'FAILED',
      trackingId: '<201798300811.5787684@relay.domain.com>',
      notificationId: null,
      reason: 'mailbox full',
    });
    expect(results[3]).toMatchObject({ ignored: 'deferred' });
    expect(new Set(results.map((r) => r.providerEventId)).size).toBe(4);
  });

  it('accepts a single event and answers 400 for anything else', () => {
    const single = JSON.stringify({ event: 'unique_opened', 'message-id': '<m@x>', ts_event: 1604933654 });
    expect(brevo.normalize(brevo.parse(request(single))[0]!)).toMatchObject({ status: 'OPEN' });
    expect(brevo.normalize({ event: 'proxy_open' })).toMatchObject({ ignored: 'proxy_open' });
    expect(() => brevo.parse(request('{'))).toThrow(BadRequestError);
    expect(() => brevo.parse(request('"x"'))).toThrow(/JSON object/);
  });
});
