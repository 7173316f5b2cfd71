/**
 * End-to-end harness: the local mode started in this process (`startLocal`), driven over HTTP only, and
 * a real webhook receiver on 127.0.0.1 whose answers each test scripts per path.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { ConfigSettings } from '../../../lib/config';
import { startLocal, type LocalStack } from '../../../local/stack';

export interface E2E {
  local: LocalStack;
  receiver: Receiver;
  /** A call to the API with the first tenant's key (or `key`). */
  call(method: string, path: string, body?: unknown, key?: string | null): Promise<ApiResponse>;
  stop(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export const TENANT_KEYS = [
  'er_live_e2e_tenant_one_0123456789abcdef',
  'er_live_e2e_tenant_two_0123456789abcdef',
];

export async function startE2E(config: ConfigSettings = {}): Promise<E2E> {
  const receiver = await startReceiver();
  const local = await startLocal({
    settings: {},
    port: 0,
    apiKeys: TENANT_KEYS,
    config: { retrySchedule: [1, 2, 3], ...config },
    environment: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
  });
  return {
    local,
    receiver,
    call: async (method, path, body, key = TENANT_KEYS[0]!) => {
      const response = await fetch(`${local.apiUrl}${path}`, {
        method,
        headers: {
          ...(key !== null ? { authorization: `Bearer ${key}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: response.status, headers: response.headers, body: parsed };
    },
    stop: async () => {
      await local.stop();
      await receiver.close();
    },
  };
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface ReceivedDelivery {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** When it arrived (ms since the epoch). */
  at: number;
}

export interface Receiver {
  url: string;
  /** Sets the statuses `path` answers with, in order; the last one repeats (default 200). */
  script(path: string, ...statuses: number[]): void;
  received(path: string): ReceivedDelivery[];
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const scripts = new Map<string, number[]>();
  const deliveries: ReceivedDelivery[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      deliveries.push({
        path,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      const script = scripts.get(path) ?? [200];
      const status = script.length > 1 ? script.shift()! : script[0]!;
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(status < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    script: (path, ...statuses) => scripts.set(path, statuses),
    received: (path) => deliveries.filter((delivery) => delivery.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The seed's check (003): `X-Webhook-Signature` = `sha256=` + hex HMAC-SHA256 of the raw body with the secret. */
export function seedSignatureValid(payload: string, signature: string | undefined, secret: string): boolean {
  const expected = createHmac('sha256', secret).update(payload).digest('hex');
  return `sha256=${expected}` === signature;
}

/** Verifies a delivery with the `standardwebhooks` package; returns the parsed payload or throws. */
export function verifyStandardWebhooks(delivery: ReceivedDelivery, secret: string): unknown {
  const key = secret.startsWith('whsec_')
    ? secret.slice('whsec_'.length)
    : Buffer.from(secret).toString('base64');
  return new Webhook(key).verify(delivery.body, {
    'webhook-id': String(delivery.headers['webhook-id']),
    'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
    'webhook-signature': String(delivery.headers['webhook-signature']),
  });
}

/** A `whsec_` secret for an integration or a subscription. */
export const INTEGRATION_SECRET = `whsec_${Buffer.from('e2e-integration-secret-0123456789').toString('base64')}`;

export interface GenericEvent {
  id: string;
  status: 'OPEN' | 'CLICK' | 'FAILED';
  channel: string;
  trackingId: string;
  notificationId?: string | null;
  userId?: string | null;
  product?: string;
}

/**
 * Posts events to a `generic` integration's inbound URL, signed as the platform signs them (Standard
 * Webhooks with the integration's secret), or with a wrong secret when `tamper` is set.
 */
export async function postGeneric(
  inboundUrl: string,
  events: GenericEvent | GenericEvent[],
  options: { secret?: string; tamper?: boolean } = {},
): Promise<ApiResponse> {
  const secret = options.secret ?? INTEGRATION_SECRET;
  const body = JSON.stringify(events);
  const id = `msg_e2e_${Math.random().toString(36).slice(2)}`;
  const now = new Date();
  const signingKey = options.tamper
    ? Buffer.from('not-the-integration-secret-000000').toString('base64')
    : secret.slice('whsec_'.length);
  const signature = new Webhook(signingKey).sign(id, now, body);
  const response = await fetch(inboundUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    },
    body,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

/** Creates a `generic` integration for the tenant; returns its inbound URL. */
export async function genericIntegration(e2e: E2E, key?: string): Promise<string> {
  const created = await e2e.call(
    'POST',
    '/v1/integrations',
    { provider: 'generic', name: 'platform', credentials: { secret: INTEGRATION_SECRET } },
    key,
  );
  if (created.status !== 201) throw new Error(`integration not created: ${JSON.stringify(created.body)}`);
  return created.body.inboundUrl as string;
}

/**
 * Resolves once every delivery queue of the stack is empty (nothing visible, in flight or delayed), so a
 * test can assert that nothing more will arrive. Reads the emulator's queue counters, nothing else.
 */
export async function queuesDrained(e2e: E2E, timeoutMs = 20_000): Promise<void> {
  const { GetQueueAttributesCommand, SQSClient } = await import('@aws-sdk/client-sqs');
  const client = new SQSClient({
    endpoint: e2e.local.operatorEnv.AWS_ENDPOINT_URL_SQS,
    useQueueUrlAsEndpoint: false,
  });
  const urls = Object.values(
    JSON.parse(e2e.local.operatorEnv.DELIVERY_QUEUE_URLS!) as Record<string, string>,
  );
  try {
    await eventually(
      'empty delivery queues',
      async () => {
        for (const url of urls) {
          const { Attributes = {} } = await client.send(
            new GetQueueAttributesCommand({
              QueueUrl: url,
              AttributeNames: [
                'ApproximateNumberOfMessages',
                'ApproximateNumberOfMessagesNotVisible',
                'ApproximateNumberOfMessagesDelayed',
              ],
            }),
          );
          if (Object.values(Attributes).some((count) => count !== '0')) return undefined;
        }
        return true;
      },
      timeoutMs,
    );
  } finally {
    client.destroy();
  }
}

/** Messages waiting in the dead-letter queue of `status`. */
export async function deadLetterCount(e2e: E2E, status: 'OPEN' | 'CLICK' | 'FAILED'): Promise<number> {
  const { GetQueueAttributesCommand, SQSClient } = await import('@aws-sdk/client-sqs');
  const client = new SQSClient({
    endpoint: e2e.local.operatorEnv.AWS_ENDPOINT_URL_SQS,
    useQueueUrlAsEndpoint: false,
  });
  try {
    const url = (JSON.parse(e2e.local.operatorEnv.DEAD_LETTER_QUEUE_URLS!) as Record<string, string>)[
      status
    ]!;
    const { Attributes = {} } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
    );
    return Number(Attributes.ApproximateNumberOfMessages ?? 0);
  } finally {
    client.destroy();
  }
}
