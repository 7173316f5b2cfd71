/** End to end: the test event, secret rotation with its grace period, and retrying one delivery. */
import {
  eventually,
  genericIntegration,
  postGeneric,
  seedSignatureValid,
  startE2E,
  verifyStandardWebhooks,
  type E2E,
} from './support/harness';

let e2e: E2E;
let inboundUrl: string;

beforeAll(async () => {
  e2e = await startE2E();
  inboundUrl = await genericIntegration(e2e);
});

afterAll(async () => {
  await e2e?.stop();
});

async function subscribe(path: string): Promise<{ id: string; secret: string }> {
  const created = await e2e.call('POST', '/v1/webhooks', {
    url: `${e2e.receiver.url}${path}`,
    events: ['PUSH_FAILED'],
  });
  expect(created.status).toBe(201);
  return created.body as { id: string; secret: string };
}

const arrivals = (path: string, count: number) =>
  eventually(`${count} deliveries at ${path}`, () => {
    const received = e2e.receiver.received(path);
    return received.length >= count ? received : undefined;
  });

it('sends a signed test event at once, without logging a delivery', async () => {
  const { id, secret } = await subscribe('/test-event');

  const tested = await e2e.call('POST', `/v1/webhooks/${id}/test`, {});

  expect(tested.status).toBe(200);
  expect(tested.body).toEqual(expect.objectContaining({ delivered: true, statusCode: 200 }));
  const [delivery] = e2e.receiver.received('/test-event');
  expect(verifyStandardWebhooks(delivery!, secret)).toEqual(
    expect.objectContaining({ eventType: 'PUSH_FAILED' }),
  );
  expect(seedSignatureValid(delivery!.body, delivery!.headers['x-webhook-signature'] as string, secret)).toBe(
    true,
  );
  expect((await e2e.call('GET', `/v1/webhooks/${id}/logs`)).body.items).toEqual([]);
});

it('signs with both secrets during the grace period of a rotation', async () => {
  const { id, secret: oldSecret } = await subscribe('/rotated');

  const rotated = await e2e.call('POST', `/v1/webhooks/${id}/secret/rotate`, { gracePeriodSeconds: 3600 });
  expect(rotated.status).toBe(200);
  const newSecret = rotated.body.secret as string;
  expect(newSecret).not.toBe(oldSecret);
  await postGeneric(inboundUrl, {
    id: 'rotation-1',
    status: 'FAILED',
    channel: 'PUSH',
    trackingId: 'rotated',
  });

  const [delivery] = await arrivals('/rotated', 1);
  expect(String(delivery!.headers['webhook-signature']).split(' ')).toHaveLength(2);
  expect(verifyStandardWebhooks(delivery!, oldSecret)).toEqual(
    expect.objectContaining({ trackingId: 'rotated' }),
  );
  expect(verifyStandardWebhooks(delivery!, newSecret)).toEqual(
    expect.objectContaining({ trackingId: 'rotated' }),
  );
  expect(
    seedSignatureValid(delivery!.body, delivery!.headers['x-webhook-signature'] as string, newSecret),
  ).toBe(true);
});

it('delivers a finished delivery again when a tenant retries it', async () => {
  const { id } = await subscribe('/retried');
  await postGeneric(inboundUrl, { id: 'retry-1', status: 'FAILED', channel: 'PUSH', trackingId: 'retried' });
  const [first] = await arrivals('/retried', 1);
  const deliveryId = first!.headers['webhook-id'] as string;
  await eventually('the succeeded delivery', async () => {
    const logs = await e2e.call('GET', `/v1/webhooks/${id}/logs`);
    return logs.body.items[0]?.status === 'succeeded' ? true : undefined;
  });

  const retried = await e2e.call('POST', `/v1/webhooks/${id}/deliveries/${deliveryId}/retry`);

  expect(retried.status).toBe(202);
  expect(retried.body).toEqual({ deliveryId, status: 'pending' });
  const [, second] = await arrivals('/retried', 2);
  expect(second!.headers['webhook-id']).toBe(deliveryId);
  const logs = await eventually('two logged attempts', async () => {
    const { body } = await e2e.call('GET', `/v1/webhooks/${id}/logs`);
    return body.items[0]?.attempts.length === 2 && body.items[0].status === 'succeeded' ? body : undefined;
  });
  expect(logs.items).toHaveLength(1);
});
