/** End to end with ALLOW_PRIVATE_TARGETS=false: subscriptions to private addresses are refused. */
import { startE2E, type E2E } from './support/harness';

let e2e: E2E;

beforeAll(async () => {
  e2e = await startE2E({ allowPrivateTargets: false });
});

afterAll(async () => {
  await e2e?.stop();
});

it.each([
  ['loopback over plain http', 'http://127.0.0.1:4000/hook'],
  ['loopback over https', 'https://127.0.0.1/hook'],
  ['the instance metadata address', 'https://169.254.169.254/latest/meta-data/'],
  ['a name resolving to loopback', 'https://localhost/hook'],
  ['a private network address', 'https://10.0.0.5/hook'],
])('refuses a subscription to %s', async (_, url) => {
  const created = await e2e.call('POST', '/v1/webhooks', { url, events: ['EMAIL_OPEN'] });

  expect(created.status).toBe(400);
  expect(created.body.error.message).toMatch(/url/i);
  expect((await e2e.call('GET', '/v1/webhooks')).body.items).toEqual([]);
});
