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
      context: { tenantId: tenant.tenantId, refusal: '' },
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
      context: { tenantId: '', refusal },
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
      context: { tenantId: first.tenantId, refusal: '' },
    });
    expect((await listTenants()).filter((t) => t.name === 'local')).toHaveLength(1);
  });
});
