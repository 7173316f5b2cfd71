/**
 * Figure 5, end to end in the local mode: provider POST → webhook arrival at a receiver on 127.0.0.1,
 * p50 and p99 over 1,000 events posted at a fixed rate, the sustained rate, and zero loss (each
 * accepted event delivered exactly once, checked by id). The baseline is the same POSTs sent straight
 * to the receiver with the same HTTP client.
 *
 * The provider is the `generic` one: Standard Webhooks signed requests with the integration's secret.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { derivedId } from '../lambdas/shared/ids';
import { startChild } from './lib/child';
import { compare, unavailable, type FigureResult } from './lib/figure';
import { percentile } from './lib/measure';
import type { Arrival } from './workers/receiver';

const EVENTS = 1_000;
const RATE_PER_SECOND = 100;
const WARMUP_EVENTS = 50;
const DRAIN_TIMEOUT_MS = 60_000;
const INBOUND_SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

interface LocalMode {
  apiUrl: string;
  apiKeys: Record<string, string> | string[];
  stop(): Promise<void>;
}

const agent = new http.Agent({ keepAlive: true, keepAliveMsecs: 1_000, maxFreeSockets: 64 });

function post(
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
function genericEvent(providerEventId: string): string {
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

/** Posts `count` requests at a fixed rate; returns each request's send time by key. */
async function postAtFixedRate(
  count: number,
  send: (index: number) => Promise<{ key: string; status: number }>,
): Promise<{ sentAt: Map<string, number>; rejected: number; firstSentAt: number }> {
  const sentAt = new Map<string, number>();
  const interval = 1000 / RATE_PER_SECOND;
  const firstSentAt = now();
  let rejected = 0;
  const inFlight: Promise<void>[] = [];
  for (let index = 0; index < count; index++) {
    const due = firstSentAt + index * interval;
    const wait = due - now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const at = now();
    inFlight.push(
      send(index).then(({ key, status }) => {
        if (status >= 200 && status < 300) sentAt.set(key, at);
        else rejected++;
      }),
    );
  }
  await Promise.all(inFlight);
  return { sentAt, rejected, firstSentAt };
}

async function waitForArrivals(
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

function latencies(
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

function findStartLocal(): string | undefined {
  return ['local/index.ts', 'local/local.ts', 'local/start-local.ts', 'local/server.ts', 'local/start.ts']
    .map((file) => path.join(__dirname, '..', file))
    .find((file) => existsSync(file));
}

export async function run(): Promise<FigureResult[]> {
  const modulePath = findStartLocal();
  if (!modulePath)
    return [
      unavailable(
        '5',
        'End to end, local mode',
        'the local mode (local/, startLocal) is not in this checkout yet',
      ),
    ];
  const { startLocal } = (await import(modulePath)) as {
    startLocal?: (options: object) => Promise<LocalMode>;
  };
  if (!startLocal)
    return [
      unavailable('5', 'End to end, local mode', `${path.basename(modulePath)} does not export startLocal`),
    ];

  const receiver = startChild(path.join(__dirname, 'workers/receiver.ts'));
  const { url: receiverUrl } = await receiver.call<{ url: string }>('start', { record: true });
  const previousLogLevel = process.env.POWERTOOLS_LOG_LEVEL;
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const local = await startLocal({ port: 0, quiet: true, allowPrivateTargets: true });
  try {
    const apiKey = Array.isArray(local.apiKeys) ? local.apiKeys[0]! : Object.values(local.apiKeys)[0]!;
    const auth = { authorization: `Bearer ${apiKey}` };
    const created = await post(
      `${local.apiUrl}/v1/webhooks`,
      JSON.stringify({ url: receiverUrl, events: ['EMAIL_OPEN'] }),
      auth,
    );
    if (created.status !== 201 && created.status !== 200)
      throw new Error(`creating the subscription: HTTP ${created.status} ${created.body}`);
    const integration = await post(
      `${local.apiUrl}/v1/integrations`,
      JSON.stringify({ provider: 'generic', config: { secret: INBOUND_SECRET } }),
      auth,
    );
    if (integration.status !== 201 && integration.status !== 200)
      throw new Error(`creating the integration: HTTP ${integration.status} ${integration.body}`);
    const integrationId = (JSON.parse(integration.body) as { id: string }).id;
    const inboundUrl = `${local.apiUrl}/v1/inbound/${integrationId}`;
    const signer = new Webhook(INBOUND_SECRET);
    const sendEvent = async (providerEventId: string) => {
      const body = genericEvent(providerEventId);
      const messageId = `msg_${providerEventId}`;
      const timestamp = new Date();
      const response = await post(inboundUrl, body, {
        'webhook-id': messageId,
        'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
        'webhook-signature': signer.sign(messageId, timestamp, body),
      });
      return { key: derivedId('evt', integrationId, providerEventId), status: response.status };
    };

    // Warm-up: the first events pay for the functions' module loads and the first connections.
    const warmup = await postAtFixedRate(WARMUP_EVENTS, (index) => sendEvent(`warm_${process.pid}_${index}`));
    await waitForArrivals(receiver, warmup.sentAt.size);

    const relayed = await postAtFixedRate(EVENTS, (index) => sendEvent(`e2e_${process.pid}_${index}`));
    const arrivals = await waitForArrivals(receiver, relayed.sentAt.size);
    const delivered = new Map<string, number>();
    for (const arrival of arrivals)
      delivered.set(arrival.eventId ?? '', (delivered.get(arrival.eventId ?? '') ?? 0) + 1);
    const lost = [...relayed.sentAt.keys()].filter((id) => !delivered.has(id)).length;
    const duplicates = [...delivered.values()].filter((count) => count > 1).length;
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
    p50.notes = [`baseline p99 ${percentile(directLatency, 99).toFixed(2)} ms`];
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
    await local.stop();
    await receiver.stop();
    agent.destroy();
    if (previousLogLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
    else process.env.POWERTOOLS_LOG_LEVEL = previousLogLevel;
  }
}
