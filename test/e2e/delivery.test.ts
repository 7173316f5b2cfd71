/**
 * End to end over HTTP: a subscription and an integration created through the API, provider webhooks
 * posted signed as the provider signs them, and exactly the expected signed deliveries at a real receiver.
 */
import {
  eventually,
  genericIntegration,
  postGeneric,
  queuesDrained,
  seedSignatureValid,
  startE2E,
  verifyStandardWebhooks,
  type E2E,
} from './support/harness';

const SUBSCRIPTION_SECRET = `whsec_${Buffer.from('e2e-subscription-secret-0123456789').toString('base64')}`;

let e2e: E2E;
let inboundUrl: string;

beforeAll(async () => {
  e2e = await startE2E();
  inboundUrl = await genericIntegration(e2e);
});

afterAll(async () => {
  await e2e?.stop();
});

async function subscribe(path: string, fields: Record<string, unknown>): Promise<string> {
  const created = await e2e.call('POST', '/v1/webhooks', {
    url: `${e2e.receiver.url}${path}`,
    secret: SUBSCRIPTION_SECRET,
    ...fields,
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

it('delivers a provider event to its subscriber, signed with Standard Webhooks and X-Webhook-Signature', async () => {
  const subscriptionId = await subscribe('/signed', { events: ['PUSH_FAILED'] });

  const posted = await postGeneric(inboundUrl, {
    id: 'platform-evt-1',
    status: 'FAILED',
    channel: 'PUSH',
    trackingId: 'trk-1',
    notificationId: 'welcome',
    userId: 'user-1',
  });
  expect(posted.status).toBe(200);
  expect(posted.body).toEqual([
    expect.objectContaining({ event: expect.objectContaining({ status: 'FAILED' }) }),
  ]);

  const [delivery] = await eventually('the delivery', () => {
    const received = e2e.receiver.received('/signed');
    return received.length ? received : undefined;
  });
  expect(verifyStandardWebhooks(delivery!, SUBSCRIPTION_SECRET)).toEqual(
    expect.objectContaining({
      eventType: 'PUSH_FAILED',
      trackingId: 'trk-1',
      notificationId: 'welcome',
      channel: 'PUSH',
      userId: 'user-1',
    }),
  );
  expect(
    seedSignatureValid(
      delivery!.body,
      delivery!.headers['x-webhook-signature'] as string,
      SUBSCRIPTION_SECRET,
    ),
  ).toBe(true);

  const logs = await e2e.call('GET', `/v1/webhooks/${subscriptionId}/logs`);
  expect(logs.status).toBe(200);
  expect(logs.body.items).toEqual([
    expect.objectContaining({
      deliveryId: delivery!.headers['webhook-id'],
      status: 'succeeded',
      attempts: [expect.objectContaining({ statusCode: 200 })],
    }),
  ]);
  await queuesDrained(e2e);
  expect(e2e.receiver.received('/signed')).toHaveLength(1);
});

it('sends Basic Auth and the custom headers with each delivery', async () => {
  await subscribe('/auth', {
    events: ['WEB_PUSH_FAILED'],
    auth: { type: 'basic', username: 'relay', password: 'pa55word' },
    headers: { 'X-Source': 'event-relay-e2e' },
  });

  await postGeneric(inboundUrl, {
    id: 'platform-evt-2',
    status: 'FAILED',
    channel: 'WEB_PUSH',
    trackingId: 'trk-2',
  });

  const [delivery] = await eventually('the delivery', () => {
    const received = e2e.receiver.received('/auth');
    return received.length ? received : undefined;
  });
  expect(delivery!.headers.authorization).toBe(`Basic ${Buffer.from('relay:pa55word').toString('base64')}`);
  expect(delivery!.headers['x-source']).toBe('event-relay-e2e');
});

it('honours product filters and never delivers event types nobody subscribed to', async () => {
  await subscribe('/crm-only', { events: ['INAPP_WEB_FAILED'], products: ['CRM'] });
  await subscribe('/opens', { events: ['EMAIL_OPEN'] });

  const posted = await postGeneric(inboundUrl, [
    { id: 'p-1', status: 'FAILED', channel: 'INAPP_WEB', trackingId: 'crm', product: 'CRM' },
    { id: 'p-2', status: 'FAILED', channel: 'INAPP_WEB', trackingId: 'other', product: 'AUTOMATION' },
    { id: 'p-3', status: 'FAILED', channel: 'INAPP_WEB', trackingId: 'none' },
    { id: 'p-4', status: 'CLICK', channel: 'EMAIL', trackingId: 'click' },
    { id: 'p-5', status: 'OPEN', channel: 'EMAIL', trackingId: 'open' },
  ]);
  expect(posted.status).toBe(200);

  await eventually('both deliveries', () =>
    e2e.receiver.received('/crm-only').length && e2e.receiver.received('/opens').length ? true : undefined,
  );
  await queuesDrained(e2e);
  const trackingIds = (path: string) =>
    e2e.receiver
      .received(path)
      .map((delivery) => (JSON.parse(delivery.body) as { trackingId: string }).trackingId);
  expect(trackingIds('/crm-only')).toEqual(['crm']);
  expect(trackingIds('/opens')).toEqual(['open']);
});

it('rejects a bad provider signature with 401 and delivers nothing', async () => {
  await subscribe('/tampered', { events: ['PUSH_FAILED'] });

  const posted = await postGeneric(
    inboundUrl,
    { id: 'platform-evt-bad', status: 'FAILED', channel: 'PUSH', trackingId: 'trk-bad' },
    { tamper: true },
  );

  expect(posted.status).toBe(401);
  await queuesDrained(e2e);
  expect(e2e.receiver.received('/tampered')).toEqual([]);
});

it('keeps tenants apart: another tenant cannot see a subscription', async () => {
  const subscriptionId = await subscribe('/isolated', { events: ['PUSH_FAILED'] });

  const asOther = await e2e.call(
    'GET',
    `/v1/webhooks/${subscriptionId}`,
    undefined,
    'er_live_e2e_tenant_two_0123456789abcdef',
  );

  expect(asOther.status).toBe(404);
});

it('answers like API Gateway for a missing API key and an unknown route', async () => {
  expect(await e2e.call('GET', '/v1/webhooks', undefined, null)).toEqual(
    expect.objectContaining({ status: 401, body: { message: 'Unauthorized' } }),
  );
  expect(await e2e.call('GET', '/v1/nothing-here')).toEqual(
    expect.objectContaining({ status: 404, body: { message: 'Not Found' } }),
  );
});
