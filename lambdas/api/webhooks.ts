/**
 * `/v1/webhooks`: a tenant's subscriptions. Every read and write goes through the tenant's own
 * partition, so another tenant's id is simply not found (404), never forbidden.
 */
import { randomBytes } from 'node:crypto';
import { countParked } from '../shared/deliveries';
import { forgetHealth } from '../shared/endpoint-health';
import { NotFoundError } from '../shared/errors';
import { json, noContent } from '../shared/http';
import { newId } from '../shared/ids';
import { emitOperationalEvents, OPERATIONAL_DETAIL_TYPES, type OperationalEvent } from '../shared/operations';
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  listSubscriptions,
  statusPatch,
  updateSubscription,
  DISABLED_BY_TENANT,
  type Subscription,
  type SubscriptionPatch,
} from '../shared/subscriptions';
import { apiEnv } from './env';
import {
  CreateWebhookSchema,
  DEFAULT_GRACE_SECONDS,
  ErrorSchema,
  PaginationQuerySchema,
  ReplaySchema,
  RotateSecretResultSchema,
  RotateSecretSchema,
  UpdateWebhookSchema,
  WebhookSchema,
  WebhookSecretSchema,
  WebhookWithSecretSchema,
  pageOf,
  type CreateWebhookInput,
  type UpdateWebhookInput,
} from './schemas';
import { targetUrlProblem } from './targets';
import type { ApiRequest, ApiRoute } from './types';
import { invalidField } from './validation';

const TAG = 'Webhooks';

export const errorResponses = {
  400: { description: 'Invalid input; the message names the field', schema: ErrorSchema },
  401: { description: 'Missing, unknown or revoked API key', schema: ErrorSchema },
} as const;
export const notFoundResponse = {
  404: { description: 'No such webhook for this tenant', schema: ErrorSchema },
} as const;

/** A new signing secret: `whsec_` + base64 of 32 random bytes (the Standard Webhooks format). */
export function generateSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** What the API shows of a subscription: never its password or retired secrets; its secret only on request. */
export function toWebhookView(subscription: Subscription, options: { withSecret?: boolean } = {}) {
  const view = {
    id: subscription.id,
    url: subscription.url,
    events: subscription.events,
    ...(subscription.description !== undefined && { description: subscription.description }),
    ...(subscription.auth && {
      auth: { type: subscription.auth.type, username: subscription.auth.username },
    }),
    ...(subscription.headers && { headers: subscription.headers }),
    ...(subscription.products && { products: subscription.products }),
    status: subscription.status,
    ...(subscription.disabledReason !== undefined && { disabledReason: subscription.disabledReason }),
    ...(subscription.disabledAt !== undefined && { disabledAt: subscription.disabledAt }),
    createdAt: subscription.createdAt,
    updatedAt: subscription.updatedAt,
  };
  return options.withSecret ? { ...view, secret: subscription.secret } : view;
}

/** The tenant's subscription, or a 404 that does not say whether the id exists elsewhere. */
export async function requireSubscription(tenantId: string, id: string): Promise<Subscription> {
  const subscription = await getSubscription(tenantId, id);
  if (!subscription) throw new NotFoundError(`No webhook ${id}.`);
  return subscription;
}

function checkTarget(url: string): void {
  const problem = targetUrlProblem(url, apiEnv().ALLOW_PRIVATE_TARGETS);
  if (problem) throw invalidField('url', problem);
}

/** Puts the API's operational events on the bus and into the tenant's activity feed. */
export async function emitApiEvents(events: readonly OperationalEvent[]): Promise<void> {
  const env = apiEnv();
  await emitOperationalEvents(events, {
    busName: env.EVENT_BUS_NAME,
    ttlSeconds: env.DELIVERY_LOG_TTL_DAYS * 86_400,
  });
}

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];

const create: ApiRoute = {
  method: 'POST',
  path: '/v1/webhooks',
  summary: 'Create a webhook subscription',
  tag: TAG,
  body: CreateWebhookSchema,
  responses: {
    201: {
      description: 'Created; the only response besides rotation that shows the secret',
      schema: WebhookWithSecretSchema,
    },
    ...errorResponses,
  },
  async handle({ tenantId, body }: ApiRequest<CreateWebhookInput>) {
    checkTarget(body.url);
    const now = new Date().toISOString();
    const subscription: Subscription = {
      id: newId('wh'),
      tenantId,
      url: body.url,
      events: unique(body.events),
      description: body.description,
      auth: body.auth,
      headers: body.headers,
      products: body.products && unique(body.products),
      ...statusPatch(body.status ?? 'active', DISABLED_BY_TENANT, now),
      secret: body.secret ?? generateSecret(),
      retiredSecrets: [],
      createdAt: now,
      updatedAt: now,
    };
    await createSubscription(subscription);
    return json(201, toWebhookView(subscription, { withSecret: true }), {
      location: `/v1/webhooks/${subscription.id}`,
    });
  },
};

const list: ApiRoute = {
  method: 'GET',
  path: '/v1/webhooks',
  summary: "List the tenant's webhook subscriptions, newest first",
  tag: TAG,
  query: PaginationQuerySchema,
  responses: { 200: { description: 'One page', schema: pageOf(WebhookSchema) }, ...errorResponses },
  async handle({ tenantId, query }: ApiRequest<unknown, { limit: number; cursor?: string }>) {
    const page = await listSubscriptions(tenantId, query);
    return json(200, {
      items: page.items.map((subscription) => toWebhookView(subscription)),
      ...(page.nextCursor && { nextCursor: page.nextCursor }),
    });
  },
};

const get: ApiRoute = {
  method: 'GET',
  path: '/v1/webhooks/{id}',
  summary: 'Get a webhook subscription',
  tag: TAG,
  responses: {
    200: { description: 'The subscription', schema: WebhookSchema },
    ...errorResponses,
    ...notFoundResponse,
  },
  async handle({ tenantId, pathParameters }: ApiRequest) {
    return json(200, toWebhookView(await requireSubscription(tenantId, pathParameters.id!)));
  },
};

const update: ApiRoute = {
  method: 'PUT',
  path: '/v1/webhooks/{id}',
  summary: 'Update a webhook subscription (any subset of the create fields; `null` removes an optional one)',
  tag: TAG,
  body: UpdateWebhookSchema,
  responses: {
    200: {
      description: 'The updated subscription; with `catchUp`, the catch-up it started',
      schema: WebhookSchema.extend({ catchUp: ReplaySchema.optional() }),
    },
    409: {
      description: '`catchUp` while a replay of this webhook runs (`replay_running`)',
      schema: ErrorSchema,
    },
    ...errorResponses,
    ...notFoundResponse,
  },
  async handle({ tenantId, principal, pathParameters, body }: ApiRequest<UpdateWebhookInput>) {
    if (body.url !== undefined) checkTarget(body.url);
    // Only the fields present in the body: the repository removes fields set to null.
    const { status, catchUp, ...fields } = body;
    const patch = { ...fields } as SubscriptionPatch;
    // A status change is an operational event: what it was before decides which, if any.
    const before = status === undefined ? undefined : await requireSubscription(tenantId, pathParameters.id!);
    // Setting the status it has changes nothing: a disabled period keeps its start (and its parked count).
    if (status !== undefined && status !== before?.status) {
      Object.assign(patch, statusPatch(status, DISABLED_BY_TENANT));
    }
    if (body.events) patch.events = unique(body.events);
    if (body.products) patch.products = unique(body.products);
    const updated = await updateSubscription(tenantId, pathParameters.id!, patch);
    if (!updated) throw new NotFoundError(`No webhook ${pathParameters.id}.`);
    const by = principal === 'session' ? 'portal' : 'api';
    if (before?.status === 'active' && updated.status === 'disabled') {
      await emitApiEvents([
        {
          detailType: OPERATIONAL_DETAIL_TYPES.subscriptionDisabled,
          detail: {
            tenantId,
            subscriptionId: updated.id,
            reason: updated.disabledReason ?? DISABLED_BY_TENANT,
            disabledAt: updated.disabledAt ?? updated.updatedAt,
            by,
          },
        },
      ]);
    }
    const reEnabled = before?.status === 'disabled' && updated.status === 'active';
    // The endpoint's old run of failures must not disable it again at once (disableAfterFailingSeconds).
    if (reEnabled) await forgetHealth(tenantId, updated.id);
    if (!catchUp && !reEnabled) return json(200, toWebhookView(updated));
    const parked = await countParked(tenantId, updated.id);
    if (reEnabled) {
      await emitApiEvents([
        {
          detailType: OPERATIONAL_DETAIL_TYPES.subscriptionReEnabled,
          detail: {
            tenantId,
            subscriptionId: updated.id,
            enabledAt: updated.updatedAt,
            by,
            parked,
            catchUp: catchUp === true,
          },
        },
      ]);
    }
    if (!catchUp) return json(200, toWebhookView(updated));
    // Imported here: replays.ts builds on this module's helpers.
    const { startCatchUp, toReplayView } = await import('./replays');
    return json(200, {
      ...toWebhookView(updated),
      catchUp: toReplayView(await startCatchUp(tenantId, updated.id, parked)),
    });
  },
};

const remove: ApiRoute = {
  method: 'DELETE',
  path: '/v1/webhooks/{id}',
  summary: 'Delete a webhook subscription',
  tag: TAG,
  responses: { 204: { description: 'Deleted' }, ...errorResponses, ...notFoundResponse },
  async handle({ tenantId, pathParameters }: ApiRequest) {
    if (!(await deleteSubscription(tenantId, pathParameters.id!))) {
      throw new NotFoundError(`No webhook ${pathParameters.id}.`);
    }
    return noContent();
  },
};

const rotateSecret: ApiRoute = {
  method: 'POST',
  path: '/v1/webhooks/{id}/secret/rotate',
  summary: 'Rotate the signing secret; the previous one keeps signing for a grace period',
  tag: TAG,
  body: RotateSecretSchema,
  responses: {
    200: { description: 'The new secret', schema: RotateSecretResultSchema },
    ...errorResponses,
    ...notFoundResponse,
  },
  async handle({ tenantId, pathParameters, body }: ApiRequest<{ gracePeriodSeconds?: number }>) {
    const subscription = await requireSubscription(tenantId, pathParameters.id!);
    const now = new Date();
    const graceSeconds = body.gracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    const previousSecretExpiresAt = new Date(now.getTime() + graceSeconds * 1000).toISOString();
    const stillValid = subscription.retiredSecrets.filter((r) => Date.parse(r.expiresAt) > now.getTime());
    const secret = generateSecret();
    const retiredSecrets =
      graceSeconds > 0
        ? [{ secret: subscription.secret, expiresAt: previousSecretExpiresAt }, ...stillValid]
        : stillValid;
    const updated = await updateSubscription(
      tenantId,
      subscription.id,
      { secret, retiredSecrets },
      now.toISOString(),
    );
    if (!updated) throw new NotFoundError(`No webhook ${subscription.id}.`);
    return json(200, { secret, previousSecretExpiresAt });
  },
};

const getSecret: ApiRoute = {
  method: 'GET',
  path: '/v1/webhooks/{id}/secret',
  summary: 'Reveal the signing secret (and rotated-out secrets still signing)',
  tag: TAG,
  // A secret is a credential: read-only portal sessions may not see it.
  access: 'manage',
  responses: {
    200: { description: 'The secrets', schema: WebhookSecretSchema },
    ...errorResponses,
    ...notFoundResponse,
  },
  async handle({ tenantId, pathParameters }: ApiRequest) {
    const subscription = await requireSubscription(tenantId, pathParameters.id!);
    const now = Date.now();
    return json(
      200,
      {
        secret: subscription.secret,
        previousSecrets: subscription.retiredSecrets.filter((retired) => Date.parse(retired.expiresAt) > now),
      },
      { 'cache-control': 'no-store' },
    );
  },
};

export const webhookRoutes: ApiRoute[] = [create, list, get, update, remove, rotateSecret, getSecret];
