/**
 * API Gateway v2 proxy events for the management API, as the HTTP API sends them behind the tenant
 * authorizer, and a `call` helper that runs the real handler and parses its answer.
 */
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { sqs } from '../../lambdas/shared/aws';
import { ROUTES, routeKey } from '../../lambdas/shared/routes';
import { handler } from '../../lambdas/api/handler';
import type { ApiEvent } from '../../lambdas/api/router';

export interface EventOptions {
  /** The authorizer's tenant; `null` for a request without authorizer context. */
  tenantId?: string | null;
  /** A tenant portal session with these capabilities calls, instead of an API key. */
  session?: 'manage' | 'read';
  /** An object is sent as JSON; a string is sent as is. */
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  base64?: boolean;
}

function templateOf(method: string, path: string): string | undefined {
  return ROUTES.find(
    (route) =>
      route.method === method && new RegExp(`^${route.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path),
  )?.path;
}

export function apiEvent(method: string, path: string, options: EventOptions = {}): ApiEvent {
  const headers: Record<string, string> = { host: 'api.example.test', ...options.headers };
  let body: string | undefined;
  if (typeof options.body === 'string') body = options.body;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json';
    }
  }
  if (body !== undefined && options.base64) body = Buffer.from(body).toString('base64');
  const query = options.query ?? {};
  const rawQueryString = new URLSearchParams(query).toString();
  const template = templateOf(method, path);
  const tenantId = options.tenantId === undefined ? 'tn_default' : options.tenantId;
  return {
    version: '2.0',
    routeKey: template ? routeKey({ method: method as 'GET', path: template }) : '$default',
    rawPath: path,
    rawQueryString,
    headers,
    ...(rawQueryString ? { queryStringParameters: query } : {}),
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: Boolean(options.base64),
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'jest' },
      requestId: 'req',
      routeKey: '',
      stage: '$default',
      time: '',
      timeEpoch: 0,
      ...(tenantId !== null
        ? {
            authorizer: {
              lambda: options.session
                ? { tenantId, principal: 'session', capabilities: options.session }
                : { tenantId },
            },
          }
        : {}),
    },
  } as ApiEvent;
}

export interface ApiAnswer {
  status: number;
  headers: Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export async function call(method: string, path: string, options: EventOptions = {}): Promise<ApiAnswer> {
  const response = await handler(apiEvent(method, path, options));
  const text = response.body ?? '';
  return {
    status: response.statusCode,
    headers: (response.headers ?? {}) as Record<string, string>,
    body:
      text && response.headers?.['content-type'] === 'application/json' ? JSON.parse(text as string) : text,
  };
}

/** Creates one queue per status and sets DELIVERY_QUEUE_URLS. */
export async function useDeliveryQueues(): Promise<Record<'OPEN' | 'CLICK' | 'FAILED', string>> {
  const suffix = Math.random().toString(36).slice(2, 8);
  const urls = {} as Record<'OPEN' | 'CLICK' | 'FAILED', string>;
  for (const status of ['OPEN', 'CLICK', 'FAILED'] as const) {
    const { QueueUrl } = await sqs().send(
      new CreateQueueCommand({ QueueName: `delivery-${status}-${suffix}` }),
    );
    urls[status] = QueueUrl!;
  }
  process.env.DELIVERY_QUEUE_URLS = JSON.stringify(urls);
  return urls;
}

export const validWebhook = (overrides: Record<string, unknown> = {}) => ({
  url: 'https://hooks.example.com/events',
  events: ['EMAIL_OPEN', 'EMAIL_FAILED'],
  ...overrides,
});
