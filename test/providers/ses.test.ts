import { ServiceUnavailableError, UnauthorizedError } from '../../lambdas/shared/errors';
import { ses } from '../../lambdas/providers/ses';
import {
  isSnsCertificateUrl,
  isSnsUrl,
  SnsCertificateCache,
  snsStringToSign,
  type SnsMessage,
} from '../../lambdas/providers/sns';
import { isIgnored, type ProviderContext } from '../../lambdas/providers/types';
import { CERT_URL, createSnsSigner, TOPIC_ARN, type SnsSigner } from './sns-signer';
import { fixture, request } from './support';

const record = (name: string) => JSON.stringify(fixture('ses', name).record);

describe('SNS message signatures', () => {
  it('builds the string to sign from the documented fields, in order', () => {
    const envelope = fixture('ses', 'sns-notification.json').envelope as SnsMessage;
    expect(snsStringToSign(envelope)).toBe(
      'Message\nHello world!\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nSubject\nMy First Message\n' +
        'Timestamp\n2012-05-02T00:54:06.655Z\nTopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\n' +
        'Type\nNotification\n',
    );
    const { Subject: _subject, ...withoutSubject } = envelope;
    expect(snsStringToSign(withoutSubject)).not.toContain('Subject');
    const confirmation = {
      ...withoutSubject,
      Type: 'SubscriptionConfirmation',
      SubscribeURL: 'https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=t',
      Token: 't',
    };
    expect(snsStringToSign(confirmation)).toBe(
      'Message\nHello world!\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\n' +
        'SubscribeURL\nhttps://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=t\n' +
        'Timestamp\n2012-05-02T00:54:06.655Z\nToken\nt\nTopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\n' +
        'Type\nSubscriptionConfirmation\n',
    );
  });

  it.each([
    ['https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem', true],
    ['https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem', true],
    ['http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem', false],
    ['https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem', true],
    ['https://sns.us-east-1.amazonaws.com.evil.example/cert.pem', false],
    ['https://sns.us-east-1.amazonaws.com.evil.com/cert.pem', false],
    ['https://sns.evil.com/cert.pem', false],
    ['https://sns.us-east-1.amazonaws.com/cert.pem?x=1', false],
    ['https://sns.us-east-1.amazonaws.com/cert.pem#x', false],
    ['https://sns.us-east-1.amazonaws.com/x.pem?.pem', false],
    ['https://evil.example/sns.us-east-1.amazonaws.com/cert.pem', false],
    ['https://user@sns.us-east-1.amazonaws.com/cert.pem', false],
    ['https://sns.us-east-1.amazonaws.com:8443/cert.pem', false],
    ['https://sns.amazonaws.com/cert.pem', false],
    ['https://sqs.us-east-1.amazonaws.com/cert.pem', false],
    ['https://sns.us-east-1.amazonaws.com/cert.txt', false],
    ['not a url', false],
  ])('accepts only SNS certificate URLs: %s → %s', (url, expected) => {
    expect(isSnsCertificateUrl(url)).toBe(expected);
  });

  it('fetches each certificate once, never caches failures and never fetches a foreign URL', async () => {
    const fetchPem = jest.fn(async (url: string) => `pem for ${url}`);
    const cache = new SnsCertificateCache(fetchPem);
    await expect(cache.get(CERT_URL)).resolves.toBe(`pem for ${CERT_URL}`);
    await cache.get(CERT_URL);
    expect(fetchPem).toHaveBeenCalledTimes(1);
    await expect(cache.get('https://evil.example/cert.pem')).rejects.toThrow();
    expect(fetchPem).toHaveBeenCalledTimes(1);

    const flaky = jest.fn().mockRejectedValueOnce(new Error('down')).mockResolvedValue('pem');
    const retrying = new SnsCertificateCache(flaky);
    await expect(retrying.get(CERT_URL)).rejects.toThrow('down');
    await expect(retrying.get(CERT_URL)).resolves.toBe('pem');
  });
});

describe('ses', () => {
  let signer: SnsSigner;
  let context: ProviderContext & { confirmSubscription: jest.Mock; log: jest.Mock };
  const fetchPem = jest.fn(async (): Promise<string> => {
    throw new Error('no network in tests');
  });

  beforeAll(() => {
    signer = createSnsSigner();
  });
  afterAll(() => signer.cleanup());
  beforeEach(() => {
    const cache = new SnsCertificateCache(fetchPem, signer.certDir);
    context = {
      snsCertificate: (url) => cache.get(url),
      confirmSubscription: jest.fn(async () => undefined),
      log: jest.fn(),
    };
  });

  const verify = (raw: string, credentials: { topicArns?: string[] } = {}, now = new Date()) =>
    Promise.resolve().then(() => ses.verify(request(raw, { now }), credentials, context));

  it.each(['1', '2'] as const)(
    'accepts SignatureVersion %s from a preloaded certificate',
    async (version) => {
      await expect(
        verify(signer.message({ Message: record('open.json') }, version)),
      ).resolves.toBeUndefined();
      expect(fetchPem).not.toHaveBeenCalled();
    },
  );

  it('rejects tampered, foreign-certificate, stale and unsigned messages', async () => {
    const signed = signer.message({ Message: record('open.json') });
    const tampered = signed.replace('trk_ses', 'trk_xxx');
    await expect(verify(tampered)).rejects.toThrow(/Invalid SNS signature/);
    const foreign = JSON.stringify({ ...JSON.parse(signed), SigningCertURL: 'https://evil.example/x.pem' });
    await expect(verify(foreign)).rejects.toThrow(/not an Amazon SNS certificate URL/);
    for (const host of ['sns.evil.com', 'sns.us-east-1.amazonaws.com.evil.com']) {
      // Signed correctly, but with a certificate URL outside SNS: refused before anything is fetched.
      const elsewhere = signer.message({
        Message: record('open.json'),
        SigningCertURL: `https://${host}/SimpleNotificationService-0000000000000000000000000test.pem`,
      });
      await expect(verify(elsewhere)).rejects.toThrow(UnauthorizedError);
    }
    expect(fetchPem).not.toHaveBeenCalled();
    const v1 = signer.message({ Message: record('open.json') }, '1');
    await expect(verify(v1.replace('trk_ses', 'trk_xxx'))).rejects.toThrow(/Invalid SNS signature/);
    const v3 = JSON.stringify({ ...JSON.parse(signed), SignatureVersion: '3' });
    await expect(verify(v3)).rejects.toThrow(/Unsupported SNS SignatureVersion/);
    const stale = signer.message({
      Message: record('open.json'),
      Timestamp: new Date(Date.now() - 8 * 24 * 3600_000).toISOString(),
    });
    await expect(verify(stale)).rejects.toThrow(/too old/);
    await expect(verify(record('open.json'))).rejects.toThrow(UnauthorizedError);
    await expect(verify('not json')).rejects.toThrow(UnauthorizedError);
  });

  it('covers the Subject in the signature when SNS sends one', async () => {
    const withSubject = signer.message({ Message: record('open.json'), Subject: 'Amazon SES Email Event' });
    await expect(verify(withSubject)).resolves.toBeUndefined();
    await expect(verify(withSubject.replace('Email Event', 'Other'))).rejects.toThrow(
      /Invalid SNS signature/,
    );
  });

  it('answers 503 (SNS retries) when the certificate cannot be loaded', async () => {
    const unknownCert = signer.message({
      Message: record('open.json'),
      SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-other.pem',
    });
    await expect(verify(unknownCert)).rejects.toThrow(ServiceUnavailableError);
  });

  it('refuses notifications from topics the integration does not list', async () => {
    const raw = signer.message({ Message: record('open.json') });
    await expect(verify(raw, { topicArns: [TOPIC_ARN] })).resolves.toBeUndefined();
    await expect(verify(raw, { topicArns: ['arn:aws:sns:us-west-2:123456789012:other'] })).rejects.toThrow(
      /topic is not allowed/,
    );
  });

  describe('subscription confirmations', () => {
    const subscribeUrl = `https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${TOPIC_ARN}&Token=abc`;
    const confirmation = (fields: Partial<SnsMessage> = {}) =>
      signer.message({
        Type: 'SubscriptionConfirmation',
        Message: 'You have chosen to subscribe to the topic. To confirm, visit the SubscribeURL.',
        SubscribeURL: subscribeUrl,
        Token: 'abc',
        ...fields,
      });
    const acknowledge = async (raw: string, credentials: { topicArns?: string[] } = {}) => {
      await verify(raw, credentials);
      await ses.acknowledge!(request(raw), credentials, context);
      return ses.parse(request(raw));
    };

    it('confirms an allowed topic by GET to its SubscribeURL and forwards nothing', async () => {
      expect(await acknowledge(confirmation())).toEqual([]);
      expect(context.confirmSubscription).toHaveBeenCalledWith(subscribeUrl);
    });

    it('only logs a confirmation from another topic or with a SubscribeURL outside SNS', async () => {
      expect(
        await acknowledge(confirmation(), { topicArns: ['arn:aws:sns:us-west-2:123456789012:x'] }),
      ).toEqual([]);
      expect(await acknowledge(confirmation({ SubscribeURL: 'https://evil.example/?Action=x' }))).toEqual([]);
      expect(context.confirmSubscription).not.toHaveBeenCalled();
      expect(context.log).toHaveBeenCalledTimes(2);
    });

    it('logs an UnsubscribeConfirmation and forwards nothing', async () => {
      expect(await acknowledge(confirmation({ Type: 'UnsubscribeConfirmation' }))).toEqual([]);
      expect(context.confirmSubscription).not.toHaveBeenCalled();
      expect(context.log).toHaveBeenCalledWith('SNS message logged', {
        type: 'UnsubscribeConfirmation',
        topicArn: TOPIC_ARN,
      });
    });

    it('rejects a confirmation whose signature does not cover its SubscribeURL', async () => {
      const raw = confirmation().replace('Token=abc', 'Token=evil');
      await expect(verify(raw)).rejects.toThrow(/Invalid SNS signature/);
    });
  });

  describe('normalization', () => {
    const normalize = (name: string, messageId = 'sns-message-1') =>
      ses.normalize(ses.parse(request(signer.message({ MessageId: messageId, Message: record(name) })))[0]!);

    it('reads the platform tags (not ses:* tags) and keys the event by the SNS MessageId', () => {
      expect(normalize('open.json')).toEqual({
        status: 'OPEN',
        channel: 'EMAIL',
        trackingId: 'trk_ses',
        notificationId: 'ntf_ses',
        userId: 'usr_ses',
        product: 'CRM',
        providerEventId: 'sns-message-1',
        providerMessageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
        occurredAt: '2017-08-09T22:00:19.652Z',
      });
    });

    it('falls back to the SES message id without a trackingId tag', () => {
      expect(normalize('click.json')).toMatchObject({
        status: 'CLICK',
        trackingId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
        notificationId: null,
        userId: null,
        occurredAt: '2017-08-09T23:51:25.570Z',
      });
    });

    it('maps permanent and transient bounces to FAILED, delays to ignored', () => {
      expect(normalize('bounce.json')).toMatchObject({
        status: 'FAILED',
        trackingId: 'trk_ses_bounce',
        reason: 'Permanent/General: smtp; 550 5.1.1 user unknown',
        occurredAt: '2017-08-05T00:41:02.669Z',
      });
      const base = fixture('ses', 'bounce.json').record;
      const transient = ses.normalize({
        ...base,
        bounce: { ...base.bounce, bounceType: 'Transient', bouncedRecipients: [] },
        snsMessageId: 'm2',
      });
      expect(transient).toMatchObject({ status: 'FAILED', reason: 'Transient/General' });
      const delay = ses.normalize({ eventType: 'DeliveryDelay', mail: base.mail, snsMessageId: 'm3' });
      expect(isIgnored(delay) && delay.ignored).toBe('DeliveryDelay');
      // Identity notifications (no event publishing) name the type `notificationType`.
      const legacy = ses.normalize({
        notificationType: 'Bounce',
        bounce: base.bounce,
        mail: base.mail,
        snsMessageId: 'm4',
      });
      expect(legacy).toMatchObject({ status: 'FAILED' });
    });

    it('maps rejects and rendering failures to FAILED with their reason', () => {
      expect(normalize('reject.json')).toMatchObject({
        status: 'FAILED',
        trackingId: 'trk_ses_reject',
        notificationId: 'ntf_ses_reject',
        reason: 'Bad content',
        occurredAt: '2017-08-05T00:41:02.669Z',
      });
      expect(normalize('rendering-failure.json')).toMatchObject({
        status: 'FAILED',
        trackingId: 'trk_ses_render',
        product: 'CRM',
        reason: "Attribute 'attributeName' is not present in the rendering data.",
        occurredAt: '2018-01-22T18:43:06.197Z',
      });
      expect(normalize('delivery-delay.json')).toEqual({
        ignored: 'DeliveryDelay',
        providerEventId: 'sns-message-1',
        providerMessageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
        occurredAt: '2020-06-16T00:25:40.095Z',
      });
    });

    it('reads identity feedback notifications (notificationType), which carry no tags', () => {
      expect(normalize('notification-bounce.json')).toEqual({
        status: 'FAILED',
        channel: 'EMAIL',
        trackingId: '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000',
        notificationId: null,
        userId: null,
        providerEventId: 'sns-message-1',
        providerMessageId: '00000138111222aa-33322211-cccc-cccc-cccc-ddddaaaa0680-000000',
        occurredAt: '2016-01-27T14:59:38.237Z',
        reason: 'Permanent/General: smtp; 550 5.1.1 <jane@example.com>... User',
      });
    });

    it.each(ses.mapping.map((row) => [row.providerStatus, row] as const))(
      'follows its mapping table: %s',
      (providerStatus, row) => {
        const [eventType, bounceType] = providerStatus.split('/');
        const result = ses.normalize({
          eventType,
          ...(bounceType && { bounce: { bounceType, bounceSubType: 'General' } }),
          mail: fixture('ses', 'open.json').record.mail,
          snsMessageId: 'm-table',
        });
        if (row.status === 'ignored') expect(isIgnored(result) && result.ignored).toBe(providerStatus);
        else expect(result).toMatchObject({ status: row.status, channel: 'EMAIL', trackingId: 'trk_ses' });
      },
    );

    it('ignores event types it does not know', () => {
      const result = ses.normalize({ eventType: 'Something New', snsMessageId: 'm5' });
      expect(isIgnored(result) && result.ignored).toBe('Something New');
    });

    it('answers 400 when the SNS Message is not an SES record', () => {
      expect(() => ses.parse(request(signer.message({ Message: 'Hello world!' })))).toThrow(
        /not an SES event record/,
      );
    });
  });
});

it('isSnsUrl refuses plain http SubscribeURLs', () => {
  expect(isSnsUrl('http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription')).toBe(false);
  expect(isSnsUrl('https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription')).toBe(true);
});
