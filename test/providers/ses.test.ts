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
    ['https://sns.us-east-1.amazonaws.com.evil.example/cert.pem', false],
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
    const stale = signer.message({
      Message: record('open.json'),
      Timestamp: new Date(Date.now() - 8 * 24 * 3600_000).toISOString(),
    });
    await expect(verify(stale)).rejects.toThrow(/too old/);
    await expect(verify(record('open.json'))).rejects.toThrow(UnauthorizedError);
    await expect(verify('not json')).rejects.toThrow(UnauthorizedError);
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
        reason: 'smtp; 550 5.1.1 user unknown',
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
