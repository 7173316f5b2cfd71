/**
 * Tenants and their API keys. Items live in the Tenants table:
 *
 * - a tenant: `pk = TENANT#<tenantId>`, `sk = TENANT`, with `tenantId`, `name`, `createdAt`;
 * - an API key: `pk = APIKEY#<sha256 hex of the key>`, `sk = APIKEY`, with `tenantId`, `keyId`,
 *   `prefix` (the key's first characters, to recognise it in listings), `createdAt`, `revokedAt?`.
 *
 * Only the SHA-256 of a key is stored: a key is shown once, when it is created, and can never be read
 * back. The `byTenant` index (tenantId, createdAt) lists a tenant's keys.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from './aws';
import { NotFoundError } from './errors';
import { newId } from './ids';

export const API_KEY_PREFIX = 'er_live_';
/** How many leading characters of a key are kept in clear, e.g. `er_live_Ab3x`. */
export const API_KEY_VISIBLE_CHARS = 12;

export interface Tenant {
  tenantId: string;
  name: string;
  createdAt: string;
}

/** What a listing shows of a key: never the key or its hash. */
export interface ApiKeyInfo {
  keyId: string;
  tenantId: string;
  prefix: string;
  createdAt: string;
  revokedAt?: string;
}

const tableName = () => process.env.TENANTS_TABLE!;
const tenantKey = (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'TENANT' });
const apiKeyKey = (apiKey: string) => ({ pk: `APIKEY#${hashApiKey(apiKey)}`, sk: 'APIKEY' });

export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/** A new random key: `er_live_` + 32 URL-safe characters (192 bits). */
export function generateApiKey(): string {
  return API_KEY_PREFIX + randomBytes(24).toString('base64url');
}

function toApiKeyInfo(item: Record<string, unknown>): ApiKeyInfo {
  const info: ApiKeyInfo = {
    keyId: item.keyId as string,
    tenantId: item.tenantId as string,
    prefix: item.prefix as string,
    createdAt: item.createdAt as string,
  };
  if (typeof item.revokedAt === 'string') info.revokedAt = item.revokedAt;
  return info;
}

function toTenant(item: Record<string, unknown>): Tenant {
  return {
    tenantId: item.tenantId as string,
    name: item.name as string,
    createdAt: item.createdAt as string,
  };
}

async function putTenant(name: string): Promise<Tenant> {
  const tenant: Tenant = { tenantId: newId('tn'), name, createdAt: new Date().toISOString() };
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...tenantKey(tenant.tenantId), ...tenant },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return tenant;
}

async function putApiKey(tenantId: string, apiKey: string): Promise<ApiKeyInfo> {
  const info: ApiKeyInfo = {
    keyId: newId('key'),
    tenantId,
    prefix: apiKey.slice(0, API_KEY_VISIBLE_CHARS),
    createdAt: new Date().toISOString(),
  };
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...apiKeyKey(apiKey), ...info },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return info;
}

/** Creates a tenant and its first API key. The key is returned here and nowhere else. */
export async function createTenant(name: string): Promise<{ tenant: Tenant; apiKey: string; keyId: string }> {
  const tenant = await putTenant(name);
  const { apiKey, keyId } = await createApiKey(tenant.tenantId);
  return { tenant, apiKey, keyId };
}

export async function getTenant(tenantId: string): Promise<Tenant | undefined> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: tenantKey(tenantId) }));
  return Item ? toTenant(Item) : undefined;
}

/** Adds a key to an existing tenant (NotFoundError when there is no such tenant). The key is shown only here. */
export async function createApiKey(tenantId: string): Promise<{ apiKey: string; keyId: string }> {
  if (!(await getTenant(tenantId))) throw new NotFoundError(`No tenant ${tenantId}.`);
  const apiKey = generateApiKey();
  const { keyId } = await putApiKey(tenantId, apiKey);
  return { apiKey, keyId };
}

/** The tenant's keys, oldest first, without the keys themselves. */
export async function listApiKeys(tenantId: string): Promise<ApiKeyInfo[]> {
  const keys: ApiKeyInfo[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: 'byTenant',
        KeyConditionExpression: 'tenantId = :tenantId',
        FilterExpression: 'sk = :apikey',
        ExpressionAttributeValues: { ':tenantId': tenantId, ':apikey': 'APIKEY' },
        ExclusiveStartKey: startKey,
      }),
    );
    keys.push(...(result.Items ?? []).map(toApiKeyInfo));
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return keys;
}

/**
 * Revokes one of the tenant's keys (it stops working at once, up to the authorizer's cache time).
 * Returns the key as it is now, or undefined when the tenant has no such key.
 */
export async function revokeApiKey(tenantId: string, keyId: string): Promise<ApiKeyInfo | undefined> {
  const result = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'byTenant',
      KeyConditionExpression: 'tenantId = :tenantId',
      FilterExpression: 'sk = :apikey AND keyId = :keyId',
      ExpressionAttributeValues: { ':tenantId': tenantId, ':apikey': 'APIKEY', ':keyId': keyId },
    }),
  );
  const item = result.Items?.[0];
  if (!item) return undefined;
  if (typeof item.revokedAt === 'string') return toApiKeyInfo(item);
  try {
    const { Attributes } = await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: { pk: item.pk, sk: item.sk },
        UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now)',
        ConditionExpression: 'tenantId = :tenantId',
        ExpressionAttributeValues: { ':now': new Date().toISOString(), ':tenantId': tenantId },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes ? toApiKeyInfo(Attributes) : undefined;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/**
 * The owner of an API key, or undefined for an unknown or revoked key. The lookup is by the key's
 * SHA-256, so it takes the same path whatever the key's bytes are; the key itself is never stored.
 */
export async function findTenantByApiKey(
  apiKey: string,
): Promise<{ tenantId: string; keyId: string } | undefined> {
  if (!apiKey) return undefined;
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: apiKeyKey(apiKey) }));
  if (!Item || Item.revokedAt !== undefined) return undefined;
  return { tenantId: Item.tenantId as string, keyId: Item.keyId as string };
}

/** Every tenant (an operator listing: a full scan of the table's tenant items). */
export async function listTenants(): Promise<Tenant[]> {
  const tenants: Tenant[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await dynamo().send(
      new ScanCommand({
        TableName: tableName(),
        FilterExpression: 'sk = :tenant',
        ExpressionAttributeValues: { ':tenant': 'TENANT' },
        ExclusiveStartKey: startKey,
      }),
    );
    tenants.push(...(result.Items ?? []).map(toTenant));
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return tenants.sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.tenantId.localeCompare(b.tenantId),
  );
}

/**
 * Makes `apiKey` a working key of a tenant called `name` (the local mode's `$LOCAL_API_KEY`).
 * Idempotent: when the key already belongs to a tenant, that tenant is returned unchanged.
 */
export async function seedTenantWithKey(name: string, apiKey: string): Promise<Tenant> {
  const existing = await dynamo().send(new GetCommand({ TableName: tableName(), Key: apiKeyKey(apiKey) }));
  if (existing.Item) {
    const tenant = await getTenant(existing.Item.tenantId as string);
    if (tenant) return tenant;
  }
  const tenant = await putTenant(name);
  try {
    await putApiKey(tenant.tenantId, apiKey);
  } catch (error) {
    // Another seeder won the race for this key: use its tenant.
    if (error instanceof ConditionalCheckFailedException) return seedTenantWithKey(name, apiKey);
    throw error;
  }
  return tenant;
}
