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
import { boundedMemo } from '../shared/memo';
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
  /** Cuts the attempt off before its time limit, as a timeout would (an answer already begun stands). */
  cutOff?: AbortSignal;
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
  /** No answer (status line) came within the time limit: the attempt was cut off. */
  timedOut?: boolean;
  /** The response's `Retry-After` header, as sent. */
  retryAfter?: string;
}

const agentOptions = { keepAlive: true, keepAliveMsecs: 1_000, maxFreeSockets: 64 };
/** One pair of agents per guard mode, so a connection opened without the guard is never reused with it. */
const agents = {
  guarded: { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) },
  open: { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) },
};

/**
 * Builds the request headers. Custom headers come first so they can never replace ours. `body` is the
 * exact bytes sent (a string is taken as UTF-8).
 */
export function deliveryHeaders(
  target: WebhookTarget,
  body: string | Uint8Array,
  deliveryId: string,
  now: Date,
): Record<string, string> {
  const headers: Record<string, string> = {};
  let customAuthorization = false;
  const custom = target.headers;
  if (custom) {
    for (const name of Object.keys(custom)) {
      const lower = name.toLowerCase();
      headers[lower] = custom[name]!;
      if (lower === 'authorization') customAuthorization = true;
    }
  }
  const signature = signatureHeaders(target.secrets, deliveryId, now, body);
  headers['webhook-id'] = signature['webhook-id'];
  headers['webhook-timestamp'] = signature['webhook-timestamp'];
  headers['webhook-signature'] = signature['webhook-signature'];
  headers['x-webhook-signature'] = signature['x-webhook-signature'];
  headers['content-type'] = 'application/json';
  headers['content-length'] = String(
    typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length,
  );
  headers['user-agent'] = USER_AGENT;
  if (target.auth) {
    const credentials = Buffer.from(`${target.auth.username}:${target.auth.password}`, 'utf8').toString(
      'base64',
    );
    headers.authorization = `Basic ${credentials}`;
  } else if (customAuthorization) {
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

/** What a target URL says about where to connect, parsed once per URL string. */
interface ParsedTarget {
  protocol: string;
  isHttps: boolean;
  /** Without IPv6 brackets. */
  hostname: string;
  port: string | undefined;
  path: string;
  /** The `Host` header: the host name (IPv6 in brackets) and the port unless it is the scheme's default. */
  host: string;
  /** Set when the host is a non-public IP literal: the refusal, given when private targets are not allowed. */
  privateHostError?: string;
}

/**
 * Parsed target URLs by URL string: parsing, the IP-literal check and the path are pure functions of
 * the string, so a warm function does them once per subscription URL, not once per delivery. Host
 * names are still checked on every new connection, by `guardedLookup` on the address actually dialled.
 * `null` marks an invalid URL.
 */
const parseTarget = boundedMemo(1024, (text: string): ParsedTarget | null => {
  let parsed: ParsedTarget;
  try {
    const url = new URL(text);
    const hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    parsed = {
      protocol: url.protocol,
      isHttps: url.protocol === 'https:',
      hostname,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      host: url.host,
    };
    try {
      assertPublicHost(hostname);
    } catch (error) {
      parsed.privateHostError = describeError(error);
    }
  } catch {
    return null;
  }
  return parsed;
});

/**
 * The headers as the flat `[name, value, ...]` list `http.request` also takes, with the `Host` header
 * it would otherwise add itself (last, as it does). Given a list, node:http validates each header once
 * and writes it straight into the request head; given an object, it first copies every header into a
 * header map of its own (validating, lower-casing), then walks that map to write the head.
 */
function headerList(headers: Record<string, string>, host: string): string[] {
  const list: string[] = [];
  for (const name of Object.keys(headers)) list.push(name, headers[name]!);
  list.push('Host', host);
  return list;
}

function failedAttempt(started: number, error: string): AttemptResult {
  return { delivered: false, durationMs: Math.round(performance.now() - started), error };
}

/** POSTs `JSON.stringify(payload)` (exactly the bytes signed) to the target. Never throws. */
export async function sendWebhook(
  target: WebhookTarget,
  payload: WebhookPayload,
  options: SendOptions,
): Promise<AttemptResult> {
  const started = performance.now();

  const url = parseTarget(target.url);
  if (url === null) return failedAttempt(started, 'invalid URL');
  if (!url.isHttps && !(url.protocol === 'http:' && options.allowPrivateTargets)) {
    return failedAttempt(started, `${url.protocol.replace(/:$/, '')} URLs are not allowed: use https`);
  }
  if (!options.allowPrivateTargets && url.privateHostError !== undefined) {
    return failedAttempt(started, url.privateHostError);
  }

  // Encoded once: these bytes are signed, measured for content-length and sent.
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  let headers: Record<string, string>;
  try {
    headers = deliveryHeaders(target, body, options.deliveryId, options.now ?? new Date());
  } catch (error) {
    return failedAttempt(started, describeError(error));
  }
  const agentsForMode = options.allowPrivateTargets ? agents.open : agents.guarded;
  const requestOptions: http.RequestOptions = {
    method: 'POST',
    hostname: url.hostname,
    port: url.port,
    path: url.path,
    headers: headers.host === undefined ? headerList(headers, url.host) : headers,
    agent: url.isHttps ? agentsForMode.https : agentsForMode.http,
  };
  if (!options.allowPrivateTargets) requestOptions.lookup = guardedLookup;
  const plan: RequestPlan = {
    module: url.isHttps ? https : http,
    options: requestOptions,
    body,
    timeoutMs: options.timeoutMs,
    ...(options.cutOff && { cutOff: options.cutOff }),
  };
  const deadline = started + options.timeoutMs;
  let attempt = await postOnce(plan, deadline - performance.now());
  // A kept-alive connection the endpoint closed while it sat idle (or while a Lambda was frozen) fails
  // on first use; that says nothing about the endpoint, so the request goes once more on a new one.
  if (attempt instanceof Post && attempt.staleConnection && deadline - performance.now() > 0) {
    attempt = await postOnce(plan, deadline - performance.now());
  }
  const result = attempt instanceof Post ? attempt.result! : attempt;
  result.durationMs = Math.round(performance.now() - started);
  return result;
}

interface RequestPlan {
  module: typeof http | typeof https;
  options: http.RequestOptions;
  body: Buffer;
  timeoutMs: number;
  cutOff?: AbortSignal;
}

const STALE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE']);

/**
 * One request of an attempt, as an object whose methods are the event handlers (rather than a set of
 * closures made anew for every request). Its `result` leaves `durationMs` to `sendWebhook`, which
 * times the whole attempt.
 */
class Post {
  result: AttemptResult | undefined;
  /** The request failed on a reused connection before any answer. */
  staleConnection = false;
  private readonly request: http.ClientRequest;
  private response: http.IncomingMessage | undefined;
  private statusCode = 0;
  private chunks: Buffer[] = [];
  private received = 0;
  private timer: NodeJS.Timeout | undefined;
  private connectTimer: NodeJS.Timeout | undefined;
  private timedOut = false;

  constructor(
    private readonly plan: RequestPlan,
    remainingMs: number,
    private readonly resolve: (post: Post) => void,
  ) {
    const request = (this.request = plan.module.request(plan.options));
    // Until the status line arrives the timeout fails the attempt; after it, the answer stands and only
    // the reading of its body stops. Whole milliseconds, so the timers of a batch share one timer list.
    this.timer = setTimeout(() => this.onTimeout(), Math.max(0, Math.ceil(remainingMs)));
    if (plan.cutOff?.aborted) queueMicrotask(this.onCutOff);
    else plan.cutOff?.addEventListener('abort', this.onCutOff, { once: true });
    request.on('socket', (socket: Socket) => this.onSocket(socket));
    request.on('error', (error: NodeJS.ErrnoException) => this.onRequestError(error));
    request.on('response', (response: http.IncomingMessage) => this.onResponse(response));
    request.end(plan.body);
  }

  private finish(result: AttemptResult): void {
    if (this.result !== undefined) return;
    this.result = result;
    clearTimeout(this.timer);
    this.plan.cutOff?.removeEventListener('abort', this.onCutOff);
    if (this.connectTimer !== undefined) clearTimeout(this.connectTimer);
    this.resolve(this);
  }

  private readonly onCutOff = () => this.onTimeout('cut off');

  private onTimeout(reason = `timed out after ${this.plan.timeoutMs} ms`): void {
    if (this.response !== undefined) {
      this.done();
      this.response.destroy();
    } else {
      this.timedOut = true;
      this.request.destroy(new Error(reason));
    }
  }

  private onSocket(socket: Socket): void {
    if (!socket.connecting) return; // a reused keep-alive connection
    const connectTimeout = Math.min(CONNECT_TIMEOUT_MS, this.plan.timeoutMs);
    const timer = setTimeout(() => {
      this.timedOut = true;
      this.request.destroy(new Error(`connect timed out after ${connectTimeout} ms`));
    }, connectTimeout);
    this.connectTimer = timer;
    socket.once('connect', () => clearTimeout(timer));
  }

  private onRequestError(error: NodeJS.ErrnoException): void {
    if (this.result !== undefined) return;
    this.staleConnection = this.request.reusedSocket && STALE_CONNECTION_CODES.has(error.code ?? '');
    const result: AttemptResult = { delivered: false, durationMs: 0, error: describeError(error) };
    if (this.timedOut) result.timedOut = true;
    this.finish(result);
  }

  private onResponse(response: http.IncomingMessage): void {
    this.response = response;
    this.statusCode = response.statusCode ?? 0;
    response.on('data', (chunk: Buffer) => this.onData(chunk));
    response.on('end', () => this.done());
    response.on('error', (error: Error) =>
      this.finish({
        delivered: false,
        durationMs: 0,
        statusCode: this.statusCode,
        error: describeError(error),
      }),
    );
    response.on('aborted', () => this.done());
  }

  private onData(chunk: Buffer): void {
    if (this.received < RESPONSE_KEEP_LIMIT) this.chunks.push(chunk);
    this.received += chunk.length;
    if (this.received > RESPONSE_READ_LIMIT) {
      // Too much to drain: drop this connection rather than read on.
      this.done();
      this.response!.destroy();
    }
  }

  private done(): void {
    if (this.result !== undefined) return;
    const { chunks, statusCode } = this;
    const kept = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    const result: AttemptResult = {
      delivered: statusCode >= 200 && statusCode < 300,
      statusCode,
      durationMs: 0,
      responseBody: kept.toString('utf8', 0, Math.min(kept.length, RESPONSE_KEEP_LIMIT)),
    };
    const retryAfter = this.response!.headers['retry-after'];
    if (retryAfter !== undefined) result.retryAfter = retryAfter;
    if (statusCode >= 300 && statusCode < 400) {
      const location = this.response!.headers.location;
      result.error = `redirect not followed (HTTP ${statusCode}${location ? ` to ${location}` : ''})`;
    }
    this.finish(result);
  }
}

/**
 * One request, or a failed one when node:http refuses to start it (it validates header names and values
 * and the request options synchronously: a header value outside Latin-1, say). That refusal belongs to
 * this delivery alone, so it is an outcome like any other, never an exception.
 */
function postOnce(plan: RequestPlan, remainingMs: number): Promise<Post | AttemptResult> {
  return new Promise<Post | AttemptResult>((resolve) => {
    try {
      new Post(plan, remainingMs, resolve);
    } catch (error) {
      resolve({ delivered: false, durationMs: 0, error: `request refused: ${describeError(error)}` });
    }
  });
}
