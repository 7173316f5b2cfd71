/**
 * Property tests of the management API: every route, through the real handler against emulated
 * DynamoDB and SQS (issue 12). Invariants:
 * - no request gets a 5xx, whatever its method, path ids, query, headers or body;
 * - every 4xx body is `{ error: { code, message, details? } }`, and a validation error lists each
 *   problem as `{ field, message }`;
 * - a good request made afterwards still works.
 */
import { validateHeaderName, validateHeaderValue } from 'node:http';
import fc from 'fast-check';
import { ROUTES } from '../../lambdas/shared/routes';
import { apiEvent, call, useDeliveryQueues, validWebhook } from '../api/support';
import { handler } from '../../lambdas/api/handler';
import { useEmulators } from '../support/emulators';
import {
  hostileJson,
  hostileKey,
  hostileText,
  jsonWithProtoKey,
  mutated,
  percentEncoded,
  runs,
} from './support/arbitraries';

let emulators: Awaited<ReturnType<typeof useEmulators>>;

beforeAll(async () => {
  emulators = await useEmulators();
  await useDeliveryQueues();
});
afterAll(() => emulators.stop());

const apiRoutes = ROUTES.filter((route) => route.function === 'api');

/** A path segment for an `{id}`: a real-looking id, or anything at all, percent-encoded or raw. */
const idSegment = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('wh_01J0000000000000000000000', 'int_unknown', 'msg_1') },
  { weight: 3, arbitrary: hostileText.filter((text) => text.length > 0).map(percentEncoded) },
  { weight: 1, arbitrary: fc.constantFrom('%ZZ', '%', '%E0%A4%A', 'a'.repeat(3000), '..', '%2F') },
);

const subscriptionBody = mutated({
  ...validWebhook(),
  description: 'd',
  headers: { 'X-Team': 'ops' },
  auth: { type: 'basic', username: 'u', password: 'p' },
  products: ['CRM'],
});

/** A valid subscription but for its custom headers and description, which are anything at all. */
const hostileHeadersBody = fc
  .record({
    headers: fc.dictionary(
      fc.oneof(hostileKey, fc.constantFrom('X-Note', 'Host', 'Authorization', 'x-webhook-signature', 'X-A')),
      fc.oneof(hostileText, fc.constantFrom('café', 'café ✓', 'a\r\nb', 'ok')),
      { maxKeys: 3 },
    ),
    description: hostileText.map((text) => text.slice(0, 500)),
  })
  .map((extra) => ({ ...validWebhook(), ...extra }));

const body = fc.oneof(
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: hostileHeadersBody.map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: hostileHeadersBody.map(jsonWithProtoKey) },
  { weight: 4, arbitrary: subscriptionBody.map((value) => JSON.stringify(value) ?? 'null') },
  { weight: 1, arbitrary: subscriptionBody.map(jsonWithProtoKey) },
  { weight: 2, arbitrary: hostileJson.map((value) => JSON.stringify(value) ?? 'null') },
  { weight: 1, arbitrary: hostileText },
);

const request = fc.record({
  route: fc.constantFrom(...apiRoutes),
  method: fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS') },
  ),
  ids: fc.array(idSegment, { minLength: 2, maxLength: 2 }),
  body,
  contentType: fc.constantFrom('application/json', 'application/merge-patch+json', 'text/plain', undefined),
  query: fc.dictionary(
    fc.oneof(fc.constantFrom('limit', 'cursor', 'status', 'eventType'), hostileKey),
    fc.oneof(hostileText, fc.constantFrom('0', '-1', '1e9', '25', 'pending', 'EMAIL_OPEN', '!')),
    { maxKeys: 3 },
  ),
  idempotencyKey: fc.option(hostileText, { nil: undefined }),
  tenant: fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom('tn_a', 'tn_b') },
    { weight: 1, arbitrary: fc.constant(null) },
  ),
});

it('answers any request to any route without a 5xx, and every 4xx with a code, a message and field details', async () => {
  await fc.assert(
    fc.asyncProperty(
      request,
      async ({ route, method, ids, body, contentType, query, idempotencyKey, tenant }) => {
        let index = 0;
        const path = route.path.replace(/\{[^}]+\}/g, () => ids[index++]!);
        const headers: Record<string, string> = {};
        if (contentType) headers['content-type'] = contentType;
        if (idempotencyKey !== undefined) headers['idempotency-key'] = idempotencyKey;
        const event = apiEvent(method ?? route.method, path, { tenantId: tenant, body, headers });
        event.rawQueryString = new URLSearchParams(query).toString();
        event.queryStringParameters = query;
        const response = await handler(event);

        expect(response.statusCode).toBeLessThan(500);
        if (response.statusCode < 400) return;
        const parsed = JSON.parse(response.body as string) as {
          error: {
            code: string;
            message: string;
            details?: { problems?: { field: string; message: string }[] };
          };
        };
        expect(parsed.error.code).toMatch(/^[a-z_]+$/);
        expect(parsed.error.message.length).toBeGreaterThan(0);
        expect(parsed.error.message.length).toBeLessThan(2_000);
        if (parsed.error.code === 'validation_error') {
          expect(parsed.error.details!.problems!.length).toBeGreaterThan(0);
          for (const problem of parsed.error.details!.problems!) {
            expect(typeof problem.field).toBe('string');
            expect(problem.message.length).toBeGreaterThan(0);
          }
        }
      },
    ),
    runs(250),
  );
});

it('creates a subscription only with custom headers node:http will send, and refuses the rest naming each header', async () => {
  const headerName = fc.oneof(
    { weight: 2, arbitrary: hostileKey },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        'constructor',
        '__proto__',
        'toString',
        'X-Note',
        'Host',
        'Content-Length',
        'Authorization',
        'webhook-id',
        'X-A',
        'x-a',
        'bad name',
      ),
    },
  );
  const headerValue = fc.oneof(
    { weight: 2, arbitrary: hostileText },
    {
      weight: 3,
      arbitrary: fc.constantFrom('ok', 'café', 'café ✓', 'a\r\nb', 'tab\there', '\u0000', 'ÿ', 'Ā'),
    },
  );
  const created = await call('POST', '/v1/webhooks', { tenantId: 'tn_h', body: validWebhook() });
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(headerName, headerValue, { maxKeys: 3 }),
      fc.boolean(),
      async (headers, update) => {
        const raw = JSON.stringify(update ? { headers } : validWebhook({ headers }));
        const answer = update
          ? await call('PUT', `/v1/webhooks/${created.body.id}`, {
              tenantId: 'tn_h',
              body: raw,
              headers: { 'content-type': 'application/json' },
            })
          : await call('POST', '/v1/webhooks', {
              tenantId: 'tn_h',
              body: raw,
              headers: { 'content-type': 'application/json' },
            });
        if (answer.status === 200 || answer.status === 201) {
          for (const [name, value] of Object.entries(answer.body.headers ?? {})) {
            expect(() => validateHeaderName(name)).not.toThrow();
            expect(() => validateHeaderValue(name, value as string)).not.toThrow();
            expect(Object.prototype.hasOwnProperty.call(Object.prototype, name)).toBe(false);
          }
          expect(Object.keys(answer.body.headers ?? {}).sort()).toEqual(Object.keys(headers).sort());
          return;
        }
        if (answer.status === 413) return; // more than the API's 64 KB body limit
        expect(answer.status).toBe(400);
        expect(answer.body.error.code).toBe('validation_error');
        for (const problem of answer.body.error.details.problems) {
          expect(problem.field).toMatch(/^(body\.)?headers(\.|$)/);
        }
      },
    ),
    runs(120),
  );
});

it('still creates, reads and deletes a subscription after all that', async () => {
  const created = await call('POST', '/v1/webhooks', { tenantId: 'tn_a', body: validWebhook() });
  expect(created.status).toBe(201);
  expect((await call('GET', `/v1/webhooks/${created.body.id}`, { tenantId: 'tn_a' })).status).toBe(200);
  expect((await call('DELETE', `/v1/webhooks/${created.body.id}`, { tenantId: 'tn_a' })).status).toBe(204);
});
