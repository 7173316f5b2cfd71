/**
 * The zod schemas of the management API: they validate requests and, through openapi.ts, document
 * them, so the OpenAPI document cannot drift from what the handlers accept.
 */
import * as z from 'zod';
import { EVENT_TYPES } from '../shared/catalog';
import { WebhookPayloadSchema } from '../shared/events';
import { DELIVERY_STATUSES } from '../shared/deliveries';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../shared/pagination';
import { ACTIVITY_TYPES } from '../shared/operations';
import { SUBSCRIPTION_STATUSES } from '../shared/subscriptions';
import { PORTAL_CAPABILITIES, SESSION_SECONDS } from '../shared/portal-sessions';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code, e.g. `validation_error`, `not_found`'),
      message: z.string().describe('Human-readable explanation, naming the offending field'),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

export const PaginationQuerySchema = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .describe(`Page size, 1–${MAX_PAGE_SIZE}`),
  cursor: z.string().optional().describe('`nextCursor` of the previous page'),
});

/** A list response: one page and the cursor of the next one (absent on the last page). */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z
      .string()
      .optional()
      .describe('Pass as `cursor` to get the next page; absent on the last page'),
  });

// --- Subscriptions --------------------------------------------------------------------------------

export const EventTypeSchema = z.enum(EVENT_TYPES);

const WHSEC_PREFIX = 'whsec_';

/** Why a caller-supplied signing secret is unacceptable, or undefined when it is fine. */
export function secretProblem(secret: string): string | undefined {
  if (secret.startsWith(WHSEC_PREFIX)) {
    const encoded = secret.slice(WHSEC_PREFIX.length);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
      return 'a whsec_ secret must be base64 after the prefix';
    }
    const length = Buffer.from(encoded, 'base64').length;
    if (length < 24 || length > 64) return `a whsec_ secret must decode to 24–64 bytes (got ${length})`;
    return undefined;
  }
  if (!/^[\x21-\x7e]{16,128}$/.test(secret)) {
    return 'must be whsec_ + base64 of 24–64 bytes, or 16–128 printable ASCII characters without spaces';
  }
  return undefined;
}

/**
 * Headers a subscriber may not set: hop-by-hop headers, the ones the delivery engine itself writes
 * (signatures, body framing, auth, user agent) and `host`.
 */
export const RESERVED_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'host',
  'content-length',
  'content-type',
  'content-encoding',
  'authorization',
  'user-agent',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'x-webhook-signature',
]);

/** An HTTP token (RFC 9110), as node:http checks header names. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;
/**
 * A header value node:http will send: tab, visible ASCII, space and Latin-1 (U+0080–U+00FF); never a
 * line break, NUL or other control, and nothing beyond U+00FF (`café` is fine, `✓` is not).
 */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/**
 * Names that are members of every JavaScript object (`constructor`, `__proto__`, `toString`, ...):
 * as keys of the stored header map they change what the map is to the code that copies and stores it.
 */
const PROTOTYPE_MEMBERS: ReadonlySet<string> = new Set([
  '__proto__',
  ...Object.getOwnPropertyNames(Object.prototype),
]);
const MAX_CUSTOM_HEADERS = 20;

const UrlSchema = z
  .string()
  .max(2048)
  .refine((value) => URL.canParse(value), 'must be an absolute URL')
  .describe('Where deliveries are POSTed; `https://` unless the deployment allows private targets');

const EventsSchema = z
  .array(EventTypeSchema)
  .min(1, 'must list at least one event type')
  .max(EVENT_TYPES.length * 2);

const SecretSchema = z
  .string()
  .superRefine((secret, ctx) => {
    const problem = secretProblem(secret);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .describe(
    'Signing secret: `whsec_` + base64 of 24–64 bytes, or 16–128 printable characters. Generated when absent.',
  );

const BasicAuthInputSchema = z.strictObject({
  type: z.literal('basic'),
  username: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[^:\r\n]+$/, 'must not contain ":" or line breaks'),
  password: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[^\r\n]+$/, 'must not contain line breaks'),
});

const HeadersSchema = z
  .record(
    z.string(),
    z
      .string()
      .max(1024)
      .regex(
        HEADER_VALUE,
        'may hold only tab, printable ASCII and Latin-1 characters (no line breaks, controls or characters beyond U+00FF)',
      ),
  )
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > MAX_CUSTOM_HEADERS) {
      ctx.addIssue({ code: 'custom', message: `at most ${MAX_CUSTOM_HEADERS} headers` });
    }
    const seen = new Set<string>();
    for (const name of names) {
      const lower = name.toLowerCase();
      if (!HEADER_NAME.test(name)) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'is not a valid header name' });
      } else if (PROTOTYPE_MEMBERS.has(name)) {
        ctx.addIssue({ code: 'custom', path: [name], message: 'is not an allowed header name' });
      } else if (RESERVED_HEADERS.has(lower)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'is set by the delivery engine and cannot be overridden',
        });
      } else if (seen.has(lower)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: 'is given twice (header names are case-insensitive)',
        });
      }
      seen.add(lower);
    }
  })
  .describe('Extra headers added to every delivery');

const SubscriptionStatusSchema = z.enum(SUBSCRIPTION_STATUSES);

const ProductsSchema = z
  .array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 letters, digits, "_" or "-"'))
  .max(50)
  .describe('Only forward events of these product categories (e.g. AUTOMATION, CRM); absent means all');

export const CreateWebhookSchema = z
  .strictObject({
    url: UrlSchema,
    events: EventsSchema,
    secret: SecretSchema.optional(),
    description: z.string().max(500).optional(),
    auth: BasicAuthInputSchema.optional().describe('HTTP Basic Auth sent with every delivery'),
    headers: HeadersSchema.optional(),
    products: ProductsSchema.optional(),
    status: SubscriptionStatusSchema.optional().describe(
      'Default `active`; a `disabled` subscription receives nothing',
    ),
  })
  .meta({ id: 'CreateWebhook' });
export type CreateWebhookInput = z.infer<typeof CreateWebhookSchema>;

export const UpdateWebhookSchema = z
  .strictObject({
    url: UrlSchema.optional(),
    events: EventsSchema.optional(),
    secret: SecretSchema.optional().describe(
      'Replaces the secret at once, without a grace period (see rotate)',
    ),
    description: z.string().max(500).nullable().optional().describe('`null` removes it'),
    auth: BasicAuthInputSchema.nullable().optional().describe('`null` removes it'),
    headers: HeadersSchema.nullable().optional().describe('`null` removes them'),
    products: ProductsSchema.nullable().optional().describe('`null` removes the filter'),
    status: SubscriptionStatusSchema.optional().describe(
      '`disabled` stops deliveries at once (matching events are parked); `active` resumes them (and clears `disabledReason`)',
    ),
    catchUp: z
      .boolean()
      .optional()
      .describe(
        'With `status: "active"`: also deliver the events parked while disabled, oldest first, at the replay rate (progress: `catchUp.replayId`)',
      ),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'must change at least one field')
  .refine((patch) => !patch.catchUp || patch.status === 'active', {
    message: 'catchUp needs status "active"',
    path: ['catchUp'],
  })
  .meta({ id: 'UpdateWebhook' });
export type UpdateWebhookInput = z.infer<typeof UpdateWebhookSchema>;

export const WebhookSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(EventTypeSchema),
    description: z.string().optional(),
    auth: z
      .object({ type: z.literal('basic'), username: z.string() })
      .optional()
      .describe('The password is never shown'),
    headers: z.record(z.string(), z.string()).optional(),
    products: z.array(z.string()).optional(),
    status: SubscriptionStatusSchema,
    disabledReason: z
      .string()
      .optional()
      .describe('Why it is disabled: by the tenant through the API, or by the system (e.g. 410 Gone)'),
    disabledAt: z.string().optional(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Webhook' });

export const WebhookWithSecretSchema = WebhookSchema.extend({
  secret: z.string().describe('The signing secret; shown only when created and when rotated'),
}).meta({ id: 'WebhookWithSecret' });

export const MAX_GRACE_SECONDS = 604_800;
export const DEFAULT_GRACE_SECONDS = 86_400;

export const RotateSecretSchema = z
  .strictObject({
    gracePeriodSeconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_GRACE_SECONDS)
      .optional()
      .describe(
        `How long the previous secret keeps signing (default ${DEFAULT_GRACE_SECONDS}, 0 retires it at once)`,
      ),
  })
  .meta({ id: 'RotateSecret' });

export const RotateSecretResultSchema = z.object({
  secret: z.string(),
  previousSecretExpiresAt: z.string().describe('Until then, deliveries carry a signature with each secret'),
});

export const TestWebhookSchema = z
  .strictObject({
    eventType: EventTypeSchema.optional().describe(
      "One of the subscription's event types; default its first",
    ),
  })
  .meta({ id: 'TestWebhook' });

export const TestResultSchema = z
  .object({
    deliveryId: z.string().describe("The test delivery's id (`webhook-id`); it is in the delivery log"),
    eventType: EventTypeSchema,
    delivered: z.boolean().describe('True when the endpoint answered 2xx'),
    statusCode: z.number().int().optional(),
    durationMs: z.number(),
    responseBody: z.string().optional().describe('The first 1 KB of the response'),
    error: z.string().optional(),
  })
  .meta({ id: 'TestResult' });

// --- Delivery logs --------------------------------------------------------------------------------

/** An ISO 8601 time in a query string, as epoch milliseconds. */
const QueryTimeSchema = z.iso
  .datetime({ offset: true })
  .transform((value) => Date.parse(value))
  .describe('ISO 8601 time, e.g. 2026-01-15T10:00:00Z');

export const LogsQuerySchema = PaginationQuerySchema.extend({
  status: z.enum(DELIVERY_STATUSES).optional(),
  eventType: EventTypeSchema.optional(),
  since: QueryTimeSchema.optional().describe('Only events from this time on (ISO 8601)'),
  until: QueryTimeSchema.optional().describe('Only events before this time (ISO 8601)'),
});

export const DeliverySchema = z
  .object({
    deliveryId: z.string().describe('Sent as the `webhook-id` header'),
    eventType: EventTypeSchema,
    status: z.enum(DELIVERY_STATUSES),
    event: WebhookPayloadSchema.describe('The body that was (or will be) POSTed'),
    attempts: z.array(
      z.object({
        at: z.string(),
        statusCode: z.number().int().optional(),
        durationMs: z.number(),
        error: z.string().optional(),
        responseBody: z.string().optional().describe('The first 1 KB of the response'),
      }),
    ),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Delivery' });

export const DeliveryDetailSchema = DeliverySchema.extend({
  request: z
    .object({
      url: z.string(),
      headers: z
        .record(z.string(), z.string())
        .describe('The headers each attempt sends; signatures and credentials shown redacted'),
    })
    .describe('What an attempt sends, as the webhook is configured now'),
}).meta({ id: 'DeliveryDetail' });

export const WebhookSecretSchema = z
  .object({
    secret: z.string(),
    previousSecrets: z
      .array(z.object({ secret: z.string(), expiresAt: z.string() }))
      .describe(
        'Rotated-out secrets that still sign (each delivery carries a signature per secret) until `expiresAt`',
      ),
  })
  .meta({ id: 'WebhookSecret' });

export const RetryResultSchema = z.object({ deliveryId: z.string(), status: z.literal('pending') });

export const EventTypeInfoSchema = z.object({
  type: EventTypeSchema,
  description: z.string(),
  schema: z.record(z.string(), z.unknown()).describe('JSON Schema (2020-12) of the body of this event type'),
  samplePayload: WebhookPayloadSchema,
});

// --- Tenant portal --------------------------------------------------------------------------------

const CapabilitiesSchema = z
  .tuple([z.enum(PORTAL_CAPABILITIES)])
  .describe('`["manage"]` (default): change endpoints; `["read"]`: look only');

export const CreatePortalSessionSchema = z
  .strictObject({
    capabilities: CapabilitiesSchema.optional(),
    expiresInSeconds: z
      .number()
      .int()
      .min(SESSION_SECONDS.min)
      .max(SESSION_SECONDS.max)
      .optional()
      .describe(`How long the session lasts once the link is opened (default ${SESSION_SECONDS.default})`),
    returnUrl: z
      .string()
      .max(2048)
      .refine((value) => URL.canParse(value) && /^https?:\/\//i.test(value), 'must be an http(s) URL')
      .optional()
      .describe('Where the portal links back to (your dashboard)'),
  })
  .meta({ id: 'CreatePortalSession' });
export type CreatePortalSessionInput = z.infer<typeof CreatePortalSessionSchema>;

export const PortalLinkSchema = z
  .object({
    url: z.string().describe('Open it (or embed it in an iframe) once; the code in it is single-use'),
    expiresAt: z.string().describe('When the unused link stops working'),
  })
  .meta({ id: 'PortalLink' });

export const ExchangePortalCodeSchema = z.strictObject({ code: z.string().min(1).max(256) });

export const PortalSessionSchema = z
  .object({
    tenantId: z.string(),
    capabilities: z.array(z.enum(PORTAL_CAPABILITIES)),
    expiresAt: z.string(),
    returnUrl: z.string().optional(),
  })
  .meta({ id: 'PortalSession' });

export const PortalSessionTokenSchema = PortalSessionSchema.extend({
  token: z.string().describe('Send as `Authorization: Bearer <token>`'),
}).meta({ id: 'PortalSessionToken' });

// --- Delivery statistics ---------------------------------------------------------------------------

export const STATS_BUCKETS = { hour: 1, day: 24 } as const;
/** At most this many buckets per request (a month of hours). */
export const MAX_STATS_BUCKETS = 31 * 24;

export const StatsQuerySchema = z
  .object({
    since: QueryTimeSchema.optional().describe('Start (ISO 8601); default 24 hours before `until`'),
    until: QueryTimeSchema.optional().describe('End (ISO 8601, exclusive); default now'),
    bucket: z.enum(['hour', 'day']).default('hour'),
  })
  .superRefine((query, ctx) => {
    const until = query.until ?? Date.now();
    const since = query.since ?? until - 86_400_000;
    if (since >= until) ctx.addIssue({ code: 'custom', path: ['since'], message: 'must be before until' });
    else if ((until - since) / (STATS_BUCKETS[query.bucket] * 3_600_000) > MAX_STATS_BUCKETS) {
      ctx.addIssue({
        code: 'custom',
        path: ['since'],
        message: `at most ${MAX_STATS_BUCKETS} buckets per request`,
      });
    }
  });

const CountsShape = {
  succeeded: z.number().int().describe('Deliveries whose attempt succeeded'),
  failed: z.number().int().describe('Deliveries whose last attempt failed'),
  retried: z.number().int().describe('Failed attempts followed by a retry'),
};

export const WebhookStatsSchema = z
  .object({
    since: z.string(),
    until: z.string(),
    bucket: z.enum(['hour', 'day']),
    totals: z.object(CountsShape),
    successRate: z.number().nullable().describe('succeeded / (succeeded + failed); null without deliveries'),
    buckets: z.array(z.object({ start: z.string(), ...CountsShape })),
  })
  .meta({ id: 'WebhookStats' });

export const ReplayRequestSchema = z
  .strictObject({
    since: z.iso.datetime({ offset: true }).describe('Start of the window (event time), included'),
    until: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('End of the window (event time), excluded; default now'),
    eventTypes: z.array(EventTypeSchema).min(1).optional().describe('Only these event types'),
    status: z
      .enum(['failed', 'all'])
      .default('all')
      .describe('`failed`: only deliveries that failed; `all` (default): every delivery of the window'),
  })
  .meta({ id: 'ReplayRequest' });
export type ReplayRequest = z.infer<typeof ReplayRequestSchema>;

export const ReplaySchema = z
  .object({
    replayId: z.string(),
    webhookId: z.string(),
    kind: z.enum(['replay', 'catch-up']),
    state: z
      .enum(['running', 'finished', 'stalled'])
      .describe('`stalled`: its steps stopped (see the replay dead-letter queue); another can start'),
    since: z.string().optional(),
    until: z.string().optional(),
    eventTypes: z.array(EventTypeSchema).optional(),
    status: z.enum(['failed', 'all', 'parked']).describe('Which deliveries it re-sends'),
    ratePerSecond: z.number(),
    queued: z.number().int().describe('Deliveries queued again so far'),
    skipped: z.number().int().describe('Deliveries left alone: still being attempted, or no longer parked'),
    total: z.number().int().optional().describe('For a catch-up: the parked deliveries when it started'),
    sent: z
      .number()
      .int()
      .describe(
        'Queued deliveries that have settled: succeeded, or failed after their retries (counted as they settle)',
      ),
    failed: z.number().int().describe('Of those sent, how many failed after their retries'),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().optional(),
  })
  .meta({ id: 'Replay' });

// --- Activity (operational events of a subscription) --------------------------------------------

export const ActivitySchema = z
  .object({
    activityId: z.string().describe('Time-ordered id of the entry; pages go by it'),
    type: z
      .enum(ACTIVITY_TYPES)
      .describe('The operational event (its EventBridge detail-type, source `event-relay.operations`)'),
    at: z.string().describe('When it happened (ISO 8601)'),
    webhookId: z.string(),
    by: z
      .enum(['system', 'api', 'portal'])
      .optional()
      .describe('Disabled / Re-enabled: the system, or the tenant through the API or the portal'),
    reason: z.string().optional().describe('Subscription Disabled: why'),
    disabledAt: z.string().optional(),
    enabledAt: z.string().optional(),
    parked: z
      .number()
      .int()
      .optional()
      .describe(
        'Deliveries Parked: parked in this disabled period so far (the entry counts up); Re-enabled: parked when re-enabled',
      ),
    lastParkedAt: z.string().optional(),
    catchUp: z.boolean().optional().describe('Re-enabled: whether a catch-up was started'),
    replayId: z.string().optional(),
    kind: z.enum(['replay', 'catch-up']).optional(),
    status: z.string().optional().describe('Replay Started: which deliveries (`failed`, `all`, `parked`)'),
    since: z.string().optional(),
    until: z.string().optional(),
    total: z.number().int().optional(),
    ratePerSecond: z.number().optional(),
    queued: z.number().int().optional().describe('Replay Finished: deliveries queued again'),
    skipped: z.number().int().optional(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
  })
  .meta({ id: 'Activity' });
