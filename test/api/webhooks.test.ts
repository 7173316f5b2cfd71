import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../lambdas/shared/aws';
import { getSubscription, matchingSubscriptions } from '../../lambdas/shared/subscriptions';
import { useEmulators } from '../support/emulators';
import { call, useDeliveryQueues, validWebhook } from './support';

describe('webhook subscriptions API', () => {
  let emulators: Awaited<ReturnType<typeof useEmulators>>;
  beforeAll(async () => {
    emulators = await useEmulators();
    await useDeliveryQueues();
  });
  afterAll(() => emulators.stop());
  afterEach(() => {
    delete process.env.ALLOW_PRIVATE_TARGETS;
  });

  describe('POST /v1/webhooks', () => {
    it('creates a subscription and shows its generated secret once', async () => {
      const created = await call('POST', '/v1/webhooks', {
        tenantId: 'tn_create',
        body: validWebhook({
          description: 'CRM sync',
          auth: { type: 'basic', username: 'relay', password: 's3cret-pass' },
          headers: { 'X-Tenant': 'acme' },
          products: ['AUTOMATION'],
        }),
      });
      expect(created.status).toBe(201);
      expect(created.headers.location).toBe(`/v1/webhooks/${created.body.id}`);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^wh_[0-9A-Z]{26}$/),
        url: 'https://hooks.example.com/events',
        events: ['EMAIL_OPEN', 'EMAIL_FAILED'],
        description: 'CRM sync',
        auth: { type: 'basic', username: 'relay' },
        headers: { 'X-Tenant': 'acme' },
        products: ['AUTOMATION'],
        status: 'active',
        createdAt: expect.any(String),
        updatedAt: created.body.createdAt,
        secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      });
      expect(Buffer.from(created.body.secret.slice(6), 'base64')).toHaveLength(32);

      const fetched = await call('GET', `/v1/webhooks/${created.body.id}`, { tenantId: 'tn_create' });
      expect(fetched.status).toBe(200);
      expect(fetched.body).not.toHaveProperty('secret');
      expect(JSON.stringify(fetched.body)).not.toContain('s3cret-pass');
      const { secret: _secret, ...withoutSecret } = created.body;
      expect(fetched.body).toEqual(withoutSecret);
    });

    it('keeps a supplied secret (whsec_ or plain) and never shows it after creation', async () => {
      const whsec = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
      const a = await call('POST', '/v1/webhooks', { body: validWebhook({ secret: whsec }) });
      expect(a.status).toBe(201);
      expect(a.body.secret).toBe(whsec);
      const b = await call('POST', '/v1/webhooks', { body: validWebhook({ secret: 'your-webhook-secret' }) });
      expect(b.status).toBe(201);
      expect(b.body.secret).toBe('your-webhook-secret');
      const stored = await getSubscription('tn_default', b.body.id);
      expect(stored?.secret).toBe('your-webhook-secret');
    });

    it.each([
      [{ url: 'http://hooks.example.com/x' }, 'url', 'https://'],
      [{ url: 'not a url' }, 'url', 'absolute URL'],
      [{ url: 'https://127.0.0.1/hook' }, 'url', 'private'],
      [{ url: 'https://10.1.2.3/hook' }, 'url', 'private'],
      [{ url: 'https://169.254.169.254/latest' }, 'url', 'private'],
      [{ url: 'https://[::1]/hook' }, 'url', 'private'],
      [{ url: 'https://[::ffff:192.168.0.1]/hook' }, 'url', 'private'],
      [{ url: 'https://localhost/hook' }, 'url', 'private'],
      [{ url: 'https://[64:ff9b::a00:1]/hook' }, 'url', 'private'],
      [{ url: 'https://0x7f.1/hook' }, 'url', 'private'],
      [{ url: 'https://user:pw@hooks.example.com/' }, 'url', 'credentials'],
      [{ events: [] }, 'events', 'at least one'],
      [{ events: ['EMAIL_BOUNCE'] }, 'events.0', 'Invalid option'],
      [{ secret: 'short' }, 'secret', '16–128'],
      [{ secret: `whsec_${Buffer.alloc(8).toString('base64')}` }, 'secret', '24–64 bytes'],
      [{ secret: 'whsec_not*base64' }, 'secret', 'base64'],
      [{ auth: { type: 'basic', username: 'a:b', password: 'x' } }, 'auth.username', ':'],
      [{ auth: { type: 'bearer', token: 'x' } }, 'auth.type', ''],
      [{ headers: { 'Webhook-Signature': 'x' } }, 'headers.Webhook-Signature', 'delivery engine'],
      [{ headers: { Connection: 'close' } }, 'headers.Connection', 'delivery engine'],
      [{ headers: { 'Bad Header': 'x' } }, 'headers.Bad Header', 'not a valid header name'],
      [{ headers: { 'X-A': 'line\r\nbreak' } }, 'headers.X-A', 'line breaks'],
      [{ products: ['has space'] }, 'products.0', 'letters'],
      [{ status: 'paused' }, 'status', 'Invalid option'],
      [{ active: false }, 'active', 'not a known field'],
      [{ created_at: 'now' }, 'created_at', 'not a known field'],
    ])('refuses %j with a 400 naming %s', async (overrides, field, hint) => {
      const answer = await call('POST', '/v1/webhooks', { body: validWebhook(overrides) });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('validation_error');
      expect(answer.body.error.message).toMatch(
        new RegExp(`^${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `),
      );
      expect(answer.body.error.message).toContain(hint);
      expect(answer.body.error.details.problems[0].field).toBe(field);
    });

    it('names a missing required field', async () => {
      const answer = await call('POST', '/v1/webhooks', { body: { url: 'https://hooks.example.com/' } });
      expect(answer.status).toBe(400);
      expect(answer.body.error.message).toMatch(/^events: /);
    });

    it('accepts a public IP literal', async () => {
      const answer = await call('POST', '/v1/webhooks', {
        body: validWebhook({ url: 'https://93.184.216.34/hook' }),
      });
      expect(answer.status).toBe(201);
    });

    it('accepts http:// and private addresses when the deployment allows private targets', async () => {
      process.env.ALLOW_PRIVATE_TARGETS = 'true';
      const answer = await call('POST', '/v1/webhooks', {
        body: validWebhook({ url: 'http://127.0.0.1:9999/hook' }),
      });
      expect(answer.status).toBe(201);
    });

    it('answers 400 for a body that is not JSON', async () => {
      const answer = await call('POST', '/v1/webhooks', {
        body: '{"url": ',
        headers: { 'content-type': 'application/json' },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error).toEqual({
        code: 'invalid_json',
        message: 'body: not valid JSON.',
        details: { field: 'body' },
      });
    });

    it('answers 400 when the body is missing', async () => {
      const answer = await call('POST', '/v1/webhooks', {});
      expect(answer.status).toBe(400);
      expect(answer.body.error.message).toMatch(/^body: /);
    });

    it('answers 415 unless the body is application/json', async () => {
      const answer = await call('POST', '/v1/webhooks', {
        body: JSON.stringify(validWebhook()),
        headers: { 'content-type': 'text/plain' },
      });
      expect(answer.status).toBe(415);
      expect(answer.body.error.code).toBe('unsupported_media_type');
      const withCharset = await call('POST', '/v1/webhooks', {
        body: validWebhook(),
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
      });
      expect(withCharset.status).toBe(201);
    });

    it('answers 413 for a body over 64 KB, also when base64-encoded', async () => {
      const big = validWebhook({ description: 'x'.repeat(70 * 1024) });
      for (const base64 of [false, true]) {
        const answer = await call('POST', '/v1/webhooks', { body: big, base64 });
        expect(answer.status).toBe(413);
        expect(answer.body.error.code).toBe('payload_too_large');
      }
    });

    it('answers 401 without a tenant from the authorizer', async () => {
      const answer = await call('POST', '/v1/webhooks', { tenantId: null, body: validWebhook() });
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe('unauthorized');
    });
  });

  describe('GET /v1/webhooks', () => {
    it('pages through 25 subscriptions newest first, without secrets or passwords', async () => {
      const tenantId = 'tn_pages';
      const created: string[] = [];
      for (let i = 0; i < 25; i++) {
        const answer = await call('POST', '/v1/webhooks', {
          tenantId,
          body: validWebhook({
            description: `hook ${i}`,
            auth: { type: 'basic', username: 'u', password: 'pw-never-shown' },
          }),
        });
        created.push(answer.body.id);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const answer = await call('GET', '/v1/webhooks', {
          tenantId,
          query: { limit: '10', ...(cursor ? { cursor } : {}) },
        });
        expect(answer.status).toBe(200);
        expect(JSON.stringify(answer.body)).not.toMatch(/pw-never-shown|secret/);
        seen.push(...answer.body.items.map((item: { id: string }) => item.id));
        cursor = answer.body.nextCursor;
        pages++;
      } while (cursor);
      expect(seen).toEqual([...created].reverse());
      expect(pages).toBeGreaterThanOrEqual(3);

      const defaultPage = await call('GET', '/v1/webhooks', { tenantId });
      expect(defaultPage.body.items).toHaveLength(20);
    });

    it.each([
      [{ limit: '0' }, 'limit'],
      [{ limit: '101' }, 'limit'],
      [{ limit: 'ten' }, 'limit'],
      [{ cursor: 'garbage' }, 'Invalid cursor'],
    ])('refuses query %j with a 400', async (query, hint) => {
      const answer = await call('GET', '/v1/webhooks', { query });
      expect(answer.status).toBe(400);
      expect(answer.body.error.message).toContain(hint);
    });

    it("refuses another tenant's cursor", async () => {
      for (let i = 0; i < 2; i++)
        await call('POST', '/v1/webhooks', { tenantId: 'tn_cursor', body: validWebhook() });
      const page = await call('GET', '/v1/webhooks', { tenantId: 'tn_cursor', query: { limit: '1' } });
      const foreign = await call('GET', '/v1/webhooks', {
        tenantId: 'tn_other',
        query: { cursor: page.body.nextCursor },
      });
      expect(foreign.status).toBe(400);
    });
  });

  describe('PUT /v1/webhooks/{id}', () => {
    it('updates any subset of fields and removes optional ones set to null', async () => {
      const created = await call('POST', '/v1/webhooks', {
        body: validWebhook({ description: 'old', products: ['CRM'], secret: 'the-original-secret' }),
      });
      const updated = await call('PUT', `/v1/webhooks/${created.body.id}`, {
        body: { events: ['SMS_FAILED'], description: null, products: null },
      });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({
        id: created.body.id,
        url: created.body.url,
        events: ['SMS_FAILED'],
        status: 'active',
      });
      expect(updated.body).not.toHaveProperty('description');
      expect(updated.body).not.toHaveProperty('products');
      expect(updated.body).not.toHaveProperty('secret');
      expect(updated.body.updatedAt >= created.body.updatedAt).toBe(true);
      const stored = await getSubscription('tn_default', created.body.id);
      expect(stored?.secret).toBe('the-original-secret');
    });

    it('disables and re-enables a subscription; the list and get show why and since when', async () => {
      const tenantId = 'tn_status';
      const created = await call('POST', '/v1/webhooks', { tenantId, body: validWebhook() });
      const before = new Date().toISOString();
      const disabled = await call('PUT', `/v1/webhooks/${created.body.id}`, {
        tenantId,
        body: { status: 'disabled' },
      });
      expect(disabled.status).toBe(200);
      expect(disabled.body).toMatchObject({ status: 'disabled', disabledReason: 'disabled through the API' });
      expect(disabled.body.disabledAt >= before).toBe(true);
      expect((await call('GET', `/v1/webhooks/${created.body.id}`, { tenantId })).body).toEqual(
        disabled.body,
      );
      const listed = await call('GET', '/v1/webhooks', { tenantId });
      expect(listed.body.items).toEqual([disabled.body]);
      // Still matched while disabled: its events are parked for a catch-up (delivery: parked).
      expect(
        (await matchingSubscriptions(tenantId, 'EMAIL_OPEN', undefined)).map((s) => [s.id, s.status]),
      ).toEqual([[created.body.id, 'disabled']]);

      const enabled = await call('PUT', `/v1/webhooks/${created.body.id}`, {
        tenantId,
        body: { status: 'active' },
      });
      expect(enabled.body.status).toBe('active');
      expect(enabled.body).not.toHaveProperty('disabledReason');
      expect(enabled.body).not.toHaveProperty('disabledAt');
      const matched = await matchingSubscriptions(tenantId, 'EMAIL_OPEN', undefined);
      expect(matched.map((subscription) => subscription.id)).toEqual([created.body.id]);
    });

    it('reads a subscription stored before statuses existed (`active: false`) as disabled', async () => {
      const created = await call('POST', '/v1/webhooks', { tenantId: 'tn_legacy', body: validWebhook() });
      const { status: _status, ...legacy } = (await getSubscription('tn_legacy', created.body.id))!;
      await dynamo().send(
        new PutCommand({
          TableName: process.env.SUBSCRIPTIONS_TABLE!,
          Item: { pk: 'TENANT#tn_legacy', sk: `SUB#${created.body.id}`, ...legacy, active: false },
        }),
      );
      const fetched = await call('GET', `/v1/webhooks/${created.body.id}`, { tenantId: 'tn_legacy' });
      expect(fetched.body.status).toBe('disabled');
      expect(fetched.body).not.toHaveProperty('active');
      expect((await matchingSubscriptions('tn_legacy', 'EMAIL_OPEN', undefined))[0]?.status).toBe('disabled');
    });

    it('creates a subscription disabled when asked', async () => {
      const created = await call('POST', '/v1/webhooks', { body: validWebhook({ status: 'disabled' }) });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ status: 'disabled', disabledReason: 'disabled through the API' });
    });

    it('validates like create', async () => {
      const created = await call('POST', '/v1/webhooks', { body: validWebhook() });
      const badUrl = await call('PUT', `/v1/webhooks/${created.body.id}`, {
        body: { url: 'http://example.com' },
      });
      expect(badUrl.status).toBe(400);
      expect(badUrl.body.error.message).toMatch(/^url: /);
      const empty = await call('PUT', `/v1/webhooks/${created.body.id}`, { body: {} });
      expect(empty.status).toBe(400);
      expect(empty.body.error.message).toContain('at least one field');
    });

    it('answers 404 for an unknown id', async () => {
      const answer = await call('PUT', '/v1/webhooks/wh_unknown', { body: { status: 'disabled' } });
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe('not_found');
    });
  });

  describe('DELETE /v1/webhooks/{id}', () => {
    it('deletes, then the id is gone', async () => {
      const created = await call('POST', '/v1/webhooks', { body: validWebhook() });
      const deleted = await call('DELETE', `/v1/webhooks/${created.body.id}`);
      expect(deleted.status).toBe(204);
      expect(deleted.body).toBe('');
      expect((await call('GET', `/v1/webhooks/${created.body.id}`)).status).toBe(404);
      expect((await call('DELETE', `/v1/webhooks/${created.body.id}`)).status).toBe(404);
    });
  });

  describe('POST /v1/webhooks/{id}/secret/rotate', () => {
    it('returns a new secret and keeps the old one signing for the grace period', async () => {
      const created = await call('POST', '/v1/webhooks', { body: validWebhook() });
      const before = Date.now();
      const rotated = await call('POST', `/v1/webhooks/${created.body.id}/secret/rotate`, {
        body: { gracePeriodSeconds: 3600 },
      });
      expect(rotated.status).toBe(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(created.body.secret);
      const stored = await getSubscription('tn_default', created.body.id);
      expect(stored?.secret).toBe(rotated.body.secret);
      expect(stored?.retiredSecrets).toEqual([
        { secret: created.body.secret, expiresAt: rotated.body.previousSecretExpiresAt },
      ]);
      const expiresIn = Date.parse(rotated.body.previousSecretExpiresAt) - before;
      expect(expiresIn).toBeGreaterThanOrEqual(3600_000 - 1000);
      expect(expiresIn).toBeLessThanOrEqual(3600_000 + 60_000);
    });

    it('defaults to a 24 h grace period without a body, and 0 retires the old secret at once', async () => {
      const created = await call('POST', '/v1/webhooks', { body: validWebhook() });
      const first = await call('POST', `/v1/webhooks/${created.body.id}/secret/rotate`);
      expect(first.status).toBe(200);
      const hours = (Date.parse(first.body.previousSecretExpiresAt) - Date.now()) / 3600_000;
      expect(Math.round(hours)).toBe(24);
      const second = await call('POST', `/v1/webhooks/${created.body.id}/secret/rotate`, {
        body: { gracePeriodSeconds: 0 },
      });
      const stored = await getSubscription('tn_default', created.body.id);
      expect(stored?.secret).toBe(second.body.secret);
      // the first secret is still in its grace period; the second one was retired at once
      expect(stored?.retiredSecrets.map((r) => r.secret)).toEqual([created.body.secret]);
    });

    it('refuses a grace period out of range', async () => {
      const created = await call('POST', '/v1/webhooks', { body: validWebhook() });
      const answer = await call('POST', `/v1/webhooks/${created.body.id}/secret/rotate`, {
        body: { gracePeriodSeconds: 604_801 },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.error.message).toMatch(/^gracePeriodSeconds: /);
    });
  });

  describe('routing', () => {
    it('answers 404 for an unknown path and 405 for a known path with another method', async () => {
      const unknown = await call('GET', '/v1/nothing-here');
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('route_not_found');
      const wrongMethod = await call('PATCH', '/v1/webhooks');
      expect(wrongMethod.status).toBe(405);
    });
  });
});
