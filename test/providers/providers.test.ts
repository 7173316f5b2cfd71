import { generateKeyPairSync, sign as signData, createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { UnauthorizedError } from '../../lambdas/shared/errors';
import { PROVIDERS } from '../../lambdas/providers/registry';
import { mailgun } from '../../lambdas/providers/mailgun';
import { postmark } from '../../lambdas/providers/postmark';
import { resend } from '../../lambdas/providers/resend';
import { sendgrid } from '../../lambdas/providers/sendgrid';
import { twilio, twilioSignedString } from '../../lambdas/providers/twilio';
import { isIgnored, type ProviderModule } from '../../lambdas/providers/types';
import { fixture, fixtureBodyText, request } from './support';

const expectUnauthorized = async (run: () => unknown, reason: RegExp) => {
  await expect(Promise.resolve().then(run)).rejects.toThrow(UnauthorizedError);
  await expect(Promise.resolve().then(run)).rejects.toThrow(reason);
};

describe('every provider module', () => {
  it.each(Object.entries(PROVIDERS))('%s maps only to catalog statuses and has unique rows', (_, module) => {
    const rows = (module as ProviderModule).mapping;
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.providerStatus)).size).toBe(rows.length);
    for (const row of rows) expect(['OPEN', 'CLICK', 'FAILED', 'ignored']).toContain(row.status);
  });
});

describe('sendgrid', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const verificationKey = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const body = JSON.stringify(fixture('sendgrid', 'events.json').body);
  const now = new Date(1_700_000_000_000);
  const signedHeaders = (timestamp: string, raw = body) => ({
    'x-twilio-email-event-webhook-timestamp': timestamp,
    'x-twilio-email-event-webhook-signature': signData(
      'sha256',
      Buffer.from(timestamp + raw),
      privateKey,
    ).toString('base64'),
  });
  const ts = String(now.getTime() / 1000);

  it('accepts a valid signature and rejects tampered and expired ones', async () => {
    expect(() =>
      sendgrid.verify(request(body, { headers: signedHeaders(ts), now }), { verificationKey }),
    ).not.toThrow();
    await expectUnauthorized(
      () =>
        sendgrid.verify(request(body.replace('open', 'opex'), { headers: signedHeaders(ts), now }), {
          verificationKey,
        }),
      /Invalid signature/,
    );
    await expectUnauthorized(
      () =>
        sendgrid.verify(request(body, { headers: signedHeaders(String(Number(ts) - 600)), now }), {
          verificationKey,
        }),
      /tolerance/,
    );
    await expectUnauthorized(() => sendgrid.verify(request(body, { now }), { verificationKey }), /Missing/);
  });

  it('rejects a verification key that is not a public key', () => {
    expect(sendgrid.credentialsSchema.safeParse({ verificationKey: 'bm9wZQ==' }).success).toBe(false);
    expect(sendgrid.credentialsSchema.safeParse({ verificationKey }).success).toBe(true);
  });

  it('normalizes a batch with custom_args from the top level', () => {
    const results = sendgrid.parse(request(body)).map((event) => sendgrid.normalize(event));
    expect(results[0]).toEqual({
      status: 'OPEN',
      channel: 'EMAIL',
      trackingId: 'trk_sg',
      notificationId: 'ntf_sg',
      userId: 'usr_sg',
      product: 'CRM',
      providerEventId: 'sg_event_id_open',
      providerMessageId: '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0',
      occurredAt: '2017-12-15T00:59:29.000Z',
    });
    expect(results[1]).toMatchObject({
      status: 'CLICK',
      trackingId: results[1]!.providerMessageId,
      userId: null,
    });
    expect(results[2]).toMatchObject({ status: 'FAILED', reason: '500 unknown recipient' });
    expect(results[3]).toMatchObject({ ignored: 'deferred', providerEventId: 'sg_event_id_deferred' });
  });
});

describe('mailgun', () => {
  const signingKey = 'key-0123456789abcdef';
  const base = fixture('mailgun', 'failed-permanent.json').body;
  const now = new Date(Number(base.signature.timestamp) * 1000);
  const signedBody = (overrides: Record<string, unknown> = {}, eventData = base['event-data']) => {
    const signature = {
      ...base.signature,
      signature: createHmac('sha256', signingKey)
        .update(base.signature.timestamp + base.signature.token)
        .digest('hex'),
      ...overrides,
    };
    return JSON.stringify({ signature, 'event-data': eventData });
  };

  it('accepts a valid signature and rejects tampered and expired ones', async () => {
    expect(() => mailgun.verify(request(signedBody(), { now }), { signingKey })).not.toThrow();
    await expectUnauthorized(
      () => mailgun.verify(request(signedBody({ token: 'other-token' }), { now }), { signingKey }),
      /Invalid signature/,
    );
    await expectUnauthorized(
      () =>
        mailgun.verify(request(signedBody(), { now: new Date(now.getTime() + 3_600_000) }), { signingKey }),
      /tolerance/,
    );
  });

  it('maps permanent failures to FAILED and temporary ones to ignored', () => {
    const [event] = mailgun.parse(request(signedBody()));
    expect(mailgun.normalize(event!)).toEqual({
      status: 'FAILED',
      channel: 'EMAIL',
      trackingId: 'trk_mg',
      notificationId: 'ntf_mg',
      userId: 'usr_mg',
      providerEventId: 'G9Bn5sl1TC6nu79C8C0bwg',
      providerMessageId: '20130503192659.13651.20287@sandboxf.mailgun.org',
      occurredAt: '2018-03-16T20:46:35.375Z',
      reason: 'Not delivering to previously bounced address',
    });
    const temporary = mailgun.parse(
      request(signedBody({}, { ...base['event-data'], severity: 'temporary' })),
    );
    expect(mailgun.normalize(temporary[0]!)).toMatchObject({ ignored: 'failed/temporary' });
  });
});

describe('postmark', () => {
  const credentials = { username: 'relay', password: 'pm-pass' };
  const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  const bounceBody = fixtureBodyText('postmark', 'bounce.json');

  it('checks the Basic Auth credentials of the inbound URL', async () => {
    expect(() =>
      postmark.verify(request('{}', { headers: { authorization: basic('relay', 'pm-pass') } }), credentials),
    ).not.toThrow();
    await expectUnauthorized(
      () =>
        postmark.verify(request('{}', { headers: { authorization: basic('relay', 'wrong') } }), credentials),
      /Invalid credentials/,
    );
    await expectUnauthorized(() => postmark.verify(request('{}'), credentials), /Missing/);
  });

  it('keeps a bounce id beyond the safe-integer range exact', () => {
    expect(bounceBody).toContain('"ID":4323372036854775807');
    const [event] = postmark.parse(request(bounceBody));
    expect(postmark.normalize(event!)).toMatchObject({
      status: 'FAILED',
      providerEventId: '4323372036854775807',
      trackingId: 'trk_pm',
      notificationId: 'ntf_pm',
      userId: 'usr_pm',
      occurredAt: '2019-11-05T16:33:54.907Z',
    });
  });

  it('derives a stable id for opens and maps soft bounces to FAILED, transient ones to ignored', () => {
    const open = JSON.stringify(fixture('postmark', 'open.json').body);
    const first = postmark.normalize(postmark.parse(request(open))[0]!);
    const again = postmark.normalize(postmark.parse(request(open))[0]!);
    expect(first).toMatchObject({ status: 'OPEN', trackingId: '00000000-0000-0000-0000-000000000000' });
    expect(first.providerEventId).toBe(again.providerEventId);
    const soft = postmark.normalize({ RecordType: 'Bounce', Type: 'SoftBounce', ID: 1, MessageID: 'm' });
    expect(soft).toMatchObject({ status: 'FAILED' });
    const transient = postmark.normalize({ RecordType: 'Bounce', Type: 'Transient', ID: 2, MessageID: 'm' });
    expect(isIgnored(transient) && transient.ignored).toBe('Bounce/Transient');
  });
});

describe('twilio', () => {
  const authToken = '12345';

  it('verifies Twilio’s published example signature', () => {
    // https://www.twilio.com/docs/usage/security#validating-requests
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const params = {
      CallSid: 'CA1234567890ABCDE',
      Caller: '+12349013030',
      Digits: '1234',
      From: '+12349013030',
      To: '+18005551212',
    };
    const body = new URLSearchParams(params).toString();
    const headers = { 'x-twilio-signature': '0/KCTR6DLpKmkAf8muzZqo1nDgQ=' };
    expect(() => twilio.verify(request(body, { url, headers }), { authToken })).not.toThrow();
  });

  const signedSms = () => {
    const { params, query } = fixture('twilio', 'sms-undelivered.json');
    const url = `https://api.example.test/v1/inbound/int_1?${query}`;
    const signature = createHmac('sha1', authToken).update(twilioSignedString(url, params)).digest('base64');
    return {
      body: new URLSearchParams(params).toString(),
      url,
      query: Object.fromEntries(new URLSearchParams(query)),
      signature,
    };
  };

  it('rejects a tampered body or URL', async () => {
    const { body, url, signature } = signedSms();
    const headers = { 'x-twilio-signature': signature };
    expect(() => twilio.verify(request(body, { url, headers }), { authToken })).not.toThrow();
    await expectUnauthorized(
      () => twilio.verify(request(body.replace('undelivered', 'delivered'), { url, headers }), { authToken }),
      /Invalid signature/,
    );
    await expectUnauthorized(
      () => twilio.verify(request(body, { url: url.replace('trk_tw', 'trk_xx'), headers }), { authToken }),
      /Invalid signature/,
    );
  });

  it('reads metadata from the callback URL query; maps SMS and call failures', () => {
    const { body, query } = signedSms();
    const now = new Date('2025-01-01T00:00:00Z');
    const [sms] = twilio.parse(request(body, { query, now }));
    expect(twilio.normalize(sms!)).toEqual({
      status: 'FAILED',
      channel: 'SMS',
      trackingId: 'trk_tw',
      notificationId: 'ntf_tw',
      userId: 'usr_tw',
      providerEventId: 'SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:sms/undelivered',
      providerMessageId: 'SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX',
      occurredAt: '2025-01-01T00:00:00.000Z',
      reason: 'error 30003',
    });
    const call = fixture('twilio', 'call-busy.json');
    const [voice] = twilio.parse(
      request(new URLSearchParams(call.params).toString(), {
        query: Object.fromEntries(new URLSearchParams(call.query)),
      }),
    );
    expect(twilio.normalize(voice!)).toMatchObject({
      status: 'FAILED',
      channel: 'CALL',
      trackingId: 'trk_call',
      notificationId: null,
      occurredAt: '2019-11-05T16:33:54.000Z',
    });
    const [sent] = twilio.parse(request('MessageSid=SM1&MessageStatus=delivered'));
    expect(twilio.normalize(sent!)).toMatchObject({ ignored: 'sms/delivered' });
  });
});

describe('resend', () => {
  const signingSecret = `whsec_${Buffer.alloc(24, 9).toString('base64')}`;
  const body = JSON.stringify(fixture('resend', 'clicked.json').body);
  const svixHeaders = (at: Date, raw = body) => ({
    'svix-id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
    'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
    'svix-signature': new Webhook(signingSecret).sign('msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', at, raw),
  });

  it('verifies Svix signatures and rejects tampered and expired ones', async () => {
    const now = new Date();
    expect(() =>
      resend.verify(request(body, { headers: svixHeaders(now), now }), { signingSecret }),
    ).not.toThrow();
    await expectUnauthorized(
      () =>
        resend.verify(request(body.replace('trk_rs', 'trk_xx'), { headers: svixHeaders(now), now }), {
          signingSecret,
        }),
      /Invalid signature/,
    );
    const old = new Date(now.getTime() - 10 * 60_000);
    await expectUnauthorized(
      () => resend.verify(request(body, { headers: svixHeaders(old), now }), { signingSecret }),
      /tolerance/,
    );
  });

  it('normalizes a click with its tags, keyed by the svix id', () => {
    const [event] = resend.parse(request(body, { headers: svixHeaders(new Date()) }));
    expect(resend.normalize(event!)).toEqual({
      status: 'CLICK',
      channel: 'EMAIL',
      trackingId: 'trk_rs',
      notificationId: null,
      userId: 'usr_rs',
      providerEventId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
      providerMessageId: '56761188-7520-42d8-8898-ff6fc54ce618',
      occurredAt: '2024-11-22T23:41:12.126Z',
    });
    expect(resend.normalize({ type: 'email.delivery_delayed', data: {} })).toMatchObject({
      ignored: 'email.delivery_delayed',
    });
  });
});
