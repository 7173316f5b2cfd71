/**
 * Issue 14, end to end over HTTP only (the local mode, as `npm start` runs it): one tenant's endpoint
 * hangs and that tenant is flooded; another tenant's deliveries still arrive promptly. The bound is
 * generous on purpose (the figure itself is measured by `npm run bench`, figure 7): no healthy delivery
 * may take as long as one attempt at the hanging endpoint, which is what it took before the fast lane
 * and the breaker (a batch waited for its slowest POST, and the hanging tenant held every batch).
 */
import { startHangingEndpoint } from '../../bench/isolation';
import {
  eventually,
  genericIntegration,
  postGeneric,
  startE2E,
  TENANT_KEYS,
  type E2E,
  type GenericEvent,
} from './support/harness';

const ATTEMPT_TIMEOUT_MS = 8_000;

let e2e: E2E;
let hanging: Awaited<ReturnType<typeof startHangingEndpoint>>;

beforeAll(async () => {
  hanging = await startHangingEndpoint();
  e2e = await startE2E({ deliveryTimeoutMs: ATTEMPT_TIMEOUT_MS, retrySchedule: [60, 300, 1800] });
}, 60_000);
afterAll(async () => {
  await e2e.stop();
  await hanging.stop();
});

const open = (id: string): GenericEvent => ({
  id,
  status: 'OPEN',
  channel: 'EMAIL',
  trackingId: `trk_${id}`,
});

it('a flooded tenant whose endpoint hangs does not hold up another tenant’s deliveries', async () => {
  const [healthyKey, floodedKey] = TENANT_KEYS as [string, string];
  for (const [key, url] of [
    [healthyKey, `${e2e.receiver.url}/healthy`],
    [floodedKey, hanging.url],
  ] as const) {
    const created = await e2e.call('POST', '/v1/webhooks', { url, events: ['EMAIL_OPEN'] }, key);
    expect(created.status).toBe(201);
  }
  const healthyInbound = await genericIntegration(e2e, healthyKey);
  const floodedInbound = await genericIntegration(e2e, floodedKey);

  // The flood: 300 events in three provider requests, all for the hanging endpoint.
  const flood = [0, 1, 2].map((request) =>
    postGeneric(
      floodedInbound,
      Array.from({ length: 100 }, (_, index) => open(`flood_${request}_${index}`)),
    ),
  );
  // Beside it, the healthy tenant's events, one every 100 ms.
  const sentAt = new Map<string, number>();
  for (let index = 0; index < 20; index++) {
    const posted = Date.now();
    const answer = await postGeneric(healthyInbound, open(`healthy_${index}`));
    expect(answer.status).toBe(200);
    sentAt.set((answer.body as { id: string }[])[0]!.id, posted);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (const answer of await Promise.all(flood)) expect(answer.status).toBe(200);

  const arrivals = await eventually(
    'every healthy delivery',
    () => {
      const received = e2e.receiver.received('/healthy');
      return received.length >= sentAt.size ? received : undefined;
    },
    30_000,
  );
  const latencies = arrivals.map((delivery) => {
    const eventId = (JSON.parse(delivery.body) as { id: string }).id;
    return delivery.at - sentAt.get(eventId)!;
  });
  expect(latencies).toHaveLength(20);
  expect(Math.max(...latencies)).toBeLessThan(ATTEMPT_TIMEOUT_MS);
  // The hanging endpoint was tried (the flood is real), but its breaker stopped the dialling.
  expect(hanging.requests()).toBeGreaterThan(0);
  expect(hanging.requests()).toBeLessThan(300);
}, 90_000);
