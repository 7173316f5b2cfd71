/**
 * A signed request from each of the first seven providers, through the inbound handler, against
 * emulated DynamoDB and the test EventBridge: exactly the expected events land in each status's queue,
 * and a bad signature answers 401 with nothing published.
 */
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { handleInbound } from '../../lambdas/inbound/handler';
import { twilioSignedString } from '../../lambdas/providers/twilio';
import { resetClients } from '../../lambdas/shared/aws';
import { STATUSES } from '../../lambdas/shared/catalog';
import { deliveryIdOf, rulePattern, type DeliveryRequest } from '../../lambdas/shared/events';
import { derivedId } from '../../lambdas/shared/ids';
import { createSubscription } from '../../lambdas/shared/subscriptions';
import { call } from '../api/support';
import { fixture, fixtureBodyText } from '../providers/support';
import { createSnsSigner, type SnsSigner } from '../providers/sns-signer';
import { useEmulators } from '../support/emulators';
import { startEventBus, type TestEventBus } from './support/event-bus';
import { inboundEvent } from './support/requests';

const TENANT = 'tn_providers';
const WHSEC = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const sendgridKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

interface SignedRequest {
  body: string;
  headers: Record<string, string>;
  rawQueryString?: string;
}

interface ProviderCase {
  provider: string;
  credentials: Record<string, unknown>;
  /** A signed request for the integration (its id is part of the URL some providers sign). */
  request(integrationId: string): SignedRequest;
  /** What a tamperer changes in the body. */
  tamper: [string, string];
  results: string[];
  /** Published events as [queue, payload eventType, trackingId]. */
  published: [string, string, string][];
}

const now = () => Math.floor(Date.now() / 1000);
let signer: SnsSigner;

const cases: ProviderCase[] = [
  {
    provider: 'sendgrid',
    credentials: {
      verificationKey: sendgridKeys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    },
    request() {
      const body = JSON.stringify(fixture('sendgrid', 'events.json').body);
      const timestamp = String(now());
      const signature = sign('sha256', Buffer.from(timestamp + body), sendgridKeys.privateKey);
      return {
        body,
        headers: {
          'X-Twilio-Email-Event-Webhook-Timestamp': timestamp,
          'X-Twilio-Email-Event-Webhook-Signature': signature.toString('base64'),
        },
      };
    },
    tamper: ['trk_sg', 'trk_xx'],
    results: ['OPEN', 'CLICK', 'FAILED', 'ignored'],
    published: [
      ['OPEN', 'OPEN', 'trk_sg'],
      ['CLICK', 'CLICK', '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0'],
      ['FAILED', 'EMAIL_FAILED', '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0'],
    ],
  },
  {
    provider: 'ses',
    credentials: {},
    request() {
      const body = signer.message({
        MessageId: 'da41e39f-ea4d-435a-b922-c6aae3915ebe', // the same on SNS redeliveries
        Message: JSON.stringify(fixture('ses', 'open.json').record),
      });
      return { body, headers: { 'x-amz-sns-message-type': 'Notification', 'content-type': 'text/plain' } };
    },
    tamper: ['trk_ses', 'trk_xxx'],
    results: ['OPEN'],
    published: [['OPEN', 'OPEN', 'trk_ses']],
  },
  {
    provider: 'mailgun',
    credentials: { signingKey: 'mailgun-signing-key' },
    request() {
      const { signature, 'event-data': eventData } = fixture('mailgun', 'failed-permanent.json').body;
      const timestamp = String(now());
      const hex = createHmac('sha256', 'mailgun-signing-key')
        .update(timestamp + signature.token)
        .digest('hex');
      const body = JSON.stringify({
        signature: { ...signature, timestamp, signature: hex },
        'event-data': eventData,
      });
      return { body, headers: { 'content-type': 'application/json' } };
    },
    tamper: ['a8ce0edb', 'a8ce0edc'],
    results: ['FAILED'],
    published: [['FAILED', 'EMAIL_FAILED', 'trk_mg']],
  },
  {
    provider: 'postmark',
    credentials: { username: 'relay', password: 'postmark-pass' },
    request() {
      return {
        body: fixtureBodyText('postmark', 'bounce.json'),
        headers: { authorization: `Basic ${Buffer.from('relay:postmark-pass').toString('base64')}` },
      };
    },
    tamper: ['', ''], // Basic Auth does not cover the body; the credentials are what a forger lacks
    results: ['FAILED'],
    published: [['FAILED', 'EMAIL_FAILED', 'trk_pm']],
  },
  {
    provider: 'twilio',
    credentials: { authToken: 'twilio-auth-token' },
    request(integrationId) {
      const { params, query } = fixture('twilio', 'sms-undelivered.json');
      const url = `https://api.example.test/v1/inbound/${integrationId}?${query}`;
      const signature = createHmac('sha1', 'twilio-auth-token')
        .update(twilioSignedString(url, params))
        .digest('base64');
      return {
        body: new URLSearchParams(params).toString(),
        headers: { 'X-Twilio-Signature': signature, 'content-type': 'application/x-www-form-urlencoded' },
        rawQueryString: query,
      };
    },
    tamper: ['ErrorCode=30003', 'ErrorCode=30004'],
    results: ['FAILED'],
    published: [['FAILED', 'SMS_FAILED', 'trk_tw']],
  },
  {
    provider: 'resend',
    credentials: { signingSecret: WHSEC },
    request() {
      const body = JSON.stringify(fixture('resend', 'clicked.json').body);
      const id = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W'; // Svix keeps the id across retries
      const at = new Date();
      return {
        body,
        headers: {
          'svix-id': id,
          'svix-timestamp': String(Math.floor(at.getTime() / 1000)),
          'svix-signature': new Webhook(WHSEC).sign(id, at, body),
        },
      };
    },
    tamper: ['trk_rs', 'trk_xx'],
    results: ['CLICK'],
    published: [['CLICK', 'CLICK', 'trk_rs']],
  },
  {
    provider: 'generic',
    credentials: { secret: WHSEC },
    request() {
      const body = JSON.stringify({
        id: 'pe_1',
        status: 'FAILED',
        channel: 'WEB_PUSH',
        trackingId: 'trk_gen',
        notificationId: 'ntf_gen',
        userId: 'usr_gen',
      });
      const at = new Date();
      return {
        body,
        headers: {
          'content-type': 'application/json',
          'webhook-id': 'pe_1',
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': new Webhook(WHSEC).sign('pe_1', at, body),
        },
      };
    },
    tamper: ['trk_gen', 'trk_xxx'],
    results: ['FAILED'],
    published: [['FAILED', 'WEB_PUSH_FAILED', 'trk_gen']],
  },
];

/** The queue an entry lands in: the one whose rule pattern matches it. */
const queueOf = (entry: { Source: string; DetailType: string }) =>
  STATUSES.find(
    (status) =>
      rulePattern(status).source.includes(entry.Source) &&
      rulePattern(status)['detail-type'].includes(entry.DetailType),
  );

describe('inbound endpoint, one signed request per provider', () => {
  let emulators: Awaited<ReturnType<typeof useEmulators>>;
  let bus: TestEventBus;
  const integrations = new Map<string, string>();

  beforeAll(async () => {
    signer = createSnsSigner();
    emulators = await useEmulators();
    bus = await startEventBus();
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = bus.endpoint;
    process.env.EVENT_BUS_NAME = 'relay-bus';
    process.env.SNS_CERT_DIR = signer.certDir;
    process.env.DELIVERY_QUEUE_URLS = JSON.stringify({ OPEN: 'q', CLICK: 'q', FAILED: 'q' });
    resetClients();
    const stamp = new Date().toISOString();
    await createSubscription({
      id: 'wh_everything',
      tenantId: TENANT,
      url: 'https://hooks.example.com/in',
      events: ['EMAIL_OPEN', 'EMAIL_CLICK', 'EMAIL_FAILED', 'SMS_FAILED', 'CALL_FAILED', 'WEB_PUSH_FAILED'],
      status: 'active',
      secret: WHSEC,
      retiredSecrets: [],
      createdAt: stamp,
      updatedAt: stamp,
    });
    for (const { provider, credentials } of cases) {
      const created = await call('POST', '/v1/integrations', {
        tenantId: TENANT,
        body: { provider, credentials },
      });
      expect(created.status).toBe(201);
      integrations.set(provider, created.body.id);
    }
  });
  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
    delete process.env.SNS_CERT_DIR;
    await bus.stop();
    await emulators.stop();
    signer.cleanup();
  });
  beforeEach(() => {
    bus.accepted.length = 0;
  });

  const post = (integrationId: string, { body, headers, rawQueryString }: SignedRequest) =>
    handleInbound(inboundEvent(integrationId, body, { headers, rawQueryString }), { retryDelayMs: 0 });

  it.each(cases.map((c) => [c.provider, c] as const))(
    '%s: publishes exactly the expected events to each queue',
    async (provider, providerCase) => {
      const integrationId = integrations.get(provider)!;
      const response = await post(integrationId, providerCase.request(integrationId));

      expect(response.statusCode).toBe(200);
      const results = JSON.parse(response.body as string) as { id: string; event: { status: string } }[];
      expect(results.map((r) => r.event.status)).toEqual(providerCase.results);
      const published = bus.accepted.map((entry) => {
        const detail = JSON.parse(entry.Detail) as DeliveryRequest;
        expect(detail.payload.provider).toBe(provider);
        expect(detail.deliveryId).toBe(deliveryIdOf(TENANT, detail.payload.id, detail.payload.occurredAt));
        expect(detail.subscriptionIds).toEqual(['wh_everything']);
        return [queueOf(entry), detail.payload.eventType, detail.payload.trackingId];
      });
      expect(published).toEqual(providerCase.published);

      // The provider retries the same events: the same deliveries again, byte for byte (the delivery
      // function posts nothing twice).
      const count = bus.accepted.length;
      const retry = await post(integrationId, providerCase.request(integrationId));
      expect(retry.statusCode).toBe(200);
      expect(bus.accepted.slice(count).map((entry) => entry.Detail)).toEqual(
        bus.accepted.slice(0, count).map((entry) => entry.Detail),
      );
    },
  );

  it.each(cases.map((c) => [c.provider, c] as const))(
    '%s: a bad signature answers 401 and publishes nothing',
    async (provider, providerCase) => {
      const integrationId = integrations.get(provider)!;
      const signed = providerCase.request(integrationId);
      const [from, to] = providerCase.tamper;
      const forged =
        provider === 'postmark'
          ? {
              ...signed,
              headers: { authorization: `Basic ${Buffer.from('relay:guess').toString('base64')}` },
            }
          : { ...signed, body: signed.body.replace(from, to) };
      expect(forged.body === signed.body && provider !== 'postmark').toBe(false);

      const response = await post(integrationId, forged);

      expect(response.statusCode).toBe(401);
      expect(JSON.parse(response.body as string).error.code).toBe('unauthorized');
      expect(bus.accepted).toHaveLength(0);
    },
  );

  it('keeps a provider id beyond 2^53 exact in the event id', async () => {
    const integrationId = integrations.get('postmark')!;
    const response = await post(
      integrationId,
      cases.find((c) => c.provider === 'postmark')!.request(integrationId),
    );
    expect(JSON.parse(response.body as string)[0].id).toBe(
      derivedId('evt', integrationId, '4323372036854775807'),
    );
  });

  it('verifies URL signatures against PUBLIC_URL when it is set', async () => {
    const integrationId = integrations.get('twilio')!;
    const { params } = fixture('twilio', 'call-busy.json');
    const query = 'trackingId=trk_public';
    const publicUrl = `https://relay.example.com/v1/inbound/${integrationId}?${query}`;
    const signature = createHmac('sha1', 'twilio-auth-token')
      .update(twilioSignedString(publicUrl, params))
      .digest('base64');
    const request = {
      body: new URLSearchParams(params).toString(),
      headers: { 'x-twilio-signature': signature },
      rawQueryString: query,
    };
    expect((await post(integrationId, request)).statusCode).toBe(401); // signed for another host
    process.env.PUBLIC_URL = 'https://relay.example.com';
    try {
      const response = await post(integrationId, request);
      expect(response.statusCode).toBe(200);
      expect(
        bus.accepted.map((entry) => [queueOf(entry), JSON.parse(entry.Detail).payload.trackingId]),
      ).toEqual([['FAILED', 'trk_public']]);
    } finally {
      delete process.env.PUBLIC_URL;
    }
  });

  it('confirms an SNS subscription through the handler and forwards nothing', async () => {
    const integrationId = integrations.get('ses')!;
    const subscribeUrl = 'https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=t1';
    const body = signer.message({
      Type: 'SubscriptionConfirmation',
      Message: 'You have chosen to subscribe to the topic.',
      SubscribeURL: subscribeUrl,
      Token: 't1',
    });
    const confirmed: string[] = [];
    const response = await handleInbound(inboundEvent(integrationId, body), {
      context: {
        snsCertificate: async () => signer.certificatePem,
        confirmSubscription: async (url) => {
          confirmed.push(url);
        },
        log: () => undefined,
      },
    });
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body as string)).toEqual([]);
    expect(confirmed).toEqual([subscribeUrl]);
    expect(bus.accepted).toHaveLength(0);
  });

  it('answers 503 (retry later), not 500, when the SNS confirmation cannot be made', async () => {
    const body = signer.message({
      Type: 'SubscriptionConfirmation',
      Message: 'You have chosen to subscribe to the topic.',
      SubscribeURL: 'https://sns.us-west-2.amazonaws.com/?Action=ConfirmSubscription&Token=t2',
      Token: 't2',
    });
    const response = await handleInbound(inboundEvent(integrations.get('ses')!, body), {
      context: {
        snsCertificate: async () => signer.certificatePem,
        confirmSubscription: () =>
          Promise.reject(new Error('getaddrinfo ENOTFOUND sns.us-west-2.amazonaws.com')),
        log: () => undefined,
      },
    });
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body as string).error.code).toBe('unavailable');
  });
});
