/**
 * Provider integrations: the record and its repository. Items live in the Integrations table under
 * `pk = INTEGRATION#<id>`, `sk = INTEGRATION`, so the inbound endpoint finds one by its (unguessable)
 * id alone; the `byTenant` index (tenantId, createdAt) lists a tenant's integrations. Every
 * tenant-facing read checks the owner, so another tenant's id is simply not found.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { conditionHolds, dynamo } from './aws';
import { decodeCursor, encodeCursor, type Page } from './pagination';

export interface Integration {
  id: string;
  tenantId: string;
  provider: string;
  name?: string;
  /** The provider's verification secrets, in the provider's own terms; never shown by the API. */
  credentials: Record<string, unknown>;
  createdAt: string;
}

const tableName = () => process.env.INTEGRATIONS_TABLE!;
const key = (id: string) => ({ pk: `INTEGRATION#${id}`, sk: 'INTEGRATION' });

function fromItem(item: Record<string, unknown>): Integration {
  const { pk: _pk, sk: _sk, ...integration } = item;
  return integration as unknown as Integration;
}

export async function createIntegration(integration: Integration): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...key(integration.id), ...integration },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

/** Any tenant's integration by id: the inbound endpoint's lookup. */
export async function getIntegration(id: string): Promise<Integration | undefined> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key(id) }));
  return Item ? fromItem(Item) : undefined;
}

/** The tenant's integration, or undefined when it does not exist or belongs to another tenant. */
export async function getTenantIntegration(tenantId: string, id: string): Promise<Integration | undefined> {
  const integration = await getIntegration(id);
  return integration?.tenantId === tenantId ? integration : undefined;
}

/** The tenant's integrations, newest first. */
export async function listIntegrations(
  tenantId: string,
  options: { limit: number; cursor?: string },
): Promise<Page<Integration>> {
  const startKey = decodeCursor(options.cursor, ['pk', 'sk', 'tenantId', 'createdAt']);
  if (startKey && startKey.tenantId !== tenantId) decodeCursor('!', []); // foreign cursor: 400
  const result = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'byTenant',
      KeyConditionExpression: 'tenantId = :tenantId',
      ExpressionAttributeValues: { ':tenantId': tenantId },
      ScanIndexForward: false,
      Limit: options.limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return { items: (result.Items ?? []).map(fromItem), nextCursor: encodeCursor(result.LastEvaluatedKey) };
}

/** Deletes the tenant's integration; false when the tenant has no such integration. */
export async function deleteIntegration(tenantId: string, id: string): Promise<boolean> {
  return conditionHolds(
    dynamo().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: key(id),
        ConditionExpression: 'tenantId = :tenantId',
        ExpressionAttributeValues: { ':tenantId': tenantId },
      }),
    ),
  );
}
