/**
 * One signed POST of a webhook payload to one subscriber: the sender behind real deliveries and the
 * API's test route. It never throws for anything the endpoint does; every outcome is an AttemptResult.
 *
 * - Connections are reused (keep-alive agents live at module level, so across a batch and across warm
 *   invocations); plain http and non-public addresses are refused unless private targets are allowed.
 * - A connect timeout and a total timeout bound each attempt; redirects are never followed (3xx fails).
 * - At most 16 KB of the response is read (enough to let a small answer free the connection for
 *   reuse); the first 1 KB is kept for the delivery log.
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { version } from '../../package.json';
import type { BasicAuth } from '../shared/subscriptions';
import type { WebhookPayload } from '../shared/events';
import { assertPublicHost, guardedLookup, PrivateAddressError } from './address-guard';
import { signatureHeaders } from './sign';

export const USER_AGENT = `event-relay/${version}`;
/** Response bytes read before the connection is dropped. */
export const RESPONSE_READ_LIMIT = 16 * 1024;
/** Response bytes kept in the delivery log. */
export const RESPONSE_KEEP_LIMIT = 1024;
/** The TCP connect phase gets at most this long (within the total timeout). */
export const CONNECT_TIMEOUT_MS = 5_000;

export interface WebhookTarget {
  url: string;
  /** The current secret first, then retired ones still in their grace period. */
  secrets: string[];
  auth?: BasicAuth;
  headers?: Record<string, string>;
}

export interface SendOptions {
  /** Sent as `webhook-id`: the same for every attempt of a delivery. */
  deliveryId: string;
  timeoutMs: number;
  /** Allows plain http and private addresses (local mode and tests only). */
  allowPrivateTargets: boolean;
  /** The attempt's time, sent as `webhook-timestamp`. */
  now?: Date;
}

export interface AttemptResult {
  /** True for any 2xx answer. */
  delivered: boolean;
  statusCode?: number;
  durationMs: number;
  /** The first 1 KB of the response body. */
  responseBody?: string;
  /** Why the attempt failed, when it did for a reason other than a plain non-2xx status. */
  error?: string;
}

const agentOptions = { keepAlive: true, keepAliveMsecs: 1_000, maxFreeSockets: 64 };
/** One pair of agents per guard mode, so a connection opened without the guard is never reused with it. */
const agents = {
  guarded: { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) },
  open: { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) },
};

/** Builds the request headers. Custom headers come first so they can never replace ours. */
export function deliveryHeaders(
  target: WebhookTarget,
  body: string,
  deliveryId: string,
  now: Date,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(target.headers ?? {})) headers[name.toLowerCase()] = value;
  Object.assign(headers, signatureHeaders(target.secrets, deliveryId, now, body), {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(body, 'utf8')),
    'user-agent': USER_AGENT,
  });
  if (target.auth) {
    const credentials = Buffer.from(`${target.auth.username}:${target.auth.password}`, 'utf8').toString(
      'base64',
    );
    headers.authorization = `Basic ${credentials}`;
  } else {
    delete headers.authorization;
  }
  return headers;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error instanceof PrivateAddressError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}

/** POSTs `JSON.stringify(payload)` (exactly the bytes signed) to the target. Never throws. */
export async function sendWebhook(
  target: WebhookTarget,
  payload: WebhookPayload,
  options: SendOptions,
): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failed = (error: string): AttemptResult => ({ delivered: false, durationMs: elapsed(), error });

  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    return failed('invalid URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && options.allowPrivateTargets)) {
    return failed(`${url.protocol.replace(/:$/, '')} URLs are not allowed: use https`);
  }
  const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!options.allowPrivateTargets) {
    try {
      assertPublicHost(hostname);
    } catch (error) {
      return failed(describeError(error));
    }
  }

  const body = JSON.stringify(payload);
  let headers: Record<string, string>;
  try {
    headers = deliveryHeaders(target, body, options.deliveryId, options.now ?? new Date());
  } catch (error) {
    return failed(describeError(error));
  }
  const isHttps = url.protocol === 'https:';
  const agentsForMode = options.allowPrivateTargets ? agents.open : agents.guarded;
  const plan: RequestPlan = {
    module: isHttps ? https : http,
    options: {
      method: 'POST',
      protocol: url.protocol,
      hostname,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      headers,
      agent: isHttps ? agentsForMode.https : agentsForMode.http,
      lookup: options.allowPrivateTargets ? undefined : guardedLookup,
    },
    body,
    timeoutMs: options.timeoutMs,
  };
  const deadline = started + options.timeoutMs;
  let outcome = await postOnce(plan, deadline - performance.now());
  // A kept-alive connection the endpoint closed while it sat idle (or while a Lambda was frozen) fails
  // on first use; that says nothing about the endpoint, so the request goes once more on a new one.
  if (outcome.staleConnection && deadline - performance.now() > 0) {
    outcome = await postOnce(plan, deadline - performance.now());
  }
  const { staleConnection: _stale, ...result } = outcome;
  return { ...result, durationMs: elapsed() };
}

interface RequestPlan {
  module: typeof http | typeof https;
  options: http.RequestOptions;
  body: string;
  timeoutMs: number;
}

type PostOutcome = Omit<AttemptResult, 'durationMs'> & {
  /** The request failed on a reused connection before any answer. */
  staleConnection?: boolean;
};

const STALE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE']);

function postOnce(plan: RequestPlan, remainingMs: number): Promise<PostOutcome> {
  return new Promise<PostOutcome>((resolve) => {
    let settled = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (outcome: PostOutcome) => {
      if (settled) return;
      settled = true;
      timers.forEach(clearTimeout);
      resolve(outcome);
    };

    const request = plan.module.request(plan.options);

    // Until the status line arrives the timeout fails the attempt; after it, the answer stands and only
    // the reading of its body stops.
    let onTimeout = (): void => {
      request.destroy(new Error(`timed out after ${plan.timeoutMs} ms`));
    };
    timers.push(setTimeout(() => onTimeout(), Math.max(0, remainingMs)));
    request.on('socket', (socket: Socket) => {
      if (!socket.connecting) return; // a reused keep-alive connection
      const connectTimeout = Math.min(CONNECT_TIMEOUT_MS, plan.timeoutMs);
      const timer = setTimeout(
        () => request.destroy(new Error(`connect timed out after ${connectTimeout} ms`)),
        connectTimeout,
      );
      timers.push(timer);
      socket.once('connect', () => clearTimeout(timer));
    });
    request.on('error', (error: NodeJS.ErrnoException) =>
      finish({
        delivered: false,
        error: describeError(error),
        staleConnection: request.reusedSocket && STALE_CONNECTION_CODES.has(error.code ?? ''),
      }),
    );

    request.on('response', (response) => {
      const statusCode = response.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let received = 0;
      const done = () => {
        const responseBody = Buffer.concat(chunks).subarray(0, RESPONSE_KEEP_LIMIT).toString('utf8');
        const outcome: PostOutcome = {
          delivered: statusCode >= 200 && statusCode < 300,
          statusCode,
          responseBody,
        };
        if (statusCode >= 300 && statusCode < 400) {
          const location = response.headers.location;
          outcome.error = `redirect not followed (HTTP ${statusCode}${location ? ` to ${location}` : ''})`;
        }
        finish(outcome);
      };
      onTimeout = () => {
        done();
        response.destroy();
      };
      response.on('data', (chunk: Buffer) => {
        if (received < RESPONSE_KEEP_LIMIT) chunks.push(chunk);
        received += chunk.length;
        if (received > RESPONSE_READ_LIMIT) {
          // Too much to drain: drop this connection rather than read on.
          done();
          response.destroy();
        }
      });
      response.on('end', done);
      response.on('error', (error) => finish({ delivered: false, statusCode, error: describeError(error) }));
      response.on('aborted', done);
    });

    request.end(plan.body);
  });
}
