/**
 * Figure 5, end to end in the local mode: provider POST → webhook arrival at a receiver on 127.0.0.1,
 * p50 and p99 over 1,000 events posted at a fixed rate, the sustained rate, and zero loss (each
 * accepted event delivered exactly once, checked by id). The baseline is the same POSTs sent straight
 * to the receiver with the same HTTP client.
 *
 * The provider is the `generic` one: Standard Webhooks signed requests with the integration's secret.
 */
import http from 'node:http';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { startLocal, type LocalStack } from '../local/stack';
import { startChild } from './lib/child';
import { compare, type FigureResult } from './lib/figure';
import { percentile } from './lib/measure';
import type { Arrival } from './workers/receiver';

const EVENTS = 1_000;
const RATE_PER_SECOND = 50;
const WARMUP_EVENTS = 50;
const DRAIN_TIMEOUT_MS = 60_000;
const INBOUND_SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 1_000, maxFreeSockets: 64 });

export function post(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = http.request({
      method: 'POST',
      hostname: target.hostname,
      port: target.port,
      path: `${target.pathname}${target.search}`,
      agent,
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        ...headers,
      },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    request.end(body);
  });
}

const now = () => performance.timeOrigin + performance.now();

/** A generic-provider event (the shape the generic provider normalizes). */
export function genericEvent(providerEventId: string): string {
  return JSON.stringify({
    id: providerEventId,
    status: 'OPEN',
    channel: 'EMAIL',
    trackingId: `trk_${providerEventId}`,
    notificationId: 'welcome-email',
    userId: 'user-12345',
    occurredAt: new Date().toISOString(),
  });
}

/**
 * Posts one signed generic event to an integration's inbound URL; the key is the event id the inbound
 * function answers with.
 */
export function genericEventSender(inboundUrl: string, secret: string) {
  const signer = new Webhook(secret);
  /** Several ids post one request carrying those events (as providers batch them). */
  return async (providerEventId: string | string[]): Promise<{ key: string; status: number }> => {
    const ids = [providerEventId].flat();
    const body = Array.isArray(providerEventId)
      ? `[${ids.map(genericEvent).join(',')}]`
      : genericEvent(providerEventId);
    const messageId = `msg_${ids[0]}`;
    const timestamp = new Date();
    const response = await post(inboundUrl, body, {
      'webhook-id': messageId,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': signer.sign(messageId, timestamp, body),
    });
    if (response.status !== 200) return { key: ids[0]!, status: response.status };
    const [result] = JSON.parse(response.body) as { id: string }[];
    return { key: result?.id ?? ids[0]!, status: response.status };
  };
}

/** Posts `count` requests at a fixed rate; returns each request's send time by key. */
export async function postAtFixedRate(
  count: number,
  send: (index: number) => Promise<{ key: string; status: number }>,
  ratePerSecond = RATE_PER_SECOND,
): Promise<{ sentAt: Map<string, number>; rejected: number; firstSentAt: number }> {
  const sentAt = new Map<string, number>();
  const interval = 1000 / ratePerSecond;
  const firstSentAt = now();
  let rejected = 0;
  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < count; index++) {
    const due = firstSentAt + index * interval;
    const wait = due - now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const at = now();
    inFlight.push(
      send(index).then(
        ({ key, status }) => {
          if (status >= 200 && status < 300) sentAt.set(key, at);
          else rejected++;
        },
        () => {
          rejected++; // the connection failed: counted, not fatal to the run
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return { sentAt, rejected, firstSentAt };
}

export async function waitForArrivals(
  receiver: ReturnType<typeof startChild>,
  expected: number,
): Promise<Arrival[]> {
  const arrivals: Arrival[] = [];
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (arrivals.length < expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    arrivals.push(...(await receiver.call<Arrival[]>('takeArrivals')));
  }
  // Anything arriving shortly after would be a duplicate: give it a moment to show.
  await new Promise((resolve) => setTimeout(resolve, 500));
  arrivals.push(...(await receiver.call<Arrival[]>('takeArrivals')));
  return arrivals;
}

export function latencies(
  sentAt: Map<string, number>,
  arrivals: Arrival[],
  keyOf: (arrival: Arrival) => string | undefined,
) {
  const values: number[] = [];
  for (const arrival of arrivals) {
    const sent = sentAt.get(keyOf(arrival) ?? '');
    if (sent !== undefined) values.push(arrival.at - sent);
  }
  return values;
}

/** Local-mode settings: a short retry schedule (a lost attempt would show within seconds), private targets. */
const LOCAL_SETTINGS = {
  RETRY_SCHEDULE: '1,2,3',
  ALLOW_PRIVATE_TARGETS: 'true',
  DELIVERY_TIMEOUT_MS: '5000',
};
const API_KEY = `er_local_bench_${process.pid}_0123456789`;

export async function createdId(response: { status: number; body: string }, what: string): Promise<string> {
  if (response.status !== 201)
    throw new Error(`creating the ${what}: HTTP ${response.status} ${response.body}`);
  return (JSON.parse(response.body) as { id: string }).id;
}

export async function run(): Promise<FigureResult[]> {
  const receiver = startChild(path.join(__dirname, 'workers/receiver.ts'));
  const { url: receiverUrl } = await receiver.call<{ url: string }>('start', { record: true });
  // The local mode runs in this process: the functions' logs and metrics stay quiet.
  let local: LocalStack | undefined;
  try {
    local = await startLocal({
      port: 0,
      apiKeys: [API_KEY],
      settings: { ...process.env, ...LOCAL_SETTINGS, LOG_LEVEL: 'ERROR' },
      environment: { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    });
    const auth = { authorization: `Bearer ${API_KEY}` };
    await createdId(
      await post(
        `${local.apiUrl}/v1/webhooks`,
        JSON.stringify({ url: receiverUrl, events: ['EMAIL_OPEN'] }),
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
    const { inboundUrl } = JSON.parse(integration.body) as { inboundUrl: string };
    const sendEvent = genericEventSender(inboundUrl, INBOUND_SECRET);

    // Warm-up: the first events pay for the functions' module loads and the first connections.
    const warmup = await postAtFixedRate(WARMUP_EVENTS, (index) => sendEvent(`warm_${process.pid}_${index}`));
    await waitForArrivals(receiver, warmup.sentAt.size);

    const relayed = await postAtFixedRate(EVENTS, (index) => sendEvent(`e2e_${process.pid}_${index}`));
    const arrivals = await waitForArrivals(receiver, relayed.sentAt.size);
    const delivered = new Map<string, number>();
    for (const arrival of arrivals)
      delivered.set(arrival.eventId ?? '', (delivered.get(arrival.eventId ?? '') ?? 0) + 1);
    const lost = [...relayed.sentAt.keys()].filter((id) => !delivered.has(id)).length;
    const duplicates = [...relayed.sentAt.keys()].filter((id) => (delivered.get(id) ?? 0) > 1).length;
    const relayLatency = latencies(relayed.sentAt, arrivals, (arrival) => arrival.eventId);
    const lastArrival = Math.max(...arrivals.map((arrival) => arrival.at));
    const sustained = (relayed.sentAt.size - lost) / ((lastArrival - relayed.firstSentAt) / 1000);

    // Baseline: the same client posting straight to the receiver at the same rate.
    const direct = await postAtFixedRate(EVENTS, async (index) => {
      const id = `direct_${process.pid}_${index}`;
      const response = await post(receiverUrl, JSON.stringify({ id }), {});
      return { key: id, status: response.status };
    });
    const directArrivals = await waitForArrivals(receiver, direct.sentAt.size);
    const directLatency = latencies(direct.sentAt, directArrivals, (arrival) => arrival.eventId);

    const p50 = compare(
      '5',
      `End to end (local mode), POST → arrival p50 over ${EVENTS.toLocaleString('en-US')} events at ${RATE_PER_SECOND}/s`,
      { value: percentile(relayLatency, 50), unit: 'ms' },
      { name: 'direct POST p50', value: percentile(directLatency, 50), unit: 'ms' },
    );
    p50.extra = { p99: { value: percentile(relayLatency, 99), unit: 'ms' } };
    p50.notes = [
      `baseline p99 ${percentile(directLatency, 99).toFixed(2)} ms`,
      `startLocal (local/stack.ts) in this process: API server, dynalite, fauxqs, local bus and SQS pollers running the real handlers; generic provider, Standard Webhooks-signed; 1 subscriber; RETRY_SCHEDULE=${LOCAL_SETTINGS.RETRY_SCHEDULE}; the SQS pollers gather batches for up to the stack's maxBatchingWindowSeconds (cdk.json), as Lambda does`,
    ];
    const zeroLoss = lost === 0 && duplicates === 0 && relayed.rejected === 0;
    return [
      p50,
      {
        figure: '5',
        name: 'End to end (local mode), sustained rate with zero loss',
        value: sustained,
        unit: 'events/s',
        extra: {
          accepted: { value: relayed.sentAt.size, unit: 'events' },
          lost: { value: lost, unit: 'events' },
          duplicated: { value: duplicates, unit: 'events' },
        },
        pass: zeroLoss,
        notes: [
          `offered ${RATE_PER_SECOND} events/s; rejected ${relayed.rejected}; PASS means every accepted event arrived exactly once`,
        ],
      },
    ];
  } finally {
    await local?.stop();
    await receiver.stop();
    agent.destroy();
  }
}
