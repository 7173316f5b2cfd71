import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../lambdas/shared/aws';
import { useEmulators } from '../support/emulators';
import { call, useDeliveryQueues, validWebhook } from './support';

describe('Idempotency-Key on POST', () => {
  let emulators: Awaited<ReturnType<typeof useEmulators>>;
  beforeAll(async () => {
    emulators = await useEmulators();
    await useDeliveryQueues();
  });
  afterAll(() => emulators.stop());

  const list = async (tenantId: string) =>
    (await call('GET', '/v1/webhooks', { tenantId })).body.items as { id: string }[];

  it('returns the first response to a repeat, and creates only one subscription', async () => {
    const tenantId = 'tn_idem';
    const headers = { 'Idempotency-Key': 'create-1' };
    const first = await call('POST', '/v1/webhooks', { tenantId, headers, body: validWebhook() });
    const repeat = await call('POST', '/v1/webhooks', { tenantId, headers, body: validWebhook() });
    expect(first.status).toBe(201);
    expect(repeat.status).toBe(201);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(await list(tenantId)).toHaveLength(1);
  });

  it('treats a body with the same JSON in another key order as the same request', async () => {
    const tenantId = 'tn_idem_order';
    const headers = { 'idempotency-key': 'k' };
    const first = await call('POST', '/v1/webhooks', {
      tenantId,
      headers,
      body: { url: 'https://a.example.com/', events: ['SMS_FAILED'] },
    });
    const repeat = await call('POST', '/v1/webhooks', {
      tenantId,
      headers,
      body: { events: ['SMS_FAILED'], url: 'https://a.example.com/' },
    });
    expect(repeat.body.id).toBe(first.body.id);
  });

  it('answers 422 when the key is reused with a different body', async () => {
    const tenantId = 'tn_idem_reuse';
    const headers = { 'Idempotency-Key': 'same-key' };
    await call('POST', '/v1/webhooks', { tenantId, headers, body: validWebhook() });
    const reused = await call('POST', '/v1/webhooks', {
      tenantId,
      headers,
      body: validWebhook({ description: 'other' }),
    });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    expect(await list(tenantId)).toHaveLength(1);
  });

  it('scopes keys by tenant and by path', async () => {
    const headers = { 'Idempotency-Key': 'shared-key' };
    const a = await call('POST', '/v1/webhooks', { tenantId: 'tn_scope_a', headers, body: validWebhook() });
    const b = await call('POST', '/v1/webhooks', { tenantId: 'tn_scope_b', headers, body: validWebhook() });
    expect(b.status).toBe(201);
    expect(b.body.id).not.toBe(a.body.id);
    const rotate = await call('POST', `/v1/webhooks/${a.body.id}/secret/rotate`, {
      tenantId: 'tn_scope_a',
      headers,
    });
    expect(rotate.status).toBe(200);
    const rotateAgain = await call('POST', `/v1/webhooks/${a.body.id}/secret/rotate`, {
      tenantId: 'tn_scope_a',
      headers,
    });
    expect(rotateAgain.body.secret).toBe(rotate.body.secret);
  });

  it('does not store failures, so the same key works once the request is fixed', async () => {
    const tenantId = 'tn_idem_fail';
    const headers = { 'Idempotency-Key': 'retry-after-404' };
    const missing = await call('POST', '/v1/webhooks/wh_missing/secret/rotate', { tenantId, headers });
    expect(missing.status).toBe(404);
    const invalid = await call('POST', '/v1/webhooks', {
      tenantId,
      headers: { 'Idempotency-Key': 'fix-me' },
      body: { url: 'x' },
    });
    expect(invalid.status).toBe(400);
    const fixed = await call('POST', '/v1/webhooks', {
      tenantId,
      headers: { 'Idempotency-Key': 'fix-me' },
      body: validWebhook(),
    });
    expect(fixed.status).toBe(201);
  });

  it('does not deduplicate requests without the header', async () => {
    const tenantId = 'tn_no_key';
    await call('POST', '/v1/webhooks', { tenantId, body: validWebhook() });
    await call('POST', '/v1/webhooks', { tenantId, body: validWebhook() });
    expect(await list(tenantId)).toHaveLength(2);
  });

  it('refuses a malformed key', async () => {
    const answer = await call('POST', '/v1/webhooks', {
      headers: { 'Idempotency-Key': 'has space' },
      body: validWebhook(),
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain('Idempotency-Key');
  });

  it('stores records with a 24 h expiration and no tenant data in the key', async () => {
    const { Items } = await dynamo().send(new ScanCommand({ TableName: process.env.IDEMPOTENCY_TABLE! }));
    expect(Items!.length).toBeGreaterThan(0);
    for (const item of Items!) {
      expect(item.id).toMatch(/^api#[A-Za-z0-9+/]{43}=$/);
      const hours = (item.expiration - Date.now() / 1000) / 3600;
      expect(Math.round(hours)).toBe(24);
    }
  });
});
