/**
 * The API's operational events (a tenant disabling and re-enabling a subscription, from the API or
 * the portal) on a test EventBridge endpoint, and the activity feed that records them.
 */
import { resetClients } from '../../lambdas/shared/aws';
import { startEventBus, type TestEventBus } from '../inbound/support/event-bus';
import { useEmulators } from '../support/emulators';
import { call, useDeliveryQueues, validWebhook } from './support';

let emulators: Awaited<ReturnType<typeof useEmulators>>;
let bus: TestEventBus;

beforeAll(async () => {
  emulators = await useEmulators();
  await useDeliveryQueues();
  bus = await startEventBus();
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = bus.endpoint;
  process.env.EVENT_BUS_NAME = 'test-bus';
  resetClients();
});
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
  delete process.env.EVENT_BUS_NAME;
  await bus.stop();
  await emulators.stop();
});
beforeEach(() => {
  bus.accepted.length = 0;
});

const TENANT = 'tn_activity';
const operational = () =>
  bus.accepted.map((entry) => ({
    source: entry.Source,
    detailType: entry.DetailType,
    detail: JSON.parse(entry.Detail) as Record<string, unknown>,
  }));

describe('a tenant’s status changes', () => {
  it('are operational events saying who made them, and entries of the webhook’s activity feed', async () => {
    const id = (await call('POST', '/v1/webhooks', { tenantId: TENANT, body: validWebhook() })).body.id;
    const disabled = await call('PUT', `/v1/webhooks/${id}`, {
      tenantId: TENANT,
      session: 'manage',
      body: { status: 'disabled' },
    });
    expect(disabled.status).toBe(200);
    // Setting the status it already has changes nothing, and says nothing.
    const again = await call('PUT', `/v1/webhooks/${id}`, { tenantId: TENANT, body: { status: 'disabled' } });
    expect(again.body.disabledAt).toBe(disabled.body.disabledAt);
    const enabled = await call('PUT', `/v1/webhooks/${id}`, { tenantId: TENANT, body: { status: 'active' } });
    await call('PUT', `/v1/webhooks/${id}`, { tenantId: TENANT, body: { description: 'renamed' } });

    expect(operational()).toEqual([
      {
        source: 'event-relay.operations',
        detailType: 'Subscription Disabled',
        detail: {
          tenantId: TENANT,
          subscriptionId: id,
          reason: 'disabled through the API',
          disabledAt: disabled.body.disabledAt,
          by: 'portal',
        },
      },
      {
        source: 'event-relay.operations',
        detailType: 'Subscription Re-enabled',
        detail: {
          tenantId: TENANT,
          subscriptionId: id,
          enabledAt: enabled.body.updatedAt,
          by: 'api',
          parked: 0,
          catchUp: false,
        },
      },
    ]);

    // A read-only portal session may read the feed.
    const feed = await call('GET', `/v1/webhooks/${id}/activity`, { tenantId: TENANT, session: 'read' });
    expect(feed.status).toBe(200);
    expect(feed.body).toEqual({
      items: [
        {
          activityId: expect.stringMatching(/^act_[0-9A-Z]{26}$/),
          type: 'Subscription Re-enabled',
          at: enabled.body.updatedAt,
          webhookId: id,
          enabledAt: enabled.body.updatedAt,
          by: 'api',
          parked: 0,
          catchUp: false,
        },
        {
          activityId: expect.stringMatching(/^act_[0-9A-Z]{26}$/),
          type: 'Subscription Disabled',
          at: disabled.body.disabledAt,
          webhookId: id,
          disabledAt: disabled.body.disabledAt,
          reason: 'disabled through the API',
          by: 'portal',
        },
      ],
    });
  });

  it('refuses a page size out of range and a forged cursor (400)', async () => {
    const id = (await call('POST', '/v1/webhooks', { tenantId: TENANT, body: validWebhook() })).body.id;
    const tooMany = await call('GET', `/v1/webhooks/${id}/activity`, {
      tenantId: TENANT,
      query: { limit: '500' },
    });
    expect(tooMany.status).toBe(400);
    const forged = Buffer.from(JSON.stringify({ pk: 'ACTIVITY#tn_other#wh_x' })).toString('base64url');
    const answer = await call('GET', `/v1/webhooks/${id}/activity`, {
      tenantId: TENANT,
      query: { cursor: forged },
    });
    expect(answer.status).toBe(400);
  });
});
