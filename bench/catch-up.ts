/**
 * Figure 9, catch-up throughput in the local mode: a disabled subscription's parked events re-sent on
 * re-enable (`PUT {"status":"active","catchUp":true}`), as arrivals per second at a real receiver,
 * against the configured `catchUpRatePerSecond`. Target: within 20 % of the rate and not above it
 * (the rate bounds what a recovering endpoint gets).
 *
 * A catch-up releases its deliveries in one-second slots of `rate` each (SQS message delays), so N
 * deliveries take N / rate slots: the throughput is N over the time from the first arrival to the end
 * of the last arrival's slot (last − first + 1 s). Counting from first to last arrival alone would
 * leave out the last slot and read one slot's worth above the rate.
 */
import path from 'node:path';
import { startLocal, type LocalStack } from '../local/stack';
import { genericEventSender, post, waitForArrivals, createdId } from './end-to-end';
import { startChild } from './lib/child';
import { compare, type FigureResult } from './lib/figure';

/** The configured rate (the default), and the events parked: 200 at 10/s is 20 slots and two replay steps. */
export const CATCH_UP_RATE = Number(process.env.CATCH_UP_RATE ?? 10);
export const PARKED_EVENTS = Number(process.env.CATCH_UP_EVENTS ?? 200);
const EVENTS_PER_REQUEST = 100;
const INBOUND_SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
const API_KEY = `er_local_catchup_${process.pid}_0123456789`;
const PARK_TIMEOUT_MS = 120_000;

/** Deliveries per second from the first arrival to the end of the last arrival's one-second slot. */
export function slotThroughput(arrivalTimes: readonly number[]): number {
  if (arrivalTimes.length === 0) return 0;
  const first = Math.min(...arrivalTimes);
  const last = Math.max(...arrivalTimes);
  return arrivalTimes.length / ((last - first) / 1000 + 1);
}

async function call(
  local: LocalStack,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${local.apiUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

export async function run(): Promise<FigureResult[]> {
  const receiver = startChild(path.join(__dirname, 'workers/receiver.ts'));
  const { url: receiverUrl } = await receiver.call<{ url: string }>('start', { record: true });
  let local: LocalStack | undefined;
  try {
    local = await startLocal({
      port: 0,
      apiKeys: [API_KEY],
      settings: {
        ...process.env,
        ALLOW_PRIVATE_TARGETS: 'true',
        RETRY_SCHEDULE: '1,2,3',
        LOG_LEVEL: 'ERROR',
      },
      environment: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
      config: { catchUpRatePerSecond: CATCH_UP_RATE },
    });
    const auth = { authorization: `Bearer ${API_KEY}` };
    const webhook = await createdId(
      await post(
        `${local.apiUrl}/v1/webhooks`,
        JSON.stringify({ url: receiverUrl, events: ['EMAIL_OPEN'], status: 'disabled' }),
        auth,
      ),
      'subscription',
    );
    const integration = await post(
      `${local.apiUrl}/v1/integrations`,
      JSON.stringify({ provider: 'generic', credentials: { secret: INBOUND_SECRET } }),
      auth,
    );
    await createdId(integration, 'integration');
    const send = genericEventSender(
      (JSON.parse(integration.body) as { inboundUrl: string }).inboundUrl,
      INBOUND_SECRET,
    );
    for (let start = 0; start < PARKED_EVENTS; start += EVENTS_PER_REQUEST) {
      const ids = Array.from(
        { length: Math.min(EVENTS_PER_REQUEST, PARKED_EVENTS - start) },
        (_, index) => `cu_${process.pid}_${start + index}`,
      );
      const { status } = await send(ids);
      if (status !== 200) throw new Error(`posting events: HTTP ${status}`);
    }
    const deadline = Date.now() + PARK_TIMEOUT_MS;
    for (;;) {
      const { body } = await call(local, 'GET', `/v1/webhooks/${webhook}/parked`);
      if (body.parked === PARKED_EVENTS) break;
      if (Date.now() > deadline) throw new Error(`only ${String(body.parked)} of ${PARKED_EVENTS} parked`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    const enabled = await call(local, 'PUT', `/v1/webhooks/${webhook}`, { status: 'active', catchUp: true });
    if (enabled.status !== 200) throw new Error(`re-enabling: HTTP ${enabled.status}`);
    const arrivals = await waitForArrivals(receiver, PARKED_EVENTS);
    const unique = new Set(arrivals.map((arrival) => arrival.webhookId));
    const throughput = slotThroughput(arrivals.map((arrival) => arrival.at));
    const result = compare(
      '9',
      'Catch-up (local mode): parked deliveries re-sent on re-enable, arrivals per second at the receiver',
      { value: throughput, unit: 'deliveries/s' },
      { name: 'configured catchUpRatePerSecond', value: CATCH_UP_RATE, unit: 'deliveries/s' },
      { minRatio: 0.8, maxRatio: 1 },
    );
    const first = Math.min(...arrivals.map((arrival) => arrival.at));
    const last = Math.max(...arrivals.map((arrival) => arrival.at));
    result.notes = [
      `${PARKED_EVENTS} events parked while disabled, re-enabled with catchUp at ${CATCH_UP_RATE}/s; ${arrivals.length} arrivals (${unique.size} distinct webhook-ids) over ${((last - first) / 1000).toFixed(1)} s from the first to the last; throughput = arrivals / (last − first + 1 s slot)`,
    ];
    if (arrivals.length !== PARKED_EVENTS || unique.size !== PARKED_EVENTS) result.pass = false;
    return [result];
  } finally {
    await local?.stop();
    await receiver.stop();
  }
}
