/**
 * The DynamoDB tables, defined once. The CDK stack (lib/) builds them from this list and the local
 * mode creates them from it, so the deployed and the local shape cannot drift.
 *
 * Every table uses string keys. Item layouts (`pk` / `sk` values) are documented beside the code that
 * owns each table.
 */
export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
}

export interface TableDefinition {
  /** Construct id in the stack. */
  readonly id: string;
  /** Environment variable through which functions receive the table name. */
  readonly envVar: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
  /** Attribute holding an epoch-seconds expiry, when items expire. */
  readonly ttlAttribute?: string;
  readonly globalIndexes: readonly IndexDefinition[];
  /** Local secondary indexes: same partition key, another sort key. */
  readonly localIndexes: readonly Omit<IndexDefinition, 'partitionKey'>[];
}

/** Tenants and their API keys (`pk = TENANT#<id>` / `APIKEY#<sha256>`). */
export const TENANTS_TABLE: TableDefinition = {
  id: 'Tenants',
  envVar: 'TENANTS_TABLE',
  partitionKey: 'pk',
  sortKey: 'sk',
  globalIndexes: [{ name: 'byTenant', partitionKey: 'tenantId', sortKey: 'createdAt' }],
  localIndexes: [],
};

/** Webhook subscriptions (`pk = TENANT#<tenantId>`, `sk = SUB#<subscriptionId>`). */
export const SUBSCRIPTIONS_TABLE: TableDefinition = {
  id: 'Subscriptions',
  envVar: 'SUBSCRIPTIONS_TABLE',
  partitionKey: 'pk',
  sortKey: 'sk',
  globalIndexes: [],
  localIndexes: [],
};

/** Provider integrations (`pk = INTEGRATION#<id>`, `sk = INTEGRATION`), listed per tenant by `byTenant`. */
export const INTEGRATIONS_TABLE: TableDefinition = {
  id: 'Integrations',
  envVar: 'INTEGRATIONS_TABLE',
  partitionKey: 'pk',
  sortKey: 'sk',
  globalIndexes: [{ name: 'byTenant', partitionKey: 'tenantId', sortKey: 'createdAt' }],
  localIndexes: [],
};

/**
 * Delivery logs, one item per delivered event (`pk = TENANT#<tenantId>`, `sk = DLV#<deliveryId>`; see
 * shared/deliveries.ts). Delivery ids begin with the event's time, so the table itself lists deliveries
 * newest first: no index, whose every write would double the cost of the log.
 */
export const DELIVERIES_TABLE: TableDefinition = {
  id: 'Deliveries',
  envVar: 'DELIVERIES_TABLE',
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  globalIndexes: [],
  localIndexes: [],
};

/**
 * Idempotency records: Powertools idempotency for API POSTs (its default attribute names `id` and
 * `expiration`) and the inbound first-arrival records of events with no time of their own
 * (`id = seen#...`, see inbound/first-seen.ts).
 */
export const IDEMPOTENCY_TABLE: TableDefinition = {
  id: 'Idempotency',
  envVar: 'IDEMPOTENCY_TABLE',
  partitionKey: 'id',
  ttlAttribute: 'expiration',
  globalIndexes: [],
  localIndexes: [],
};

/**
 * Tenant portal sign-in codes and sessions (`pk = CODE#<sha256>` / `SESSION#<sha256>`; see
 * shared/portal-sessions.ts). Apart from the Tenants table, so the management API that mints sessions
 * holds no access to API keys.
 */
export const PORTAL_SESSIONS_TABLE: TableDefinition = {
  id: 'PortalSessions',
  envVar: 'PORTAL_SESSIONS_TABLE',
  partitionKey: 'pk',
  ttlAttribute: 'expiresAt',
  globalIndexes: [],
  localIndexes: [],
};

export const TABLES: readonly TableDefinition[] = [
  TENANTS_TABLE,
  PORTAL_SESSIONS_TABLE,
  SUBSCRIPTIONS_TABLE,
  INTEGRATIONS_TABLE,
  DELIVERIES_TABLE,
  IDEMPOTENCY_TABLE,
];
