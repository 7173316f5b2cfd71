/**
 * With ALLOW_PRIVATE_TARGETS=false (a default deployment), the local mode refuses subscriptions to
 * loopback, link-local (cloud metadata) and private addresses, including names resolving to them.
 */
import { startLocal, type LocalStack } from '../../local/stack';
import { apiClient } from './support';

const KEY = 'er_local_e2e_private_0123456789';
let local: LocalStack;

beforeAll(async () => {
  local = await startLocal({
    port: 0,
    apiKeys: [KEY],
    settings: { ...process.env, ALLOW_PRIVATE_TARGETS: 'false' },
  });
});

afterAll(async () => {
  await local?.stop();
});

it.each([
  'http://127.0.0.1:4000/hook',
  'https://127.0.0.1/hook',
  'http://169.254.169.254/latest/meta-data',
  'https://169.254.169.254/latest/meta-data',
  'https://10.0.0.8/hook',
  'https://localhost/hook',
])('refuses a subscription to %s', async (url) => {
  const api = apiClient(local.apiUrl, KEY);
  const response = await api.post('/v1/webhooks', { url, events: ['EMAIL_OPEN'] });
  expect(response.status).toBe(400);
  expect(response.body.error.message).toMatch(/url/i);
  expect((await api.get('/v1/webhooks')).body.items).toEqual([]);
});
