import { Webhook } from 'standardwebhooks';
import { resetClients } from '../../lambdas/shared/aws';
import { deliveryIdOf, rulePattern, type DeliveryRequest } from '../../lambdas/shared/events';
import { derivedId } from '../../lambdas/shared/ids';
import { createSubscription, type Subscription } from '../../lambdas/shared/subscriptions';
import { handleInbound } from '../../lambdas/inbound/handler';
import { call } from '../api/support';
import { useEmulators } from '../support/emulators';
import { startEventBus, type TestEventBus } from './support/event-bus';
import { inboundEvent } from './support/requests';

const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
const TENANT = 'tn_inbound';

function signed(body: unknown, id = `msg_${Math.random()}`) {
  const raw = JSON.stringify(body);
  const now = new Date();
  return {
    raw,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': new Webhook(SECRET).sign(id, now, raw),
    },
  };
}

const platformEvent = (overrides: Record<string, unknown> = {}) => ({
  id: `pe_${Math.random().toString(36).slice(2)}`,
  status: 'FAILED',
  channel: 'PUSH',
  trackingId: 'trk_1',
  notificationId: 'ntf_1',
  userId: 'usr_1',
  occurredAt: '2025-05-01T10:00:00.000Z',
  ...overrides,
});

async function subscribe(overrides: Partial<Subscription> = {}): Promise<Subscription> {
  const now = new Date().toISOString();
  const subscription: Subscription = {
    id: `wh_${Math.random().toString(36).slice(2)}`,
    tenantId: TENANT,
    url: 'https://hooks.example.com/in',
    events: ['PUSH_FAILED', 'EMAIL_OPEN'],
    status: 'active',
    secret: SECRET,
    retiredSecrets: [],
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
  await createSubscription(subscription);
  return subscription;
}

/** Which queue each accepted entry lands in: the queue whose rule matches its detail-type. */
const queueOf = (detailType: string) =>
  (['OPEN', 'CLICK', 'FAILED'] as const).find(
    (status) => rulePattern(status)['detail-type'][0] === detailType,
  );

describe('inbound endpoint (generic provider)', () => {
  let emulators: Awaited<ReturnType<typeof useEmulators>>;
  let bus: TestEventBus;
  let integrationId: string;

  beforeAll(async () => {
    emulators = await useEmulators();
    bus = await startEventBus();
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = bus.endpoint;
    process.env.EVENT_BUS_NAME = 'relay-bus';
    process.env.DELIVERY_QUEUE_URLS = JSON.stringify({ OPEN: 'q', CLICK: 'q', FAILED: 'q' });
    resetClients();
    const created = await call('POST', '/v1/integrations', {
      tenantId: TENANT,
      body: { provider: 'generic', name: 'platform', credentials: { secret: SECRET } },
    });
    expect(created.status).toBe(201);
    integrationId = created.body.id;
  });
  afterAll(async () => {
    delete process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
    await bus.stop();
    await emulators.stop();
  });
  beforeEach(() => {
    bus.accepted.length = 0;
    bus.failWhen(undefined);
    bus.failNext(0);
  });

  const post = (raw: string, headers: Record<string, string>) =>
    handleInbound(inboundEvent(integrationId, raw, { headers }), { retryDelayMs: 0 });
  const details = () => bus.accepted.map((entry) => JSON.parse(entry.Detail) as DeliveryRequest);

  it('publishes one event naming every matching subscription, and answers one result per event', async () => {
    const a = await subscribe();
    const b = await subscribe();
    await subscribe({ events: ['EMAIL_CLICK'] });
    const event = platformEvent();
    const { raw, headers } = signed(event);

    const response = await post(raw, headers);

    expect(response.statusCode).toBe(200);
    // A generic event is what it says it is: its status and id.
    const eventId = derivedId('evt', integrationId, `${event.status}:${event.id}`);
    expect(JSON.parse(response.body as string)).toEqual([
      {
        id: eventId,
        event: { status: 'FAILED', date: event.occurredAt, externalId: null, attempts: 1, response: null },
      },
    ]);
    expect(
      bus.accepted.map((entry) => [entry.EventBusName, entry.Source, queueOf(entry.DetailType)]),
    ).toEqual([['relay-bus', 'event-relay.inbound', 'FAILED']]);
    const [published] = details();
    expect(published).toEqual({
      // Anchored on the event's first arrival, not on the time its sender put in it.
      deliveryId: expect.stringMatching(/^msg_/),
      tenantId: TENANT,
      subscriptionIds: expect.arrayContaining([a.id, b.id]),
      eventType: 'PUSH_FAILED',
      payload: {
        eventType: 'PUSH_FAILED',
        trackingId: 'trk_1',
        notificationId: 'ntf_1',
        channel: 'PUSH',
        userId: 'usr_1',
        id: eventId,
        occurredAt: event.occurredAt,
        provider: 'generic',
      },
    });
    expect(published!.subscriptionIds).toHaveLength(2);
    expect(published!.deliveryId).not.toBe(deliveryIdOf(TENANT, eventId, event.occurredAt));
  });

  it('keys dedupe on what identifies a generic event: the same id with another occurredAt is the same delivery', async () => {
    await subscribe({ events: ['PUSH_FAILED'] });
    const event = platformEvent();
    const first = signed(event);
    expect((await post(first.raw, first.headers)).statusCode).toBe(200);
    const resent = signed({ ...event, occurredAt: '2025-05-01T10:00:07.000Z' });
    expect((await post(resent.raw, resent.headers)).statusCode).toBe(200);
    // Without occurredAt at all, too.
    const { occurredAt: _dropped, ...untimed } = event;
    const bare = signed(untimed);
    expect((await post(bare.raw, bare.headers)).statusCode).toBe(200);

    expect(new Set(details().map((d) => d.deliveryId)).size).toBe(1);
    // Another status with the same id is another event.
    const opened = signed({ ...event, status: 'OPEN', channel: 'EMAIL' });
    await subscribe({ events: ['EMAIL_OPEN'] });
    expect((await post(opened.raw, opened.headers)).statusCode).toBe(200);
    expect(new Set(details().map((d) => d.deliveryId)).size).toBe(2);
  });

  it('publishes the same delivery again when the provider retries the same event', async () => {
    await subscribe({ events: ['WEB_PUSH_FAILED'] });
    const event = platformEvent({ channel: 'WEB_PUSH' });
    const first = signed(event);
    expect((await post(first.raw, first.headers)).statusCode).toBe(200);
    const retry = signed(event);
    const response = await post(retry.raw, retry.headers);

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body as string)[0].event.status).toBe('FAILED');
    // Same ids, same bytes: the delivery function posts it only to subscriptions that did not get it.
    expect(bus.accepted).toHaveLength(2);
    expect(bus.accepted[1]!.Detail).toBe(bus.accepted[0]!.Detail);
  });

  it('honours the product filter and costs nothing without subscribers', async () => {
    const crm = await subscribe({ events: ['INAPP_WEB_FAILED'], products: ['CRM'] });
    const automation = await subscribe({ events: ['INAPP_WEB_FAILED'], products: ['AUTOMATION'] });
    const { raw, headers } = signed([
      platformEvent({ channel: 'INAPP_WEB', product: 'CRM' }),
      platformEvent({ channel: 'SMS', status: 'OPEN' }), // SMS_OPEN is not an event type
      platformEvent({ channel: 'EMAIL', status: 'FAILED' }), // nobody subscribes to EMAIL_FAILED
    ]);
    const response = await post(raw, headers);
    expect(response.statusCode).toBe(200);
    expect(
      JSON.parse(response.body as string).map((r: { event: { status: string } }) => r.event.status),
    ).toEqual(['FAILED', 'OPEN', 'FAILED']);
    const ids = details().flatMap((d) => d.subscriptionIds);
    expect(ids).toContain(crm.id);
    expect(ids).not.toContain(automation.id);
    expect(details().every((d) => d.eventType === 'INAPP_WEB_FAILED')).toBe(true);
  });

  it('answers 401 for a bad signature and publishes nothing', async () => {
    await subscribe();
    const { raw, headers } = signed(platformEvent());
    const tampered = raw.replace('trk_1', 'trk_2');
    const response = await post(tampered, headers);
    expect(response.statusCode).toBe(401);
    expect(JSON.parse(response.body as string).error.code).toBe('unauthorized');
    expect(bus.accepted).toHaveLength(0);
  });

  it('answers HEAD (Mandrill’s URL check) with 200 for a known integration and 404 otherwise', async () => {
    const head = (id: string) => {
      const event = inboundEvent(id, '');
      event.routeKey = 'HEAD /v1/inbound/{integrationId}';
      event.requestContext.http.method = 'HEAD';
      return handleInbound(event);
    };
    expect(await head(integrationId)).toMatchObject({ statusCode: 200, body: '' });
    expect((await head('int_unknown')).statusCode).toBe(404);
    expect(bus.accepted).toHaveLength(0);
  });

  it('answers 404, 413 and 400 for unknown integrations, oversized and unparseable bodies', async () => {
    const { raw, headers } = signed(platformEvent());
    const unknown = await handleInbound(inboundEvent('int_unknown', raw, { headers }));
    expect(unknown.statusCode).toBe(404);

    const big = await post('x'.repeat(1024 * 1024 + 1), headers);
    expect(big.statusCode).toBe(413);

    const garbage = signed('not an event');
    expect((await post(garbage.raw, garbage.headers)).statusCode).toBe(400);
    const invalid = signed({ id: 'x', status: 'DELIVERED' });
    const answer = await post(invalid.raw, invalid.headers);
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body as string).error.message).toMatch(/status/);
  });

  it('retries entries PutEvents fails, in batches of at most 10', async () => {
    await subscribe({ events: ['CALL_FAILED'] });
    bus.failNext(3);
    const callsBefore = bus.calls;
    const { raw, headers } = signed(Array.from({ length: 12 }, () => platformEvent({ channel: 'CALL' })));
    const response = await post(raw, headers);
    expect(response.statusCode).toBe(200);
    expect(details().filter((d) => d.eventType === 'CALL_FAILED')).toHaveLength(12);
    expect(new Set(details().map((d) => d.deliveryId)).size).toBe(12);
    expect(bus.calls - callsBefore).toBe(3); // 10 + 2, then one retry of the 3 failed
  });

  it('answers 503 when publishing keeps failing, and the provider retry publishes every event', async () => {
    await subscribe({ events: ['SMS_FAILED'] });
    const events = [
      platformEvent({ channel: 'SMS' }),
      platformEvent({ channel: 'SMS', trackingId: 'trk_2' }),
    ];
    bus.failWhen((entry) => (JSON.parse(entry.Detail) as DeliveryRequest).payload.trackingId === 'trk_2');
    const first = signed(events);
    const failed = await post(first.raw, first.headers);
    expect(failed.statusCode).toBe(503);
    expect(details().map((d) => d.payload.trackingId)).toEqual(['trk_1']);

    bus.failWhen(undefined);
    const retry = signed(events);
    expect((await post(retry.raw, retry.headers)).statusCode).toBe(200);
    expect(
      details()
        .map((d) => d.payload.trackingId)
        .sort(),
    ).toEqual(['trk_1', 'trk_1', 'trk_2']);
  });
});
