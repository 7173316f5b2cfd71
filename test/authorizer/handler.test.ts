import type { APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';
import { handler } from '../../lambdas/authorizer/handler';
import {
  createApiKey,
  createTenant,
  findTenantByApiKey,
  hashApiKey,
  listApiKeys,
  listTenants,
  revokeApiKey,
  seedTenantWithKey,
} from '../../lambdas/shared/tenants';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../lambdas/shared/aws';
import { useEmulators } from '../support/emulators';
import {
  CODE_LIFETIME_SECONDS,
  createSignInCode,
  exchangeSignInCode,
  revokeSession,
} from '../../lambdas/shared/portal-sessions';

function authorizerEvent(authorization?: string): APIGatewayRequestAuthorizerEventV2 {
  return {
    version: '2.0',
    type: 'REQUEST',
    routeArn: 'arn:aws:execute-api:us-east-1:123456789012:api/$default/GET/v1/webhooks',
    identitySource: authorization ? [authorization] : [],
    routeKey: 'GET /v1/webhooks',
    rawPath: '/v1/webhooks',
    rawQueryString: '',
    cookies: [],
    headers: authorization ? { authorization } : {},
    requestContext: {} as APIGatewayRequestAuthorizerEventV2['requestContext'],
  };
}

describe('tenant authorizer and API keys', () => {
  let emulators: Awaited<ReturnType<typeof useEmulators>>;
  beforeAll(async () => {
    emulators = await useEmulators();
  });
  afterAll(() => emulators.stop());

  it('authorizes a tenant key and passes the tenant id', async () => {
    const { tenant, apiKey } = await createTenant('Acme');
    expect(apiKey).toMatch(/^er_live_[A-Za-z0-9_-]{32}$/);
    expect(await handler(authorizerEvent(`Bearer ${apiKey}`))).toEqual({
      isAuthorized: true,
      context: { tenantId: tenant.tenantId, refusal: '', principal: 'apiKey', capabilities: 'manage' },
    });
    expect(await handler(authorizerEvent(`bearer ${apiKey}`))).toMatchObject({ isAuthorized: true });
  });

  // Refusals pass on an empty tenant and a reason: the API answers 401 with it, not API Gateway's 403.
  it.each([
    ['no header', undefined, 'Authorization must be `Bearer <api key>`.'],
    ['another scheme', 'Basic dXNlcjpwYXNz', 'Authorization must be `Bearer <api key>`.'],
    ['an unknown key', 'Bearer er_live_unknownunknownunknownunknown1', 'Unknown or revoked API key.'],
    ['an empty bearer', 'Bearer ', 'Authorization must be `Bearer <api key>`.'],
  ])('refuses %s', async (_label, authorization, refusal) => {
    expect(await handler(authorizerEvent(authorization))).toEqual({
      isAuthorized: true,
      context: { tenantId: '', refusal, principal: '', capabilities: '' },
    });
  });

  it('refuses a revoked key while the tenant’s other keys keep working', async () => {
    const { tenant, apiKey, keyId } = await createTenant('Revoker');
    const second = await createApiKey(tenant.tenantId);
    const revoked = await revokeApiKey(tenant.tenantId, keyId);
    expect(revoked?.revokedAt).toEqual(expect.any(String));
    expect(await handler(authorizerEvent(`Bearer ${apiKey}`))).toMatchObject({ context: { tenantId: '' } });
    expect(await handler(authorizerEvent(`Bearer ${second.apiKey}`))).toMatchObject({ isAuthorized: true });
    expect(await revokeApiKey('tn_someone_else', second.keyId)).toBeUndefined();
    expect(await findTenantByApiKey(second.apiKey)).toEqual({
      tenantId: tenant.tenantId,
      keyId: second.keyId,
    });
  });

  it('stores only hashes of keys and lists keys without them', async () => {
    const { tenant, apiKey, keyId } = await createTenant('Hashed');
    const { Items } = await dynamo().send(new ScanCommand({ TableName: process.env.TENANTS_TABLE! }));
    expect(JSON.stringify(Items)).not.toContain(apiKey);
    expect(Items).toContainEqual(
      expect.objectContaining({ pk: `APIKEY#${hashApiKey(apiKey)}`, sk: 'APIKEY', keyId }),
    );
    const keys = await listApiKeys(tenant.tenantId);
    expect(keys).toEqual([
      { keyId, tenantId: tenant.tenantId, prefix: apiKey.slice(0, 12), createdAt: expect.any(String) },
    ]);
    expect(JSON.stringify(keys)).not.toContain(apiKey);
  });

  it('refuses a key for an unknown tenant', async () => {
    await expect(createApiKey('tn_missing')).rejects.toThrow('No tenant tn_missing');
  });

  it('seeds a tenant with a given key, once', async () => {
    const first = await seedTenantWithKey('local', 'local-dev-key-123');
    const again = await seedTenantWithKey('local', 'local-dev-key-123');
    expect(again.tenantId).toBe(first.tenantId);
    expect(await handler(authorizerEvent('Bearer local-dev-key-123'))).toEqual({
      isAuthorized: true,
      context: { tenantId: first.tenantId, refusal: '', principal: 'apiKey', capabilities: 'manage' },
    });
    expect((await listTenants()).filter((t) => t.name === 'local')).toHaveLength(1);
  });

  describe('portal sessions', () => {
    async function sessionFor(capabilities: 'manage' | 'read', now = Date.now()) {
      const { tenant } = await createTenant('Portal');
      const { code } = await createSignInCode(
        {
          tenantId: tenant.tenantId,
          capabilities,
          sessionSeconds: 600,
          returnUrl: 'https://app.example/back',
        },
        now,
      );
      const exchanged = await exchangeSignInCode(code, now);
      if (!exchanged.ok) throw new Error('exchange failed');
      return { tenant, code, token: exchanged.token };
    }

    it('authorizes a session token with its tenant and capabilities', async () => {
      const { tenant, token } = await sessionFor('read');
      expect(token).toMatch(/^ers_[A-Za-z0-9_-]{43}$/);
      expect(await handler(authorizerEvent(`Bearer ${token}`))).toEqual({
        isAuthorized: true,
        context: { tenantId: tenant.tenantId, refusal: '', principal: 'session', capabilities: 'read' },
      });
    });

    it('exchanges a code once only, and names the return URL when refusing it', async () => {
      const { code } = await sessionFor('manage');
      expect(await exchangeSignInCode(code)).toEqual({ ok: false, returnUrl: 'https://app.example/back' });
      expect(await exchangeSignInCode('erc_never-minted')).toEqual({ ok: false });
    });

    it('refuses a code used after its ten minutes', async () => {
      const { tenant } = await createTenant('Late');
      const minted = Date.now();
      const { code } = await createSignInCode(
        { tenantId: tenant.tenantId, capabilities: 'manage', sessionSeconds: 600 },
        minted,
      );
      expect(await exchangeSignInCode(code, minted + CODE_LIFETIME_SECONDS * 1000 + 1)).toEqual({
        ok: false,
      });
    });

    it('refuses a session after logout and after it expires', async () => {
      const { token } = await sessionFor('manage');
      await revokeSession(token);
      expect(await handler(authorizerEvent(`Bearer ${token}`))).toMatchObject({
        context: { tenantId: '', refusal: expect.stringContaining('portal session') },
      });
      const old = await sessionFor('manage', Date.now() - 601_000);
      expect(await handler(authorizerEvent(`Bearer ${old.token}`))).toMatchObject({
        context: { tenantId: '' },
      });
    });

    it('stores neither the code nor the token', async () => {
      const { code, token } = await sessionFor('manage');
      const { Items } = await dynamo().send(
        new ScanCommand({ TableName: process.env.PORTAL_SESSIONS_TABLE }),
      );
      const stored = JSON.stringify(Items);
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(token);
      expect(Items?.length).toBeGreaterThan(0);
    });
  });
});
