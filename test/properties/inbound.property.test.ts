/**
 * Property tests of the inbound endpoint for every provider, against emulated DynamoDB and the test
 * EventBridge (issue 12). Invariants:
 * - no request gets a 5xx, whatever its body, headers, query or integration id; every 4xx body is
 *   `{ error: { code, message } }`;
 * - a verified request's events are refused whole (4xx, nothing published) or published whole, and
 *   every published event fits EventBridge and SQS (size, characters) and names only subscriptions
 *   that match it;
 * - a good event sent afterwards is still published.
 */
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { handleInbound } from '../../lambdas/inbound/handler';
import { publishEvents } from '../../lambdas/inbound/ingest';
import { PROVIDER_NAMES, providerModule } from '../../lambdas/providers/registry';
import { resetClients } from '../../lambdas/shared/aws';
import { EVENT_TYPES, type EventType } from '../../lambdas/shared/catalog';
import { HttpError } from '../../lambdas/shared/errors';
import {
  envelopeFor,
  PUT_EVENTS_MAX_BYTES,
  putEventsEntrySize,
  type DeliveryRequest,
} from '../../lambdas/shared/events';
import { createIntegration, type Integration } from '../../lambdas/shared/integrations';
import { createSubscription, type Subscription } from '../../lambdas/shared/subscriptions';
import { startEventBus, type TestEventBus } from '../inbound/support/event-bus';
import { inboundEvent } from '../inbound/support/requests';
import { useEmulators } from '../support/emulators';
import {
  formBody,
  hostileJson,
  hostileKey,
  hostileText,
  jsonWithProtoKey,
  mutated,
  percentEncoded,
  providerSample,
  runs,
} from './support/arbitraries';

const TENANT = 'tn_properties';
const WHSEC = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
/** What SQS refuses in a message body (the envelope EventBridge writes to the queue). */
const REFUSED_BY_SQS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const FORM_PROVIDERS = new Set(['twilio', 'plivo', 'vonage', 'mandrill']);

let emulators: Awaited<ReturnType<typeof useEmulators>>;
let bus: TestEventBus;
const integrations = new Map<string, Integration>();
const subscriptions: Subscription[] = [];

beforeAll(async () => {
  emulators = await useEmulators();
  bus = await startEventBus();
  process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = bus.endpoint;
  process.env.EVENT_BUS_NAME = 'relay-bus';
  resetClients();
  for (const provider of PROVIDER_NAMES) {
    const integration: Integration = {
      id: `int_${provider}`,
      tenantId: TENANT,
      provider,
      credentials: provider === 'generic' ? { secret: WHSEC } : { secret: 'x', username: 'u', password: 'p' },
      createdAt: new Date().toISOString(),
    };
    await createIntegration(integration);
    integrations.set(provider, integration);
  }
  // One subscriber of everything, and one of a single event type per status, to check matching.
  const now = new Date().toISOString();
  for (const events of [
    [...EVENT_TYPES],
    ['EMAIL_OPEN'],
    ['EMAIL_CLICK'],
    ['PUSH_FAILED'],
  ] as EventType[][]) {
    const subscription: Subscription = {
      id: `wh_prop_${subscriptions.length}`,
      tenantId: TENANT,
      url: 'https://hooks.example.com/in',
      events,
      status: 'active',
      secret: WHSEC,
      retiredSecrets: [],
      createdAt: now,
      updatedAt: now,
    } as Subscription;
    await createSubscription(subscription);
    subscriptions.push(subscription);
  }
});
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
  await bus.stop();
  await emulators.stop();
});

/** Every 4xx is the API's error body: a machine code and a message. */
function expectErrorBody(status: number, body: string | undefined): void {
  expect(status).toBeGreaterThanOrEqual(400);
  expect(status).toBeLessThan(500);
  const parsed = JSON.parse(body ?? '') as { error?: { code?: unknown; message?: unknown } };
  expect(parsed.error?.code).toMatch(/^[a-z_]+$/);
  expect(typeof parsed.error?.message).toBe('string');
  expect((parsed.error!.message as string).length).toBeGreaterThan(0);
}

/** What the bus accepted since `from` fits the queues and names only matching subscriptions. */
function expectPublishable(from: number): void {
  for (const entry of bus.accepted.slice(from)) {
    expect(putEventsEntrySize({ ...entry, Time: 0 })).toBeLessThanOrEqual(PUT_EVENTS_MAX_BYTES);
    const detail = JSON.parse(entry.Detail) as DeliveryRequest;
    expect(JSON.stringify(envelopeFor(detail))).not.toMatch(REFUSED_BY_SQS);
    for (const id of detail.subscriptionIds) {
      const subscription = subscriptions.find((candidate) => candidate.id === id)!;
      expect(subscription.events).toContain(detail.eventType);
    }
  }
}

describe.each(PROVIDER_NAMES)('%s', (provider) => {
  const sample = providerSample(provider);
  const shaped = FORM_PROVIDERS.has(provider)
    ? mutated(sample.params).map((params) => ({
        body: formBody(params),
        contentType: 'application/x-www-form-urlencoded',
      }))
    : fc
        .oneof(
          { weight: 4, arbitrary: mutated(sample.body).map((body) => JSON.stringify(body) ?? 'null') },
          { weight: 1, arbitrary: mutated(sample.body).map(jsonWithProtoKey) },
        )
        .map((body) => ({ body, contentType: 'application/json' }));

  it('publishes a verified request whole or refuses it whole with a 4xx, and what it publishes fits the queues', async () => {
    const integration = integrations.get(provider)!;
    const module = providerModule(provider)!;
    await fc.assert(
      fc.asyncProperty(shaped, async ({ body, contentType }) => {
        const before = bus.accepted.length;
        const request = {
          rawBody: Buffer.from(body, 'utf8'),
          headers: { 'content-type': contentType },
          url: `https://api.example.test/v1/inbound/${integration.id}${sample.query ? `?${sample.query}` : ''}`,
          query: Object.fromEntries(new URLSearchParams(sample.query ?? '')),
          now: new Date(),
        };
        try {
          await publishEvents({ integration, module, context: NO_NETWORK }, request, {
            retryDelayMs: 0,
            includeRow: true,
          });
        } catch (error) {
          // A refusal is an HttpError 4xx with a code, and nothing was published.
          if (!(error instanceof HttpError)) throw error;
          expect(error.statusCode).toBeGreaterThanOrEqual(400);
          expect(error.statusCode).toBeLessThan(500);
          expect(error.code).toMatch(/^[a-z_]+$/);
          expect(bus.accepted.length).toBe(before);
          return;
        }
        expectPublishable(before);
      }),
      runs(12),
    );
  });

  it('answers any unsigned request with a 4xx error body, never a 5xx', async () => {
    const request = fc.record({
      body: fc.oneof(
        shaped.map(({ body }) => body),
        hostileText,
        hostileJson.map((value) => JSON.stringify(value) ?? ''),
      ),
      headers: fc.dictionary(
        fc.oneof(
          fc.constantFrom(
            'content-type',
            'webhook-id',
            'webhook-timestamp',
            'webhook-signature',
            'authorization',
            'idempotency-key',
          ),
          hostileKey,
        ),
        hostileText,
        { maxKeys: 4 },
      ),
      query: fc.oneof(
        fc.constant(''),
        fc.constantFrom('include=row', 'include=nope', 'include='),
        hostileText.map(percentEncoded),
      ),
      id: fc.oneof(
        { weight: 4, arbitrary: fc.constant(integrations.get(provider)!.id) },
        { weight: 1, arbitrary: hostileText.filter((text) => text.length > 0) },
      ),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ body, headers, query, id }) => {
        const before = bus.accepted.length;
        const response = await handleInbound(inboundEvent(id, body, { headers, rawQueryString: query }), {
          retryDelayMs: 0,
          context: NO_NETWORK,
        });
        expectErrorBody(response.statusCode, response.body as string);
        expect(bus.accepted.length).toBe(before);
      }),
      runs(8),
    );
  });
});

it('still publishes a good signed event after all that', async () => {
  const before = bus.accepted.length;
  const raw = JSON.stringify(providerSample('generic').body);
  const at = new Date();
  const response = await handleInbound(
    inboundEvent(integrations.get('generic')!.id, raw, {
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'msg_after',
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(WHSEC).sign('msg_after', at, raw),
      },
    }),
    { retryDelayMs: 0 },
  );
  expect(response.statusCode).toBe(200);
  expect(bus.accepted.length).toBe(before + 1);
  expectPublishable(before);
});

/** The SES module's network access, refused: no property run reaches outside. */
const NO_NETWORK = {
  snsCertificate: () => Promise.reject(new Error('no network in property tests')),
  confirmSubscription: () => Promise.reject(new Error('no network in property tests')),
  log: () => undefined,
};
