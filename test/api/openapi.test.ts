import packageJson from '../../package.json';
import { router } from '../../lambdas/api/handler';
import { EVENT_TYPES } from '../../lambdas/shared/catalog';
import { WebhookPayloadSchema } from '../../lambdas/shared/events';
import { ROUTES, routeKey } from '../../lambdas/shared/routes';
import { useEmulators } from '../support/emulators';
import { call, useDeliveryQueues } from './support';

describe('OpenAPI document and event types', () => {
  let emulators: Awaited<ReturnType<typeof useEmulators>>;
  beforeAll(async () => {
    emulators = await useEmulators();
    await useDeliveryQueues();
  });
  afterAll(() => emulators.stop());
  afterEach(() => {
    delete process.env.PUBLIC_URL;
  });

  const apiRouteKeys = ROUTES.filter((route) => route.function === 'api')
    .map(routeKey)
    .sort();

  it('the router handles exactly the api routes of ROUTES', () => {
    const handled = router.routes.map(routeKey).sort();
    // integrations routes are served once lambdas/api/integrations.ts is wired in
    const integrations = apiRouteKeys.filter((key) => key.includes('/v1/integrations'));
    const handledIntegrations = handled.filter((key) => key.includes('/v1/integrations'));
    expect(handled).toEqual(
      handledIntegrations.length ? apiRouteKeys : apiRouteKeys.filter((key) => !integrations.includes(key)),
    );
  });

  it('serves an OpenAPI 3.1 document without auth that lists every route the router handles', async () => {
    const answer = await call('GET', '/v1/openapi.json', { tenantId: null });
    expect(answer.status).toBe(200);
    const document = answer.body;
    expect(document.openapi).toBe('3.1.0');
    expect(document.info.version).toBe(packageJson.version);
    expect(document.servers).toEqual([{ url: 'https://api.example.test' }]);
    const documented = Object.entries(document.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    expect(documented).toEqual(router.routes.map(routeKey).sort());
    expect(document.paths['/v1/openapi.json'].get.security).toEqual([]);
    expect(document.paths['/v1/webhooks'].post.security).toBeUndefined();
    expect(document.security).toEqual([{ apiKey: [] }]);
  });

  it('documents request bodies, parameters and responses from the zod schemas', async () => {
    process.env.PUBLIC_URL = 'https://relay.example.com';
    const document = (await call('GET', '/v1/openapi.json', { tenantId: null })).body;
    expect(document.servers).toEqual([{ url: 'https://relay.example.com' }]);
    const create = document.paths['/v1/webhooks'].post;
    expect(create.requestBody.required).toBe(true);
    expect(create.requestBody.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/CreateWebhook',
    });
    const schema = document.components.schemas.CreateWebhook;
    expect(schema.required).toEqual(['url', 'events']);
    expect(schema.properties.events.items.enum).toEqual([...EVENT_TYPES]);
    expect(create.parameters).toContainEqual(
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header' }),
    );
    expect(Object.keys(create.responses).sort()).toEqual(['201', '400', '401']);
    const logs = document.paths['/v1/webhooks/{id}/logs'].get;
    expect(logs.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual([
      'path:id',
      'query:limit',
      'query:cursor',
      'query:status',
      'query:eventType',
      'query:since',
      'query:until',
    ]);
    expect(document.paths['/v1/webhooks/{id}/secret/rotate'].post.requestBody.required).toBe(false);
    expect(document.components.schemas.Error).toBeDefined();
    expect(JSON.stringify(document)).not.toContain('$defs');
  });

  it('lists every event type with a description and a valid sample payload', async () => {
    const answer = await call('GET', '/v1/event-types');
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((item: { type: string }) => item.type)).toEqual([...EVENT_TYPES]);
    for (const item of answer.body.items) {
      expect(item.description).toEqual(expect.any(String));
      expect(WebhookPayloadSchema.parse(item.samplePayload)).toEqual(item.samplePayload);
    }
    const open = answer.body.items[0].samplePayload;
    expect(open).toMatchObject({
      eventType: 'OPEN',
      channel: 'EMAIL',
      trackingId: expect.any(String),
      userId: expect.any(String),
    });
    const sms = answer.body.items.find((item: { type: string }) => item.type === 'SMS_FAILED').samplePayload;
    expect(sms).toMatchObject({ eventType: 'SMS_FAILED', channel: 'SMS', reason: expect.any(String) });
  });

  it('refuses /v1/event-types without a tenant', async () => {
    expect((await call('GET', '/v1/event-types', { tenantId: null })).status).toBe(401);
  });
});
