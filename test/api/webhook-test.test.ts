import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { useEmulators } from '../support/emulators';
import { call, useDeliveryQueues, validWebhook } from './support';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver on 127.0.0.1 that records requests and answers with `reply` (which may wait). */
async function startReceiver(reply: (received: Received) => Promise<{ status: number; body: string }>) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(entry);
      void reply(entry).then(({ status, body }) => res.writeHead(status).end(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('POST /v1/webhooks/{id}/test', () => {
  let emulators: Awaited<ReturnType<typeof useEmulators>>;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let status = 200;
  beforeAll(async () => {
    emulators = await useEmulators();
    await useDeliveryQueues();
    receiver = await startReceiver(async () => ({
      status,
      body: status === 200 ? 'thanks' : 'x'.repeat(5000),
    }));
  });
  beforeEach(() => {
    process.env.ALLOW_PRIVATE_TARGETS = 'true';
    status = 200;
    receiver.received.length = 0;
  });
  afterAll(async () => {
    delete process.env.ALLOW_PRIVATE_TARGETS;
    await receiver.stop();
    await emulators.stop();
  });

  it('sends a signed sample of the chosen type with the webhook auth and headers, and reports the answer', async () => {
    const created = await call('POST', '/v1/webhooks', {
      body: validWebhook({
        url: receiver.url,
        events: ['EMAIL_OPEN', 'SMS_FAILED'],
        auth: { type: 'basic', username: 'relay', password: 'pw' },
        headers: { 'X-Tenant': 'acme' },
      }),
    });
    const answer = await call('POST', `/v1/webhooks/${created.body.id}/test`, {
      body: { eventType: 'SMS_FAILED' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      deliveryId: expect.stringMatching(/^msg_/),
      eventType: 'SMS_FAILED',
      delivered: true,
      statusCode: 200,
      durationMs: expect.any(Number),
      responseBody: 'thanks',
    });
    // Recorded in the delivery log like any delivery, under the id the receiver saw.
    const logs = await call('GET', `/v1/webhooks/${created.body.id}/logs`);
    expect(logs.body.items).toEqual([
      expect.objectContaining({
        deliveryId: answer.body.deliveryId,
        status: 'succeeded',
        attempts: [expect.objectContaining({ statusCode: 200, responseBody: 'thanks' })],
      }),
    ]);

    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    const payload = new Webhook(created.body.secret).verify(request!.body, {
      'webhook-id': request!.headers['webhook-id'] as string,
      'webhook-timestamp': request!.headers['webhook-timestamp'] as string,
      'webhook-signature': request!.headers['webhook-signature'] as string,
    });
    expect(payload).toMatchObject({
      eventType: 'SMS_FAILED',
      channel: 'SMS',
      trackingId: expect.any(String),
    });
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from('relay:pw').toString('base64')}`);
    expect(request!.headers['x-tenant']).toBe('acme');
  });

  it("defaults to the webhook's first event type and reports a failing endpoint with 1 KB of its answer", async () => {
    status = 500;
    const created = await call('POST', '/v1/webhooks', {
      body: validWebhook({ url: receiver.url, events: ['CALL_FAILED'] }),
    });
    const answer = await call('POST', `/v1/webhooks/${created.body.id}/test`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ delivered: false, statusCode: 500 });
    expect(answer.body.responseBody.length).toBeLessThanOrEqual(1024);
    expect(JSON.parse(receiver.received[0]!.body)).toMatchObject({ eventType: 'CALL_FAILED' });
  });

  it('refuses an event type the webhook does not subscribe to', async () => {
    const created = await call('POST', '/v1/webhooks', {
      body: validWebhook({ url: receiver.url, events: ['EMAIL_OPEN'] }),
    });
    const answer = await call('POST', `/v1/webhooks/${created.body.id}/test`, {
      body: { eventType: 'EMAIL_CLICK' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toMatch(/^eventType: /);
    expect(receiver.received).toHaveLength(0);
  });

  it('goes through the address guard: a loopback target is not dialled when private targets are off', async () => {
    const created = await call('POST', '/v1/webhooks', { body: validWebhook({ url: receiver.url }) });
    process.env.ALLOW_PRIVATE_TARGETS = 'false';
    const answer = await call('POST', `/v1/webhooks/${created.body.id}/test`);
    expect(answer.status).toBe(200);
    expect(answer.body.delivered).toBe(false);
    expect(answer.body.error).toEqual(expect.any(String));
    expect(receiver.received).toHaveLength(0);
  });

  it('answers 409 to a repeat of an Idempotency-Key whose first request is still running', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived!: () => void;
    const firstArrived = new Promise<void>((resolve) => (arrived = resolve));
    const slow = await startReceiver(async () => {
      arrived();
      await held;
      return { status: 204, body: '' };
    });
    try {
      const created = await call('POST', '/v1/webhooks', { body: validWebhook({ url: slow.url }) });
      const headers = { 'Idempotency-Key': 'test-once' };
      const first = call('POST', `/v1/webhooks/${created.body.id}/test`, { headers });
      await firstArrived;
      const concurrent = await call('POST', `/v1/webhooks/${created.body.id}/test`, { headers });
      expect(concurrent.status).toBe(409);
      expect(concurrent.body.error.code).toBe('idempotency_key_in_use');
      release();
      expect((await first).body).toMatchObject({ delivered: true, statusCode: 204 });
      const replay = await call('POST', `/v1/webhooks/${created.body.id}/test`, { headers });
      expect(replay.body).toMatchObject({ delivered: true, statusCode: 204 });
      expect(slow.received).toHaveLength(1);
    } finally {
      release();
      await slow.stop();
    }
  });
});
