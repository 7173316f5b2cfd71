import { getIntegration } from '../../lambdas/shared/integrations';
import { call } from '../api/support';
import { useEmulators } from '../support/emulators';

describe('integrations API', () => {
  let emulators: Awaited<ReturnType<typeof useEmulators>>;
  beforeAll(async () => {
    emulators = await useEmulators();
    process.env.DELIVERY_QUEUE_URLS = JSON.stringify({ OPEN: 'q', CLICK: 'q', FAILED: 'q' });
  });
  afterAll(() => emulators.stop());

  it('creates, lists, gets and deletes an integration without ever showing credentials', async () => {
    const created = await call('POST', '/v1/integrations', {
      tenantId: 'tn_a',
      body: { provider: 'mailgun', name: 'EU account', credentials: { signingKey: 'key-secret-123' } },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^int_[0-9A-Z]{26}$/),
      provider: 'mailgun',
      name: 'EU account',
      inboundUrl: `https://api.example.test/v1/inbound/${created.body.id}`,
      createdAt: expect.any(String),
    });
    expect((await getIntegration(created.body.id))?.credentials).toEqual({ signingKey: 'key-secret-123' });

    const list = await call('GET', '/v1/integrations', { tenantId: 'tn_a' });
    expect(list.body.items).toEqual([created.body]);
    const fetched = await call('GET', `/v1/integrations/${created.body.id}`, { tenantId: 'tn_a' });
    expect(fetched.body).toEqual(created.body);
    expect(JSON.stringify([list.body, fetched.body])).not.toContain('key-secret-123');

    expect((await call('GET', `/v1/integrations/${created.body.id}`, { tenantId: 'tn_b' })).status).toBe(404);
    expect((await call('DELETE', `/v1/integrations/${created.body.id}`, { tenantId: 'tn_b' })).status).toBe(
      404,
    );
    expect((await call('DELETE', `/v1/integrations/${created.body.id}`, { tenantId: 'tn_a' })).status).toBe(
      204,
    );
    expect((await call('GET', `/v1/integrations/${created.body.id}`, { tenantId: 'tn_a' })).status).toBe(404);
  });

  it('rejects unknown providers and credentials that do not fit the provider, naming the field', async () => {
    const unknown = await call('POST', '/v1/integrations', { body: { provider: 'pigeon', credentials: {} } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/^provider/);
    const wrong = await call('POST', '/v1/integrations', {
      body: { provider: 'postmark', credentials: { username: 'u' } },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toMatch(/^credentials\.password/);
    const missing = await call('POST', '/v1/integrations', { body: { provider: 'twilio' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/^credentials\.authToken/);
    const ses = await call('POST', '/v1/integrations', { body: { provider: 'ses' } });
    expect(ses.status).toBe(201);
    const badTopic = await call('POST', '/v1/integrations', {
      body: { provider: 'ses', credentials: { topicArns: ['not-an-arn'] } },
    });
    expect(badTopic.body.error.message).toMatch(/^credentials\.topicArns\.0/);
  });

  it('pages through the list with a cursor', async () => {
    for (let i = 0; i < 3; i++) {
      await call('POST', '/v1/integrations', {
        tenantId: 'tn_page',
        body: { provider: 'twilio', credentials: { authToken: `token-${i}` } },
      });
    }
    const first = await call('GET', '/v1/integrations', { tenantId: 'tn_page', query: { limit: '2' } });
    expect(first.body.items).toHaveLength(2);
    const second = await call('GET', '/v1/integrations', {
      tenantId: 'tn_page',
      query: { limit: '2', cursor: first.body.nextCursor },
    });
    expect(second.body.items).toHaveLength(1);
    const foreign = await call('GET', '/v1/integrations', {
      tenantId: 'tn_other',
      query: { cursor: first.body.nextCursor },
    });
    expect(foreign.status).toBe(400);
  });
});
