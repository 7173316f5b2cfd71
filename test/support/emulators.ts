/**
 * The local mode's in-process emulators (dynalite, fauxqs) set up for handler tests: every table of
 * `TABLES` created, and the SDK clients pointed at them through `AWS_ENDPOINT_URL_DYNAMODB` / `_SQS`.
 */
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { TABLES, type TableDefinition } from '../../lambdas/shared/tables';
import { resetClients } from '../../lambdas/shared/aws';
import { startDynalite, startFauxqsServer } from '../../local/emulators';

export interface DynamoEmulator {
  endpoint: string;
  /** Table names by env var, e.g. `{ SUBSCRIPTIONS_TABLE: 'Subscriptions-1a2b' }`. */
  tableNames: Record<string, string>;
  stop(): Promise<void>;
}

export function createTableInput(definition: TableDefinition, tableName: string): CreateTableCommandInput {
  const attributes = new Set<string>([definition.partitionKey]);
  if (definition.sortKey) attributes.add(definition.sortKey);
  for (const index of definition.globalIndexes) {
    attributes.add(index.partitionKey);
    if (index.sortKey) attributes.add(index.sortKey);
  }
  for (const index of definition.localIndexes) attributes.add(index.sortKey!);
  const keySchema = (partitionKey: string, sortKey?: string) => [
    { AttributeName: partitionKey, KeyType: 'HASH' as const },
    ...(sortKey ? [{ AttributeName: sortKey, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: keySchema(definition.partitionKey, definition.sortKey),
    GlobalSecondaryIndexes: definition.globalIndexes.length
      ? definition.globalIndexes.map((index) => ({
          IndexName: index.name,
          KeySchema: keySchema(index.partitionKey, index.sortKey),
          Projection: { ProjectionType: 'ALL' },
        }))
      : undefined,
    LocalSecondaryIndexes: definition.localIndexes.length
      ? definition.localIndexes.map((index) => ({
          IndexName: index.name,
          KeySchema: keySchema(definition.partitionKey, index.sortKey),
          Projection: { ProjectionType: 'ALL' },
        }))
      : undefined,
  };
}

/** Starts dynalite on a free loopback port and creates every table of the stack. */
export async function startDynamo(): Promise<DynamoEmulator> {
  const { endpoint, stop } = await startDynalite();
  const client = new DynamoDBClient({ endpoint });
  const suffix = Math.random().toString(36).slice(2, 8);
  const tableNames: Record<string, string> = {};
  for (const definition of TABLES) {
    const tableName = `${definition.id}-${suffix}`;
    await client.send(new CreateTableCommand(createTableInput(definition, tableName)));
    tableNames[definition.envVar] = tableName;
  }
  client.destroy();
  return { endpoint, tableNames, stop };
}

export type SqsEmulator = Awaited<ReturnType<typeof startFauxqsServer>>;

export const startSqs = startFauxqsServer;

/**
 * Starts both emulators and points this process's SDK clients (and its table env vars) at them.
 * Returns a function that stops them.
 */
export async function useEmulators(): Promise<{
  dynamo: DynamoEmulator;
  sqs: SqsEmulator;
  stop(): Promise<void>;
}> {
  const [dynamo, sqs] = await Promise.all([startDynamo(), startSqs()]);
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint;
  Object.assign(process.env, dynamo.tableNames);
  resetClients();
  return {
    dynamo,
    sqs,
    stop: async () => {
      resetClients();
      await Promise.all([dynamo.stop(), sqs.stop()]);
    },
  };
}
