/**
 * The whole pipeline, end to end, over HTTP only: the local mode (`startLocal`, as `npm start` runs it)
 * with RETRY_SCHEDULE=1,2,3, a real receiver on 127.0.0.1, provider webhooks signed as the providers
 * sign them. Each scenario runs as its own tenant, so their deliveries cannot mix.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SQSClient } from '@aws-sdk/client-sqs';
import { main as redrive } from '../../scripts/redrive';
import { startLocal, type LocalStack } from '../../local/stack';
import {
  messagesIn,
  apiClient,
  basicAuth,
  eventually,
  genericRequest,
  postInbound,
  seedSignatureValid,
  startReceiver,
  verifyStandardWebhooks,
  type ApiClient,
  type Receiver,
} from './support';

const KEYS = ['filters', 'postmark', 'flaky', 'down', 'tools'].map(
  (name) => `er_local_e2e_${name}_0123456789`,
);
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const GENERIC_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

let local: LocalStack;
let receiver: Receiver;
let sqs: SQSClient;
let queues: { delivery: Record<string, string>; deadLetter: Record<string, string> };

beforeAll(async () => {
  receiver = await startReceiver();
  local = await startLocal({
    port: 0,
    apiKeys: KEYS,
    settings: {
      ...process.env,
      RETRY_SCHEDULE: '1,2,3',
      ALLOW_PRIVATE_TARGETS: 'true',
      DELIVERY_TIMEOUT_MS: '5000',
    },
  });
  sqs = new SQSClient({
    region: local.operatorEnv.AWS_REGION,
    endpoint: local.operatorEnv.AWS_ENDPOINT_URL_SQS,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  queues = {
    delivery: JSON.parse(local.operatorEnv.DELIVERY_QUEUE_URLS!) as Record<string, string>,
    deadLetter: JSON.parse(local.operatorEnv.DEAD_LETTER_QUEUE_URLS!) as Record<string, string>,
  };
});

afterAll(async () => {
  sqs?.destroy();
  await local?.stop();
  await receiver?.close();
});

/** Every delivery queue is empty: whatever was published has been delivered or given up. */
async function drained(): Promise<void> {
  await eventually('the delivery queues to drain', async () => {
    const counts = await Promise.all(Object.values(queues.delivery).map((url) => messagesIn(sqs, url)));
    return counts.every((count) => count === 0);
  });
}

async function subscribe(api: ApiClient, body: Record<string, unknown>) {
  const created = await api.post('/v1/webhooks', body);
  expect(created.status).toBe(201);
  return created.body as { id: string; secret: string };
}

async function integrate(api: ApiClient, provider: string, credentials: Record<string, unknown>) {
  const created = await api.post('/v1/integrations', { provider, credentials });
  expect(created.status).toBe(201);
  expect(created.body.inboundUrl).toBe(`${local.apiUrl}/v1/inbound/${created.body.id}`);
  return created.body as { id: string; inboundUrl: string };
}

interface LogEntry {
  deliveryId: string;
  status: string;
  attempts: { statusCode?: number }[];
}

async function logs(api: ApiClient, webhookId: string): Promise<LogEntry[]> {
  const response = await api.get(`/v1/webhooks/${webhookId}/logs`);
  expect(response.status).toBe(200);
  return response.body.items as LogEntry[];
}

const genericEvent = (id: string, status: string, extra: Record<string, unknown> = {}) => ({
  id,
  status,
  channel: 'EMAIL',
  trackingId: `trk_${id}`,
  ...extra,
});

describe('the API gateway in front', () => {
  it('answers a missing API key as API Gateway does, and a wrong one with 401', async () => {
    const missing = await fetch(`${local.apiUrl}/v1/webhooks`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'Unauthorized' });
    const wrong = await apiClient(local.apiUrl, 'er_local_not_a_key').get('/v1/webhooks');
    expect(wrong.status).toBe(401);
    // What no route matches reaches the API's router through the catch-all route.
    const unknown = await fetch(`${local.apiUrl}/v1/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
    const patch = await fetch(`${local.apiUrl}/v1/webhooks/wh_1`, { method: 'PATCH' });
    expect(patch.status).toBe(405);
    expect(((await patch.json()) as { error: unknown }).error).toEqual({
      code: 'method_not_allowed',
      message: expect.stringContaining('GET, PUT, DELETE'),
    });
    const getInbound = await fetch(`${local.apiUrl}/v1/inbound/int_1`);
    expect(getInbound.status).toBe(405);
    expect(((await getInbound.json()) as { error: { message: string } }).error.message).toContain(
      'POST, HEAD',
    );
  });
});

describe('generic provider: filters, auth and headers', () => {
  it('delivers exactly the subscribed, product-matching events, signed, with Basic Auth and custom headers', async () => {
    const api = apiClient(local.apiUrl, KEYS[0]!);
    const webhook = await subscribe(api, {
      url: `${receiver.url}/filters`,
      events: ['EMAIL_OPEN', 'EMAIL_CLICK'],
      secret: SECRET,
      products: ['CRM'],
      auth: { type: 'basic', username: 'relay', password: 'pa55word' },
      headers: { 'X-Env': 'e2e' },
    });
    const integration = await integrate(api, 'generic', { secret: GENERIC_SECRET });

    const { body, headers } = genericRequest(GENERIC_SECRET, [
      genericEvent('g1', 'OPEN', { product: 'CRM' }),
      genericEvent('g2', 'CLICK', { product: 'AUTOMATION' }),
      genericEvent('g3', 'FAILED', { product: 'CRM', reason: 'bounced' }),
    ]);
    const posted = await postInbound(integration.inboundUrl, body, headers);
    expect(posted.status).toBe(200);

    await eventually('the OPEN delivery', () => receiver.at('/filters').length > 0);
    await drained();
    const deliveries = receiver.at('/filters');
    expect(deliveries).toHaveLength(1);
    const [delivery] = deliveries;
    expect(JSON.parse(delivery!.body)).toMatchObject({
      eventType: 'OPEN',
      trackingId: 'trk_g1',
      channel: 'EMAIL',
      product: 'CRM',
      provider: 'generic',
    });
    expect(verifyStandardWebhooks(delivery!, webhook.secret)).toBeTruthy();
    expect(seedSignatureValid(delivery!, webhook.secret)).toBe(true);
    expect(delivery!.headers.authorization).toBe(basicAuth('relay', 'pa55word'));
    expect(delivery!.headers['x-env']).toBe('e2e');
    expect(delivery!.headers['webhook-id']).toMatch(/^msg_/);

    const entries = await eventually('the log entry', async () => {
      const items = await logs(api, webhook.id);
      return items.length === 1 && items[0]!.status === 'succeeded' && items;
    });
    expect(entries[0]!.deliveryId).toBe(delivery!.headers['webhook-id']);
  });

  it('rejects a bad Standard Webhooks signature with 401 and delivers nothing', async () => {
    const api = apiClient(local.apiUrl, KEYS[0]!);
    const integration = await integrate(api, 'generic', { secret: GENERIC_SECRET });
    const before = receiver.deliveries.length;
    const { body, headers } = genericRequest('whsec_' + Buffer.alloc(24, 7).toString('base64'), [
      genericEvent('bad1', 'OPEN', { product: 'CRM' }),
    ]);
    const posted = await postInbound(integration.inboundUrl, body, headers);
    expect(posted.status).toBe(401);
    await drained();
    expect(receiver.deliveries.length).toBe(before);
  });
});

describe('postmark provider', () => {
  const fixture = JSON.parse(
    readFileSync(join(__dirname, '../fixtures/providers/postmark/open.json'), 'utf8'),
  ) as { body: Record<string, unknown> };
  const openEvent = JSON.stringify({ ...fixture.body, Metadata: { trackingId: 'trk_pm_1', userId: 'u_1' } });
  let webhookId: string;

  it('delivers a Postmark open posted with Basic Auth, and rejects wrong credentials with 401', async () => {
    const api = apiClient(local.apiUrl, KEYS[1]!);
    const webhook = await subscribe(api, { url: `${receiver.url}/postmark`, events: ['EMAIL_OPEN'] });
    webhookId = webhook.id;
    const integration = await integrate(api, 'postmark', { username: 'pm', password: 's3cret' });

    const wrong = await postInbound(integration.inboundUrl, openEvent, {
      'content-type': 'application/json',
      authorization: basicAuth('pm', 'wrong'),
    });
    expect(wrong.status).toBe(401);

    const posted = await postInbound(integration.inboundUrl, openEvent, {
      'content-type': 'application/json',
      authorization: basicAuth('pm', 's3cret'),
    });
    expect(posted.status).toBe(200);
    await eventually('the Postmark delivery', () => receiver.at('/postmark').length > 0);
    await drained();
    const deliveries = receiver.at('/postmark');
    expect(deliveries).toHaveLength(1);
    expect(JSON.parse(deliveries[0]!.body)).toMatchObject({
      eventType: 'OPEN',
      trackingId: 'trk_pm_1',
      userId: 'u_1',
      provider: 'postmark',
    });
    expect(verifyStandardWebhooks(deliveries[0]!, webhook.secret)).toBeTruthy();
    expect(seedSignatureValid(deliveries[0]!, webhook.secret)).toBe(true);
  });

  it('queues one delivery again through the retry route', async () => {
    const api = apiClient(local.apiUrl, KEYS[1]!);
    const [entry] = await eventually('a finished delivery', async () => {
      const items = await logs(api, webhookId);
      return items[0]?.status === 'succeeded' && items;
    });
    const retried = await api.post(`/v1/webhooks/${webhookId}/deliveries/${entry!.deliveryId}/retry`);
    expect(retried.status).toBe(202);
    await eventually('the second delivery', () => receiver.at('/postmark').length === 2);
    expect(receiver.at('/postmark')[1]!.headers['webhook-id']).toBe(entry!.deliveryId);
  });

  it('keeps tenants apart', async () => {
    const other = apiClient(local.apiUrl, KEYS[0]!);
    expect((await other.get(`/v1/webhooks/${webhookId}`)).status).toBe(404);
  });
});

describe('retries with RETRY_SCHEDULE=1,2,3', () => {
  async function publishTo(key: string, path: string, eventId: string) {
    const api = apiClient(local.apiUrl, key);
    const webhook = await subscribe(api, { url: `${receiver.url}${path}`, events: ['EMAIL_CLICK'] });
    const integration = await integrate(api, 'generic', { secret: GENERIC_SECRET });
    const { body, headers } = genericRequest(GENERIC_SECRET, [genericEvent(eventId, 'CLICK')]);
    expect((await postInbound(integration.inboundUrl, body, headers)).status).toBe(200);
    return { api, webhook };
  }

  it('a receiver failing twice then succeeding gets three attempts, all in the logs', async () => {
    receiver.answer('/flaky', [500, 503, 200]);
    const { api, webhook } = await publishTo(KEYS[2]!, '/flaky', 'flaky1');
    const [entry] = await eventually('the delivery to succeed', async () => {
      const items = await logs(api, webhook.id);
      return items[0]?.status === 'succeeded' && items;
    });
    expect(entry!.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 503, 200]);
    expect(receiver.at('/flaky').map((delivery) => delivery.answered)).toEqual([500, 503, 200]);
    expect(new Set(receiver.at('/flaky').map((d) => d.headers['webhook-id'])).size).toBe(1);
  });

  it('a receiver that always fails gets four attempts, then the DLQ; redrive brings it back', async () => {
    receiver.answer('/down', [500]);
    const { api, webhook } = await publishTo(KEYS[3]!, '/down', 'down1');
    const [entry] = await eventually('the delivery to fail', async () => {
      const items = await logs(api, webhook.id);
      return items[0]?.status === 'failed' && items;
    });
    expect(entry!.attempts).toHaveLength(4);
    expect(receiver.at('/down')).toHaveLength(4);
    await eventually(
      'the message in the dead-letter queue',
      async () => (await messagesIn(sqs, queues.deadLetter.CLICK!)) === 1,
    );

    receiver.answer('/down', [200]);
    const saved = process.env.DEAD_LETTER_QUEUE_URLS;
    process.env.DEAD_LETTER_QUEUE_URLS = local.operatorEnv.DEAD_LETTER_QUEUE_URLS;
    const out: string[] = [];
    try {
      const code = await redrive(['CLICK'], { out: (line) => out.push(line), err: (line) => out.push(line) });
      expect(code).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.DEAD_LETTER_QUEUE_URLS;
      else process.env.DEAD_LETTER_QUEUE_URLS = saved;
    }
    expect(out.join('\n')).toMatch(/CLICK: 1 moved back/);
    await eventually('the redriven delivery to succeed', async () => {
      const items = await logs(api, webhook.id);
      return items[0]?.status === 'succeeded';
    });
    expect(receiver.at('/down').at(-1)!.answered).toBe(200);
    expect(await messagesIn(sqs, queues.deadLetter.CLICK!)).toBe(0);
  });
});

describe('test event and secret rotation', () => {
  it('sends a signed test event, and two signatures after a rotation', async () => {
    const api = apiClient(local.apiUrl, KEYS[4]!);
    const webhook = await subscribe(api, {
      url: `${receiver.url}/tools`,
      events: ['EMAIL_FAILED'],
      secret: SECRET,
    });

    const tested = await api.post(`/v1/webhooks/${webhook.id}/test`, {});
    expect(tested.status).toBe(200);
    expect(tested.body).toMatchObject({ delivered: true, statusCode: 200 });
    const [first] = receiver.at('/tools');
    expect(JSON.parse(first!.body)).toMatchObject({ eventType: 'EMAIL_FAILED' });
    expect(verifyStandardWebhooks(first!, SECRET)).toBeTruthy();
    expect(seedSignatureValid(first!, SECRET)).toBe(true);

    const rotated = await api.post(`/v1/webhooks/${webhook.id}/secret/rotate`, { gracePeriodSeconds: 3600 });
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.secret as string;
    expect(newSecret).not.toBe(SECRET);

    expect((await api.post(`/v1/webhooks/${webhook.id}/test`, {})).body).toMatchObject({ delivered: true });
    const second = receiver.at('/tools')[1]!;
    expect(String(second.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifyStandardWebhooks(second, SECRET)).toBeTruthy();
    expect(verifyStandardWebhooks(second, newSecret)).toBeTruthy();
    expect(seedSignatureValid(second, newSecret)).toBe(true);
  });
});
