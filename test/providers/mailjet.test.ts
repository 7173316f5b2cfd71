import { BadRequestError, UnauthorizedError } from '../../lambdas/shared/errors';
import { mailjet } from '../../lambdas/providers/mailjet';
import { fixtureBodyText, request } from './support';

const credentials = { username: 'relay', password: 'mj-pass' };
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
const bounce = fixtureBodyText('mailjet', 'bounce.json');
const grouped = fixtureBodyText('mailjet', 'grouped.json');

describe('mailjet', () => {
  it('accepts the Basic Auth credentials of the inbound URL and rejects others', () => {
    const ok = request(bounce, { headers: { authorization: basic('relay', 'mj-pass') } });
    expect(() => mailjet.verify(ok, credentials)).not.toThrow();
    for (const headers of [{ authorization: basic('relay', 'wrong') }, { authorization: 'Bearer mj-pass' }]) {
      const run = () => mailjet.verify(request(bounce, { headers }), credentials);
      expect(run).toThrow(UnauthorizedError);
      expect(run).toThrow(/Invalid credentials/);
    }
    expect(() => mailjet.verify(request(bounce), credentials)).toThrow(/Missing authorization/);
  });

  it('validates the credentials shape', () => {
    expect(mailjet.credentialsSchema.safeParse(credentials).success).toBe(true);
    expect(mailjet.credentialsSchema.safeParse({ username: 'a:b', password: 'x' }).success).toBe(false);
  });

  it('maps a hard bounce to FAILED with CustomID and Payload ids, keeping MessageID exact', () => {
    expect(bounce).toContain('"MessageID":13792286917004336');
    const [event] = mailjet.parse(request(bounce));
    expect(mailjet.normalize(event!)).toEqual({
      status: 'FAILED',
      channel: 'EMAIL',
      trackingId: 'trk_mj',
      notificationId: 'ntf_mj',
      userId: 'usr_mj',
      product: 'CRM',
      providerEventId: expect.stringMatching(/^[0-9a-f]{32}$/),
      providerMessageId: '13792286917004336',
      occurredAt: '2015-05-05T07:49:55.000Z',
      reason: 'recipient: user unknown',
    });
  });

  it('parses grouped events: opens, clicks, soft bounces ignored, blocked FAILED', () => {
    const results = mailjet.parse(request(grouped)).map((event) => mailjet.normalize(event));
    expect(results).toHaveLength(4);
    expect(results[0]).toMatchObject({
      status: 'OPEN',
      trackingId: 'helloworld',
      notificationId: null,
      providerMessageId: '19421777835146490',
    });
    // Empty CustomID and a malformed Payload: the message id stands in for the trackingId.
    expect(results[1]).toMatchObject({ status: 'CLICK', trackingId: '19421777836302490', userId: null });
    expect(results[2]).toMatchObject({ ignored: 'bounce/soft' });
    expect(results[3]).toMatchObject({ status: 'FAILED', reason: 'recipient: user unknown' });
    expect(new Set(results.map((r) => r.providerEventId)).size).toBe(4);
  });

  it('answers 400 for a body that is not a Mailjet event', () => {
    expect(() => mailjet.parse(request('nope'))).toThrow(BadRequestError);
    expect(() => mailjet.parse(request('[]'))).toThrow(BadRequestError);
    expect(() => mailjet.parse(request('[1]'))).toThrow(/JSON object/);
  });
});
