import { Webhook } from 'standardwebhooks';
import { sendWebhook, USER_AGENT } from '../../lambdas/delivery/send';
import type { WebhookPayload } from '../../lambdas/shared/events';
import { startReceiver, type Receiver } from './support/receiver';

const SECRET = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
const payload: WebhookPayload = {
  eventType: 'OPEN',
  trackingId: 'trk_1',
  notificationId: 'n-1',
  channel: 'EMAIL',
  userId: 'u-1',
  id: 'evt_1',
  occurredAt: '2025-01-15T10:30:05.000Z',
  provider: 'sendgrid',
};
const options = { deliveryId: 'msg_abc', timeoutMs: 2_000, allowPrivateTargets: true };

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(() => receiver.close());

test('posts the exact JSON body, signed, with auth, custom headers and user agent', async () => {
  receiver.reply({ status: 202, body: 'accepted' });
  const result = await sendWebhook(
    {
      url: `${receiver.url}/hooks?x=1`,
      secrets: [SECRET],
      auth: { type: 'basic', username: 'ann', password: 'p:ss' },
      headers: { 'X-Tenant-Tag': 'blue', 'Webhook-Id': 'spoofed', Authorization: 'Bearer spoofed' },
    },
    payload,
    options,
  );
  expect(result).toMatchObject({ delivered: true, statusCode: 202, responseBody: 'accepted' });
  expect(result.error).toBeUndefined();
  const [request] = receiver.requests;
  expect(request).toMatchObject({ method: 'POST', path: '/hooks?x=1', body: JSON.stringify(payload) });
  expect(request!.headers).toMatchObject({
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'x-tenant-tag': 'blue',
    'webhook-id': 'msg_abc',
    authorization: `Basic ${Buffer.from('ann:p:ss').toString('base64')}`,
  });
  expect(USER_AGENT).toMatch(/^event-relay\/\d+\.\d+\.\d+/);
  expect(request!.headers['x-webhook-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
  expect(new Webhook(SECRET).verify(request!.body, request!.headers as Record<string, string>)).toEqual(
    payload,
  );
});

test('without auth, no Authorization header is sent, even a custom one', async () => {
  await sendWebhook(
    { url: receiver.url, secrets: [SECRET], headers: { authorization: 'x' } },
    payload,
    options,
  );
  expect(receiver.requests[0]!.headers.authorization).toBeUndefined();
});

test('a non-2xx answer is a failed attempt with its status and the first 1 KB of the body', async () => {
  receiver.reply({ status: 500, body: 'x'.repeat(5_000) });
  const result = await sendWebhook({ url: receiver.url, secrets: [SECRET] }, payload, options);
  expect(result).toMatchObject({ delivered: false, statusCode: 500 });
  expect(result.responseBody).toBe('x'.repeat(1024));
});

test('an answer larger than 16 KB is cut off, and the status still counts', async () => {
  receiver.reply({ status: 200, body: 'y'.repeat(200_000) });
  const result = await sendWebhook({ url: receiver.url, secrets: [SECRET] }, payload, options);
  expect(result).toMatchObject({ delivered: true, statusCode: 200, responseBody: 'y'.repeat(1024) });
});

test('redirects are not followed and fail the attempt', async () => {
  receiver.reply({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data' } });
  const result = await sendWebhook({ url: receiver.url, secrets: [SECRET] }, payload, options);
  expect(result).toMatchObject({
    delivered: false,
    statusCode: 302,
    error: 'redirect not followed (HTTP 302 to http://169.254.169.254/latest/meta-data)',
  });
  expect(receiver.requests).toHaveLength(1);
});

test('an endpoint that never answers times out as a failed attempt', async () => {
  receiver.reply('hang');
  const result = await sendWebhook({ url: receiver.url, secrets: [SECRET] }, payload, {
    ...options,
    timeoutMs: 200,
  });
  expect(result).toMatchObject({ delivered: false, error: 'timed out after 200 ms' });
  expect(result.statusCode).toBeUndefined();
});

test('a refused connection is a failed attempt', async () => {
  await receiver.close();
  const result = await sendWebhook({ url: receiver.url, secrets: [SECRET] }, payload, options);
  expect(result).toMatchObject({ delivered: false });
  expect(result.error).toMatch(/ECONNREFUSED/);
  receiver = await startReceiver(); // for afterEach
});

test('connections are kept alive and reused', async () => {
  await sendWebhook({ url: receiver.url, secrets: [SECRET] }, payload, options);
  await sendWebhook({ url: receiver.url, secrets: [SECRET] }, payload, options);
  const [first, second] = receiver.requests;
  expect(second!.remotePort).toBe(first!.remotePort);
});

test('a kept-alive connection found closed is replaced once, within the same attempt', async () => {
  receiver.reply({ status: 200 }, 'reset', { status: 200 });
  await sendWebhook({ url: receiver.url, secrets: [SECRET] }, payload, options);
  const result = await sendWebhook({ url: receiver.url, secrets: [SECRET] }, payload, options);
  expect(result).toMatchObject({ delivered: true, statusCode: 200 });
  const [first, reset, retried] = receiver.requests;
  expect(reset!.remotePort).toBe(first!.remotePort);
  expect(retried!.remotePort).not.toBe(first!.remotePort);
});

test('a connection dropped on a fresh connection is a failed attempt, not retried', async () => {
  receiver.reply('reset', { status: 200 });
  const result = await sendWebhook({ url: receiver.url, secrets: [SECRET] }, payload, options);
  expect(result).toMatchObject({ delivered: false });
  expect(result.error).toMatch(/socket hang up|ECONNRESET/);
  expect(receiver.requests).toHaveLength(1);
});

describe('when private targets are not allowed', () => {
  const guarded = { ...options, allowPrivateTargets: false };

  test('plain http is refused', async () => {
    const result = await sendWebhook({ url: receiver.url, secrets: [SECRET] }, payload, guarded);
    expect(result).toMatchObject({ delivered: false, error: 'http URLs are not allowed: use https' });
    expect(receiver.requests).toHaveLength(0);
  });

  test.each([
    ['https://10.0.0.1/hook', 'refused to connect to private address 10.0.0.1'],
    ['https://169.254.169.254/latest', 'refused to connect to private address 169.254.169.254'],
    ['https://[fd00:ec2::254]/', 'refused to connect to private address fd00:ec2::254'],
    ['https://[::ffff:127.0.0.1]/', 'refused to connect to private address ::ffff:7f00:1'],
    ['https://0x7f000001/', 'refused to connect to private address 127.0.0.1'],
  ])('%s is refused before connecting', async (url, error) => {
    const result = await sendWebhook({ url, secrets: [SECRET] }, payload, guarded);
    expect(result).toMatchObject({ delivered: false, error });
  });

  test('a host name resolving to a private address is refused at connect time', async () => {
    const port = new URL(receiver.url).port;
    const result = await sendWebhook(
      { url: `https://localhost:${port}/`, secrets: [SECRET] },
      payload,
      guarded,
    );
    expect(result.delivered).toBe(false);
    expect(result.error).toMatch(/^refused to connect to private address (127\.0\.0\.1|::1)$/);
    expect(receiver.requests).toHaveLength(0);
  });

  test('an invalid URL is a failed attempt', async () => {
    const result = await sendWebhook({ url: 'not a url', secrets: [SECRET] }, payload, guarded);
    expect(result).toMatchObject({ delivered: false, error: 'invalid URL' });
  });
});
