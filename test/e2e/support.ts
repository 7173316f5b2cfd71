/**
 * What the end-to-end tests use: a real webhook receiver on 127.0.0.1 that verifies every delivery as
 * a subscriber would, a small API client over HTTP, and polling with deadlines.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { Webhook } from 'standardwebhooks';

export interface ReceivedDelivery {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Status the receiver answered. */
  answered: number;
}

export interface Receiver {
  url: string;
  deliveries: ReceivedDelivery[];
  /** Deliveries to one path (one subscription each). */
  at(path: string): ReceivedDelivery[];
  /** How the receiver answers requests to `path` from now on: a list of statuses, the last repeating. */
  answer(path: string, statuses: number[]): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const deliveries: ReceivedDelivery[] = [];
  const plans = new Map<string, number[]>();
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const plan = plans.get(path) ?? [200];
      const answered = plan.length > 1 ? plan.shift()! : plan[0]!;
      deliveries.push({
        path,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        answered,
      });
      response.writeHead(answered, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ received: answered < 300 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    deliveries,
    at: (path) => deliveries.filter((delivery) => delivery.path === path),
    answer: (path, statuses) => plans.set(path, [...statuses]),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Standard Webhooks verification with the `standardwebhooks` package; throws when invalid. */
export function verifyStandardWebhooks(delivery: ReceivedDelivery, secret: string): unknown {
  const header = (name: string) => String(delivery.headers[name] ?? '');
  return new Webhook(secret).verify(delivery.body, {
    'webhook-id': header('webhook-id'),
    'webhook-timestamp': header('webhook-timestamp'),
    'webhook-signature': header('webhook-signature'),
  });
}

/** The seed's check: `sha256=` + hex HMAC-SHA256 of `JSON.stringify(req.body)` with the secret. */
export function seedSignatureValid(delivery: ReceivedDelivery, secret: string): boolean {
  const payload = JSON.stringify(JSON.parse(delivery.body));
  const expected = createHmac('sha256', secret).update(payload).digest('hex');
  return `sha256=${expected}` === delivery.headers['x-webhook-signature'];
}

/** Polls `check` until it returns a value other than undefined/false, or fails at the deadline. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    }
    await delay(100);
  }
}

/** An HTTP answer; bodies are JSON of many shapes, which the tests read field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface ApiResponse<T = Json> {
  status: number;
  body: T;
  headers: Headers;
}

/** A tenant's view of the API, over HTTP. */
export function apiClient(apiUrl: string, apiKey: string) {
  const call = async <T = Json>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text ? JSON.parse(text) : undefined) as T,
      headers: response.headers,
    };
  };
  return {
    get: <T = Json>(path: string) => call<T>('GET', path),
    post: <T = Json>(path: string, body?: unknown) => call<T>('POST', path, body ?? {}),
    put: <T = Json>(path: string, body: unknown) => call<T>('PUT', path, body),
    delete: <T = Json>(path: string) => call<T>('DELETE', path),
  };
}
export type ApiClient = ReturnType<typeof apiClient>;

/** Posts raw bytes to an inbound URL as a provider would. */
export async function postInbound(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<ApiResponse> {
  const response = await fetch(url, { method: 'POST', headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** A Standard Webhooks-signed request of the `generic` provider. */
export function genericRequest(
  secret: string,
  events: unknown,
): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify(events);
  const id = `gen_${Math.random().toString(36).slice(2)}`;
  const timestamp = new Date();
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
      'webhook-signature': new Webhook(secret).sign(id, timestamp, body),
    },
  };
}

export const basicAuth = (username: string, password: string) =>
  `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** Messages in a queue: visible, in flight and delayed. */
export async function messagesIn(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}
