import { useEmulators } from '../support/emulators';
import { handler as authorizer } from '../../lambdas/authorizer/handler';
import { createTenant } from '../../lambdas/shared/tenants';
import { call, useDeliveryQueues, validWebhook } from './support';

/** The code in a portal link (`.../portal/session#code=...`). */
const codeOf = (url: string) => new URL(url).hash.replace(/^#code=/, '');

describe('tenant portal sessions and what they may do', () => {
  let emulators: Awaited<ReturnType<typeof useEmulators>>;
  beforeAll(async () => {
    emulators = await useEmulators();
    await useDeliveryQueues();
    process.env.PUBLIC_URL = 'https://relay.example.com';
  });
  afterAll(async () => {
    delete process.env.PUBLIC_URL;
    await emulators.stop();
  });

  it('mints a link whose code, exchanged once, yields a session the authorizer accepts', async () => {
    const { tenant } = await createTenant('Portal Co');
    const minted = await call('POST', '/v1/portal/sessions', {
      tenantId: tenant.tenantId,
      body: { capabilities: ['read'], expiresInSeconds: 3600, returnUrl: 'https://app.example.com/settings' },
    });
    expect(minted.status).toBe(201);
    expect(minted.body.url).toMatch(/^https:\/\/relay\.example\.com\/portal\/session#code=erc_[\w-]{43}$/);
    expect(Date.parse(minted.body.expiresAt) - Date.now()).toBeLessThanOrEqual(600_000);

    const exchanged = await call('POST', '/v1/portal/sessions/exchange', {
      tenantId: null,
      body: { code: codeOf(minted.body.url) },
    });
    expect(exchanged.status).toBe(200);
    expect(exchanged.body).toEqual({
      token: expect.stringMatching(/^ers_/),
      tenantId: tenant.tenantId,
      capabilities: ['read'],
      expiresAt: expect.any(String),
      returnUrl: 'https://app.example.com/settings',
    });
    const lifetime = Date.parse(exchanged.body.expiresAt) - Date.now();
    expect(lifetime).toBeGreaterThan(3_500_000);
    expect(lifetime).toBeLessThanOrEqual(3_600_000);
    const decision = await authorizer({
      headers: { authorization: `Bearer ${exchanged.body.token}` },
      routeKey: 'GET /v1/webhooks',
    } as never);
    expect(decision).toMatchObject({ context: { tenantId: tenant.tenantId, principal: 'session' } });

    const again = await call('POST', '/v1/portal/sessions/exchange', {
      tenantId: null,
      body: { code: codeOf(minted.body.url) },
    });
    expect(again.status).toBe(410);
    expect(again.body.error).toEqual({
      code: 'link_expired',
      message: expect.stringContaining('expired'),
      details: { returnUrl: 'https://app.example.com/settings' },
    });
  });

  it('refuses bad session requests with the field named', async () => {
    const tooLong = await call('POST', '/v1/portal/sessions', { body: { expiresInSeconds: 90_000 } });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.details.problems[0].field).toBe('expiresInSeconds');
    const badUrl = await call('POST', '/v1/portal/sessions', { body: { returnUrl: 'javascript:alert(1)' } });
    expect(badUrl.body.error.details.problems[0]).toEqual({
      field: 'returnUrl',
      message: 'must be an http(s) URL',
    });
    const badCapability = await call('POST', '/v1/portal/sessions', { body: { capabilities: ['admin'] } });
    expect(badCapability.status).toBe(400);
  });

  it('never lets a session mint sessions, and lets only sessions log out', async () => {
    const fromSession = await call('POST', '/v1/portal/sessions', { session: 'manage', body: {} });
    expect(fromSession.status).toBe(403);
    expect(fromSession.body.error.code).toBe('api_key_required');
    const logoutWithKey = await call('DELETE', '/v1/portal/session');
    expect(logoutWithKey.status).toBe(403);
  });

  it('lets a read-only session look but not change anything', async () => {
    const created = await call('POST', '/v1/webhooks', { body: validWebhook() });
    const id = created.body.id as string;
    expect((await call('GET', '/v1/webhooks', { session: 'read' })).status).toBe(200);
    expect((await call('GET', `/v1/webhooks/${id}/logs`, { session: 'read' })).status).toBe(200);
    for (const [method, path, body] of [
      ['POST', '/v1/webhooks', validWebhook()],
      ['PUT', `/v1/webhooks/${id}`, { description: 'x' }],
      ['DELETE', `/v1/webhooks/${id}`, undefined],
      ['POST', `/v1/webhooks/${id}/secret/rotate`, {}],
      ['POST', `/v1/webhooks/${id}/test`, {}],
      ['GET', `/v1/webhooks/${id}/secret`, undefined],
    ] as const) {
      const answer = await call(method, path, { session: 'read', ...(body && { body }) });
      expect([method, path, answer.status, answer.body.error?.code]).toEqual([
        method,
        path,
        403,
        'read_only_session',
      ]);
    }
    expect((await call('GET', `/v1/webhooks/${id}`)).body.description).toBeUndefined();
    const manage = await call('PUT', `/v1/webhooks/${id}`, { session: 'manage', body: { description: 'x' } });
    expect(manage.status).toBe(200);
  });

  it('reveals the secret to a managing caller, with rotated-out secrets still signing', async () => {
    const created = await call('POST', '/v1/webhooks', { body: validWebhook() });
    const id = created.body.id as string;
    const rotated = await call('POST', `/v1/webhooks/${id}/secret/rotate`, {
      body: { gracePeriodSeconds: 60 },
    });
    const revealed = await call('GET', `/v1/webhooks/${id}/secret`, { session: 'manage' });
    expect(revealed.status).toBe(200);
    expect(revealed.headers['cache-control']).toBe('no-store');
    expect(revealed.body).toEqual({
      secret: rotated.body.secret,
      previousSecrets: [{ secret: created.body.secret, expiresAt: rotated.body.previousSecretExpiresAt }],
    });
    const other = await call('GET', `/v1/webhooks/${id}/secret`, { tenantId: 'tn_other' });
    expect(other.status).toBe(404);
  });
});
