/**
 * Webhook subscriptions: the record and its repository. Items live in the Subscriptions table under
 * `pk = TENANT#<tenantId>`, `sk = SUB#<subscriptionId>`, so every read and write names the tenant and
 * no query can cross tenants. Subscription ids are time-sortable, so `sk` order is creation order.
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { conditionHolds, dynamo } from './aws';
import { forgetHealth, touchSubscriptionVersion } from './endpoint-health';
import type { EventType } from './catalog';
import { decodeCursor, encodeCursor, type Page } from './pagination';

export interface BasicAuth {
  type: 'basic';
  username: string;
  password: string;
}

/** A secret replaced by rotation, still valid for signing until `expiresAt`. */
export interface RetiredSecret {
  secret: string;
  expiresAt: string;
}

/**
 * `disabled` subscriptions are not posted to; their events are parked for a catch-up. Disabled by the tenant
 * (`PUT {"status":"disabled"}`) or by the system (the endpoint answered 410 Gone).
 */
export const SUBSCRIPTION_STATUSES = ['active', 'disabled'] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export interface Subscription {
  id: string;
  tenantId: string;
  url: string;
  events: EventType[];
  description?: string;
  auth?: BasicAuth;
  headers?: Record<string, string>;
  /** Product categories to forward; absent means all. */
  products?: string[];
  status: SubscriptionStatus;
  /** Why and when it was disabled; set only while `status` is `disabled`. */
  disabledReason?: string;
  disabledAt?: string;
  /** The current signing secret, exactly as the subscriber holds it (`whsec_...` or a plain string). */
  secret: string;
  retiredSecrets: RetiredSecret[];
  createdAt: string;
  updatedAt: string;
}

/** Fields a tenant may change with `PUT`. */
export type SubscriptionPatch = Partial<
  Pick<
    Subscription,
    | 'url'
    | 'events'
    | 'description'
    | 'auth'
    | 'headers'
    | 'products'
    | 'status'
    | 'disabledReason'
    | 'disabledAt'
    | 'secret'
    | 'retiredSecrets'
  >
>;

const tableName = () => process.env.SUBSCRIPTIONS_TABLE!;
export const subscriptionKey = (tenantId: string, id: string) => ({
  pk: `TENANT#${tenantId}`,
  sk: `SUB#${id}`,
});
const key = subscriptionKey;

/** The one place that decides whether a subscription gets deliveries (matching and sending both ask). */
export function isActive(subscription: Pick<Subscription, 'status'>): boolean {
  return subscription.status === 'active';
}

/** The reason recorded when a tenant disables a subscription through the API. */
export const DISABLED_BY_TENANT = 'disabled through the API';

export function fromItem(item: Record<string, unknown>): Subscription {
  const { pk: _pk, sk: _sk, active, ...subscription } = item;
  // Items written before `status` existed carry a boolean `active` instead.
  const status: SubscriptionStatus =
    (subscription.status as SubscriptionStatus | undefined) ?? (active === false ? 'disabled' : 'active');
  return { retiredSecrets: [], ...subscription, status } as unknown as Subscription;
}

/** The patch that sets `status`: disabling records why and when, enabling clears both. */
export function statusPatch(
  status: SubscriptionStatus,
  reason: string,
  now: string = new Date().toISOString(),
): Pick<Subscription, 'status' | 'disabledReason' | 'disabledAt'> {
  return status === 'disabled'
    ? { status, disabledReason: reason, disabledAt: now }
    : { status, disabledReason: undefined, disabledAt: undefined };
}

export async function createSubscription(subscription: Subscription): Promise<void> {
  await dynamo().send(
    new PutCommand({
      TableName: tableName(),
      Item: { ...key(subscription.tenantId, subscription.id), ...subscription },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getSubscription(tenantId: string, id: string): Promise<Subscription | undefined> {
  const { Item } = await dynamo().send(new GetCommand({ TableName: tableName(), Key: key(tenantId, id) }));
  return Item ? fromItem(Item) : undefined;
}

/** The tenant's subscriptions, newest first. */
export async function listSubscriptions(
  tenantId: string,
  options: { limit: number; cursor?: string },
): Promise<Page<Subscription>> {
  const startKey = decodeCursor(options.cursor, ['pk', 'sk']);
  if (startKey && startKey.pk !== `TENANT#${tenantId}`) decodeCursor('!', []); // foreign cursor: 400
  const result = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': `TENANT#${tenantId}`, ':prefix': 'SUB#' },
      ScanIndexForward: false,
      Limit: options.limit,
      ExclusiveStartKey: startKey,
    }),
  );
  return { items: (result.Items ?? []).map(fromItem), nextCursor: encodeCursor(result.LastEvaluatedKey) };
}

/** Applies a partial update; returns the updated subscription, or undefined when it does not exist. */
export async function updateSubscription(
  tenantId: string,
  id: string,
  patch: SubscriptionPatch,
  now: string = new Date().toISOString(),
): Promise<Subscription | undefined> {
  const fields: Record<string, unknown> = { ...patch, updatedAt: now };
  if (patch.status !== undefined) fields.active = undefined; // drop the pre-`status` attribute
  const sets: string[] = [];
  const removes: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) {
    names[`#${field}`] = field;
    if (value === undefined || value === null) {
      removes.push(`#${field}`);
    } else {
      sets.push(`#${field} = :${field}`);
      values[`:${field}`] = value;
    }
  }
  try {
    const { Attributes } = await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key(tenantId, id),
        UpdateExpression: [`SET ${sets.join(', ')}`, removes.length ? `REMOVE ${removes.join(', ')}` : '']
          .join(' ')
          .trim(),
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    if (!Attributes) return undefined;
    // After the change itself: a delivery container that sees the new version reads the new subscription.
    await touchSubscriptionVersion(tenantId, id);
    return fromItem(Attributes);
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/**
 * Disables an active subscription on the system's behalf (its endpoint said 410 Gone). Conditional, so
 * of several containers seeing the same answer only one disables it: true for that one.
 */
export async function disableSubscription(
  tenantId: string,
  id: string,
  reason: string,
  now: string = new Date().toISOString(),
): Promise<boolean> {
  const disabled = await conditionHolds(
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: key(tenantId, id),
        UpdateExpression:
          'SET #status = :disabled, disabledReason = :reason, disabledAt = :now, updatedAt = :now REMOVE active',
        ConditionExpression: 'attribute_exists(pk) AND NOT #status = :disabled',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':disabled': 'disabled', ':reason': reason, ':now': now },
      }),
    ),
  );
  if (disabled) await touchSubscriptionVersion(tenantId, id);
  return disabled;
}

/** Deletes the subscription; false when it did not exist. */
export async function deleteSubscription(tenantId: string, id: string): Promise<boolean> {
  const { Attributes } = await dynamo().send(
    new DeleteCommand({ TableName: tableName(), Key: key(tenantId, id), ReturnValues: 'ALL_OLD' }),
  );
  if (Attributes !== undefined) await forgetHealth(tenantId, id);
  return Attributes !== undefined;
}

/**
 * The tenant's subscriptions to `eventType` whose product filter admits `product`, active or disabled
 * (a disabled one's events are parked, not dropped: docs/lifecycle.md).
 */
export async function matchingSubscriptions(
  tenantId: string,
  eventType: EventType,
  product: string | undefined,
): Promise<Subscription[]> {
  const matches: Subscription[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const result = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        FilterExpression: 'contains(#events, :eventType)',
        ExpressionAttributeNames: { '#events': 'events' },
        ExpressionAttributeValues: {
          ':pk': `TENANT#${tenantId}`,
          ':prefix': 'SUB#',
          ':eventType': eventType,
        },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of result.Items ?? []) {
      const subscription = fromItem(item);
      // Disabled subscriptions match too: the delivery function parks their events for a catch-up.
      if (admitsProduct(subscription, product)) matches.push(subscription);
    }
    startKey = result.LastEvaluatedKey;
  } while (startKey);
  return matches;
}

/** A subscription without a product filter admits everything; with one, only the listed products. */
export function admitsProduct(
  subscription: Pick<Subscription, 'products'>,
  product: string | undefined,
): boolean {
  if (!subscription.products || subscription.products.length === 0) return true;
  return product !== undefined && subscription.products.includes(product);
}

/** Secrets to sign with now: the current one first, then retired ones still in their grace period. */
export function signingSecrets(
  subscription: Pick<Subscription, 'secret' | 'retiredSecrets'>,
  now: Date = new Date(),
): string[] {
  return [
    subscription.secret,
    ...subscription.retiredSecrets
      .filter((r) => Date.parse(r.expiresAt) > now.getTime())
      .map((r) => r.secret),
  ];
}
