/**
 * Issue 4, end to end: a signed webhook from each of the first seven providers (SendGrid, Amazon SES via
 * SNS, Mailgun, Postmark, Resend, Twilio SMS and voice, generic), posted to the running local mode,
 * reaches the subscriber as exactly the expected events, each through its status's queue; a request
 * whose signature does not match is answered 401 and forwards nothing.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { EVENT_TYPES } from '../../lambdas/shared/catalog';
import { startLocal, type LocalStack } from '../../local/stack';
import { createSnsSigner, TOPIC_ARN, type SnsSigner } from '../providers/sns-signer';
import { fixture, fixtureBodyText } from '../providers/support';
import {
  mailgunRequest,
  postmarkRequest,
  resendRequest,
  sendgridKeys,
  sendgridRequest,
  sesRequest,
  tampered,
  twilioRequest,
  type ProviderRequest,
} from './provider-requests';
import {
  apiClient,
  eventually,
  genericRequest,
  messagesIn,
  postInbound,
  startReceiver,
  verifyStandardWebhooks,
  type ApiClient,
  type Receiver,
} from './support';

const API_KEY = 'er_local_e2e_providers_0123456789';
const PATH = '/events';

let signer: SnsSigner;
let receiver: Receiver;
let local: LocalStack;
let sqs: SQSClient;
let api: ApiClient;
let webhookSecret: string;
/** The queue each delivery went through, by delivery id, from the local mode's log. */
const queueOf = new Map<string, string>();

beforeAll(async () => {
  signer = createSnsSigner();
  receiver = await startReceiver();
  local = await startLocal({
    port: 0,
    apiKeys: [API_KEY],
    settings: { RETRY_SCHEDULE: '1,2,3', ALLOW_PRIVATE_TARGETS: 'true', DELIVERY_TIMEOUT_MS: '5000' },
    environment: { POWERTOOLS_LOG_LEVEL: 'SILENT', SNS_CERT_DIR: signer.certDir },
    log: (line) => {
      const done = /^delivery: (\S+) (msg_\S+) attempt \d+ → done$/.exec(line);
      if (done) queueOf.set(done[2]!, done[1]!);
    },
  });
  sqs = new SQSClient({
    region: local.operatorEnv.AWS_REGION,
    endpoint: local.operatorEnv.AWS_ENDPOINT_URL_SQS,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  api = apiClient(local.apiUrl, API_KEY);
  const webhook = await api.post('/v1/webhooks', { url: `${receiver.url}${PATH}`, events: [...EVENT_TYPES] });
  expect(webhook.status).toBe(201);
  webhookSecret = webhook.body.secret as string;
});

afterAll(async () => {
  sqs?.destroy();
  await local?.stop();
  await receiver?.close();
  signer?.cleanup();
});

/** Every delivery and dead-letter queue is empty: all that was published has been delivered. */
async function drained(): Promise<void> {
  const queues = [
    ...Object.values(JSON.parse(local.operatorEnv.DELIVERY_QUEUE_URLS!) as Record<string, string>),
    ...Object.values(JSON.parse(local.operatorEnv.DEAD_LETTER_QUEUE_URLS!) as Record<string, string>),
  ];
  await eventually('the queues to drain', async () => {
    const counts = await Promise.all(queues.map((url) => messagesIn(sqs, url)));
    return counts.every((count) => count === 0);
  });
}

async function integrate(provider: string, credentials: Record<string, unknown>): Promise<string> {
  const created = await api.post('/v1/integrations', { provider, credentials });
  expect(created.status).toBe(201);
  return created.body.inboundUrl as string;
}

interface Forwarded {
  eventType: string;
  trackingId: string;
  notificationId: string | null;
  userId: string | null;
  channel: string;
  provider: string;
  /** The delivery queue the event went through. */
  queue: string;
}

const QUEUE = { OPEN: 'OpenQueue', CLICK: 'ClickQueue', FAILED: 'FailedQueue' };
const order = (a: Forwarded, b: Forwarded) =>
  `${a.eventType} ${a.trackingId}`.localeCompare(`${b.eventType} ${b.trackingId}`);

/**
 * Posts `rejected` (expects a 401), then every `accepted` request (expects 200s), waits for the
 * queues to drain and returns what the subscriber received meanwhile, sorted.
 */
async function exchange(rejected: ProviderRequest, accepted: ProviderRequest[]): Promise<Forwarded[]> {
  const from = receiver.deliveries.length;
  const refused = await postInbound(rejected.url, rejected.body, rejected.headers);
  expect(refused.status).toBe(401);
  expect(refused.body).toMatchObject({ error: { code: 'unauthorized' } });
  for (const request of accepted) {
    const answered = await postInbound(request.url, request.body, request.headers);
    expect({ status: answered.status, body: answered.body }).toMatchObject({ status: 200 });
  }
  // Inbound answers after the bus has put every event on its queue, so an empty set of queues means
  // everything forwarded has reached the receiver.
  await drained();
  return receiver.deliveries
    .slice(from)
    .map((delivery) => {
      verifyStandardWebhooks(delivery, webhookSecret);
      const body = JSON.parse(delivery.body) as Record<string, string | null>;
      return {
        eventType: body.eventType!,
        trackingId: body.trackingId!,
        notificationId: body.notificationId ?? null,
        userId: body.userId ?? null,
        channel: body.channel!,
        provider: body.provider!,
        queue: queueOf.get(String(delivery.headers['webhook-id'])) ?? 'unknown',
      };
    })
    .sort(order);
}

const expected = (events: Omit<Forwarded, 'queue'>[]): Forwarded[] =>
  events
    .map((event) => ({
      ...event,
      queue: event.eventType.endsWith('FAILED') ? QUEUE.FAILED : QUEUE[event.eventType as 'OPEN' | 'CLICK'],
    }))
    .sort(order);

it('SendGrid: a signed batch of open, click, bounce, deferred and delivered forwards the three that matter', async () => {
  const { verificationKey, privateKey } = sendgridKeys();
  const url = await integrate('sendgrid', { verificationKey });
  const ids = (n: number) => ({
    trackingId: `trk_sg_${n}`,
    notificationId: `ntf_sg_${n}`,
    userId: `usr_sg_${n}`,
  });
  const [open, click, bounce, deferred] = fixture('sendgrid', 'events.json').body as Record<
    string,
    unknown
  >[];
  const events = [
    { ...open, ...ids(1) },
    { ...click, ...ids(2) },
    { ...bounce, ...ids(3) },
    { ...deferred, ...ids(4) },
    { ...deferred, event: 'delivered', sg_event_id: 'sg_event_id_delivered', ...ids(5) },
  ];
  const signed = sendgridRequest(url, privateKey, events);

  const received = await exchange(tampered(signed, 'trk_sg_2', 'trk_sg_x'), [signed]);

  const email = { channel: 'EMAIL', provider: 'sendgrid' };
  expect(received).toEqual(
    expected([
      { eventType: 'OPEN', ...ids(1), ...email },
      { eventType: 'CLICK', ...ids(2), ...email },
      { eventType: 'EMAIL_FAILED', ...ids(3), ...email },
    ]),
  );
});

it('Amazon SES via SNS: signed open and bounce notifications are forwarded with their message tags', async () => {
  const url = await integrate('ses', { topicArns: [TOPIC_ARN] });
  const open = sesRequest(url, signer, fixture('ses', 'open.json').record);
  const bounce = sesRequest(url, signer, fixture('ses', 'bounce.json').record);

  const received = await exchange(tampered(open, 'trk_ses', 'trk_sex'), [open, bounce]);

  const email = { channel: 'EMAIL', provider: 'ses' };
  expect(received).toEqual(
    expected([
      { eventType: 'OPEN', trackingId: 'trk_ses', notificationId: 'ntf_ses', userId: 'usr_ses', ...email },
      {
        eventType: 'EMAIL_FAILED',
        trackingId: 'trk_ses_bounce',
        notificationId: null,
        userId: 'usr_ses',
        ...email,
      },
    ]),
  );
});

it('Mailgun: a signed permanent failure is forwarded; a forged signature token is refused', async () => {
  const signingKey = 'mailgun-signing-key-0123456789';
  const url = await integrate('mailgun', { signingKey });
  const signed = mailgunRequest(
    url,
    signingKey,
    fixture('mailgun', 'failed-permanent.json').body['event-data'],
  );
  // Mailgun signs timestamp + token (not event-data), so the forgery changes the token.
  const token = (JSON.parse(signed.body) as { signature: { token: string } }).signature.token;

  const received = await exchange(
    tampered(
      signed,
      token,
      token.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')),
    ),
    [signed],
  );

  expect(received).toEqual(
    expected([
      {
        eventType: 'EMAIL_FAILED',
        trackingId: 'trk_mg',
        notificationId: 'ntf_mg',
        userId: 'usr_mg',
        channel: 'EMAIL',
        provider: 'mailgun',
      },
    ]),
  );
});

it('Postmark: a hard bounce posted with the Basic Auth credentials is forwarded; wrong ones are refused', async () => {
  const url = await integrate('postmark', { username: 'relay', password: 'pm-pass' });
  const body = fixtureBodyText('postmark', 'bounce.json');

  const received = await exchange(postmarkRequest(url, 'relay', 'wrong-pass', body), [
    postmarkRequest(url, 'relay', 'pm-pass', body),
  ]);

  expect(received).toEqual(
    expected([
      {
        eventType: 'EMAIL_FAILED',
        trackingId: 'trk_pm',
        notificationId: 'ntf_pm',
        userId: 'usr_pm',
        channel: 'EMAIL',
        provider: 'postmark',
      },
    ]),
  );
});

it('Resend: a Svix-signed click is forwarded with its tags', async () => {
  const signingSecret = `whsec_${Buffer.from('resend-e2e-signing-secret-0123').toString('base64')}`;
  const url = await integrate('resend', { signingSecret });
  const signed = resendRequest(url, signingSecret, fixture('resend', 'clicked.json').body);

  const received = await exchange(tampered(signed, 'trk_rs', 'trk_rx'), [signed]);

  expect(received).toEqual(
    expected([
      {
        eventType: 'CLICK',
        trackingId: 'trk_rs',
        notificationId: null,
        userId: 'usr_rs',
        channel: 'EMAIL',
        provider: 'resend',
      },
    ]),
  );
});

it('Twilio: an undelivered SMS and a busy call, signed over the status-callback URL, become SMS_FAILED and CALL_FAILED', async () => {
  const authToken = 'twilio-auth-token-0123456789';
  const url = await integrate('twilio', { authToken });
  const sms = fixture('twilio', 'sms-undelivered.json') as { query: string; params: Record<string, string> };
  const call = fixture('twilio', 'call-busy.json') as { params: Record<string, string> };
  const smsIds = Object.fromEntries(new URLSearchParams(sms.query));
  const callIds = { trackingId: 'trk_call', notificationId: 'ntf_call', userId: 'usr_call' };
  const smsRequest = twilioRequest(url, authToken, smsIds, sms.params);
  const callRequest = twilioRequest(url, authToken, callIds, call.params);

  const received = await exchange(tampered(smsRequest, 'MessageStatus=undelivered', 'MessageStatus=failed'), [
    smsRequest,
    callRequest,
    // The same callback again (a Twilio retry) is not forwarded twice.
    smsRequest,
  ]);

  expect(received).toEqual(
    expected([
      {
        eventType: 'SMS_FAILED',
        trackingId: 'trk_tw',
        notificationId: 'ntf_tw',
        userId: 'usr_tw',
        channel: 'SMS',
        provider: 'twilio',
      },
      { eventType: 'CALL_FAILED', ...callIds, channel: 'CALL', provider: 'twilio' },
    ]),
  );
});

it('generic: Standard Webhooks-signed platform events are forwarded as sent', async () => {
  const secret = `whsec_${Buffer.from('generic-e2e-signing-secret-012').toString('base64')}`;
  const url = await integrate('generic', { secret });
  const events = [
    { id: 'gen_1', status: 'FAILED', channel: 'PUSH', trackingId: 'trk_push', userId: 'usr_push' },
    { id: 'gen_2', status: 'FAILED', channel: 'WEB_PUSH', trackingId: 'trk_web', notificationId: 'ntf_web' },
    {
      id: 'gen_3',
      status: 'OPEN',
      channel: 'EMAIL',
      trackingId: 'trk_mail',
      notificationId: 'ntf_mail',
      userId: 'u',
    },
  ];
  const signed = { url, ...genericRequest(secret, events) };

  const received = await exchange(tampered(signed, 'trk_web', 'trk_wex'), [signed]);

  const generic = { provider: 'generic' };
  expect(received).toEqual(
    expected([
      {
        eventType: 'PUSH_FAILED',
        trackingId: 'trk_push',
        notificationId: null,
        userId: 'usr_push',
        channel: 'PUSH',
        ...generic,
      },
      {
        eventType: 'WEB_PUSH_FAILED',
        trackingId: 'trk_web',
        notificationId: 'ntf_web',
        userId: null,
        channel: 'WEB_PUSH',
        ...generic,
      },
      {
        eventType: 'OPEN',
        trackingId: 'trk_mail',
        notificationId: 'ntf_mail',
        userId: 'u',
        channel: 'EMAIL',
        ...generic,
      },
    ]),
  );
});

it('received nothing beyond the deliveries above', async () => {
  await drained();
  expect(receiver.deliveries.every((delivery) => delivery.path === PATH && delivery.answered === 200)).toBe(
    true,
  );
  expect(receiver.deliveries).toHaveLength(3 + 2 + 1 + 1 + 1 + 2 + 3);
  expect(new Set(receiver.deliveries.map((delivery) => delivery.headers['webhook-id'])).size).toBe(13);
});
