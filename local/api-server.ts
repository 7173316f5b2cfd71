/**
 * The local HTTP API: serves exactly the template's routes, turning each request into the API Gateway
 * HTTP API event (payload format 2.0) and running the same Lambda authorizer and handlers. Like API
 * Gateway: a missing identity source is `401 {"message":"Unauthorized"}`, a denial (simple response
 * `isAuthorized: false`) is `403 {"message":"Forbidden"}`, an unknown route `404 {"message":"Not Found"}`,
 * and a function error `500 {"message":"Internal Server Error"}`.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayRequestAuthorizerEventV2 } from 'aws-lambda';

/** API Gateway's payload limit for HTTP APIs. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** A function the server invokes: the handler module's export with its Lambda context. */
export type LambdaInvoker = (event: unknown) => Promise<unknown>;

export interface ServedRoute {
  method: string;
  /** API Gateway path with `{name}` parameters. */
  path: string;
  routeKey: string;
  invoke: LambdaInvoker;
  authorizer?: { identitySource: string[]; invoke: LambdaInvoker };
}

export interface IncomingRequest {
  method: string;
  /** Path and query as sent, e.g. `/v1/inbound/int_1?a=b`. */
  url: string;
  /** Node's raw header list: name, value, name, value, ... */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
}

export interface RequestSettings {
  domainName: string;
  apiId: string;
  accountId: string;
  now?: Date;
  requestId?: string;
}

export interface MatchedRoute {
  route: ServedRoute;
  pathParameters: Record<string, string>;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const isGreedy = (path: string) => /\{\w+\+\}$/.test(path);

/** The route serving `method` + `path`, and its path parameters. */
export function matchRoute(
  routes: readonly ServedRoute[],
  method: string,
  path: string,
): MatchedRoute | undefined {
  const segments = path.split('/');
  // Exact routes first: API Gateway prefers the most specific route over a greedy `{proxy+}` one.
  const ordered = [...routes].sort((a, b) => Number(isGreedy(a.path)) - Number(isGreedy(b.path)));
  for (const route of ordered) {
    if (route.routeKey === '$default' || route.method !== method) continue;
    const pattern = route.path.split('/');
    const greedy = isGreedy(route.path);
    if (greedy ? segments.length < pattern.length : pattern.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = pattern.every((part, index) => {
      const segment = segments[index]!;
      const rest = /^\{(\w+)\+\}$/.exec(part);
      if (rest) {
        const value = segments.slice(index).join('/');
        if (value === '') return false;
        pathParameters[rest[1]!] = decode(value);
        return true;
      }
      const parameter = /^\{(\w+)\}$/.exec(part);
      if (!parameter) return part === segment;
      if (segment === '') return false;
      pathParameters[parameter[1]!] = decode(segment);
      return true;
    });
    if (matches) return { route, pathParameters };
  }
  // What no route matches goes to the catch-all route, when there is one (as in API Gateway).
  const catchAll = routes.find((route) => route.routeKey === '$default');
  if (catchAll) return { route: catchAll, pathParameters: {} };
  return undefined;
}

/** Whether API Gateway passes the body as text (else base64, `isBase64Encoded: true`). */
export function isTextContent(contentType: string | undefined, body: Buffer): boolean {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  const textual =
    type.startsWith('text/') ||
    /^application\/([\w.-]+\+)?(json|xml)$/.test(type) ||
    type === 'application/javascript';
  return textual && Buffer.from(body.toString('utf8'), 'utf8').equals(body);
}

function headersOf(rawHeaders: string[]): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((cookie) => cookie.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return { headers, cookies };
}

function queryOf(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    parameters[name] = parameters[name] === undefined ? value : `${parameters[name]},${value}`;
  }
  return parameters;
}

/** The payload 2.0 event API Gateway sends for this request on this route. */
export function toHttpApiEvent(
  request: IncomingRequest,
  matched: MatchedRoute,
  settings: RequestSettings,
): APIGatewayProxyEventV2 {
  const [rawPath = '/', rawQueryString = ''] = request.url.split(/\?(.*)/s);
  const { headers, cookies } = headersOf(request.rawHeaders);
  const now = settings.now ?? new Date();
  const hasBody = request.body.length > 0;
  const text = isTextContent(headers['content-type'], request.body);
  const queryStringParameters = queryOf(rawQueryString);
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: matched.route.routeKey,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: settings.accountId,
      apiId: settings.apiId,
      domainName: settings.domainName,
      domainPrefix: settings.domainName.split('.')[0]!,
      http: {
        method: request.method,
        path: decode(rawPath),
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: settings.requestId ?? randomUUID(),
      routeKey: matched.route.routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: hasBody && !text,
  };
  if (cookies.length) event.cookies = cookies;
  if (queryStringParameters) event.queryStringParameters = queryStringParameters;
  if (Object.keys(matched.pathParameters).length) event.pathParameters = matched.pathParameters;
  if (hasBody) event.body = text ? request.body.toString('utf8') : request.body.toString('base64');
  return event;
}

/** The REQUEST authorizer event (payload 2.0) for the same request. */
export function toAuthorizerEvent(
  event: APIGatewayProxyEventV2,
  identitySource: string[],
  settings: Pick<RequestSettings, 'accountId' | 'apiId'> & { region: string },
): APIGatewayRequestAuthorizerEventV2 {
  const { body: _body, isBase64Encoded: _encoded, ...rest } = event;
  return {
    ...rest,
    type: 'REQUEST',
    routeArn: `arn:aws:execute-api:${settings.region}:${settings.accountId}:${settings.apiId}/$default/${event.requestContext.http.method}${event.rawPath}`,
    identitySource,
  } as APIGatewayRequestAuthorizerEventV2;
}

/** Values of the identity sources, or undefined when one is missing (API Gateway then answers 401). */
export function identityValues(event: APIGatewayProxyEventV2, sources: string[]): string[] | undefined {
  const values: string[] = [];
  for (const source of sources) {
    const header = /^\$request\.header\.(.+)$/i.exec(source);
    const query = /^\$request\.querystring\.(.+)$/i.exec(source);
    const value = header
      ? event.headers[header[1]!.toLowerCase()]
      : query
        ? event.queryStringParameters?.[query[1]!]
        : undefined;
    if (!header && !query) throw new Error(`identity source ${source} is not supported locally`);
    if (value === undefined || value === '') return undefined;
    values.push(value);
  }
  return values;
}

export interface HttpReply {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
}

/** How API Gateway turns a payload 2.0 function result into the HTTP response. */
export function fromHandlerResult(result: unknown): HttpReply {
  const structured =
    result !== null && typeof result === 'object' && 'statusCode' in (result as Record<string, unknown>);
  if (!structured) {
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      cookies: [],
      body: Buffer.from(body),
    };
  }
  const reply = result as {
    statusCode: number;
    headers?: Record<string, string | number | boolean>;
    cookies?: string[];
    body?: string;
    isBase64Encoded?: boolean;
  };
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  return {
    statusCode: reply.statusCode,
    headers,
    cookies: reply.cookies ?? [],
    body: Buffer.from(reply.body ?? '', reply.isBase64Encoded ? 'base64' : 'utf8'),
  };
}

const gatewayReply = (statusCode: number, message: string): HttpReply => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  cookies: [],
  body: Buffer.from(JSON.stringify({ message })),
});

export interface ApiServerOptions {
  host?: string;
  port?: number;
  accountId: string;
  region: string;
  apiId?: string;
  log?(line: string): void;
}

export interface ApiServer {
  url: string;
  /** Serves these routes from now on (until then every request is a 503). */
  serve(routes: readonly ServedRoute[]): void;
  /** Handles one request (what the HTTP server does), for tests. */
  handle(request: IncomingRequest): Promise<HttpReply>;
  stop(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined));
    request.on('error', reject);
  });
}

function writeReply(response: ServerResponse, reply: HttpReply): void {
  const headers: Record<string, string | string[]> = { ...reply.headers };
  if (reply.cookies.length) headers['set-cookie'] = reply.cookies;
  headers['content-length'] = String(reply.body.length);
  response.writeHead(reply.statusCode, headers);
  response.end(reply.body);
}

/** Starts listening at once (so the port is known), serving routes once `serve` is called. */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const apiId = options.apiId ?? 'local';
  let routes: readonly ServedRoute[] | undefined;
  let domainName = host;

  async function handle(request: IncomingRequest): Promise<HttpReply> {
    if (!routes) return gatewayReply(503, 'Service Unavailable');
    const path = request.url.split('?')[0]!;
    const matched = matchRoute(routes, request.method, path);
    if (!matched) return gatewayReply(404, 'Not Found');
    const event = toHttpApiEvent(request, matched, { domainName, apiId, accountId: options.accountId });
    const { authorizer } = matched.route;
    if (authorizer) {
      if (!identityValues(event, authorizer.identitySource)) return gatewayReply(401, 'Unauthorized');
      let decision: { isAuthorized?: unknown; context?: Record<string, unknown> };
      try {
        decision = (await authorizer.invoke(
          toAuthorizerEvent(event, identityValues(event, authorizer.identitySource)!, {
            accountId: options.accountId,
            apiId,
            region: options.region,
          }),
        )) as typeof decision;
      } catch (error) {
        options.log?.(`api: authorizer failed: ${(error as Error).message}`);
        return gatewayReply(500, 'Internal Server Error');
      }
      if (decision?.isAuthorized !== true) return gatewayReply(403, 'Forbidden');
      (event.requestContext as unknown as Record<string, unknown>).authorizer = {
        lambda: decision.context ?? {},
      };
    }
    try {
      return fromHandlerResult(await matched.route.invoke(event));
    } catch (error) {
      options.log?.(`api: ${matched.route.routeKey} failed: ${(error as Error).stack ?? String(error)}`);
      return gatewayReply(500, 'Internal Server Error');
    }
  }

  const server: Server = createServer((request, response) => {
    const started = Date.now();
    void (async () => {
      const body = await readBody(request);
      const reply =
        body === undefined
          ? gatewayReply(413, 'Request Entity Too Large')
          : await handle({
              method: request.method ?? 'GET',
              url: request.url ?? '/',
              rawHeaders: request.rawHeaders,
              body,
              sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
            });
      writeReply(response, reply);
      options.log?.(
        `api: ${request.method} ${(request.url ?? '').split('?')[0]} → ${reply.statusCode} (${Date.now() - started} ms)`,
      );
    })().catch((error: unknown) => {
      options.log?.(`api: ${(error as Error).message}`);
      if (!response.headersSent) writeReply(response, gatewayReply(500, 'Internal Server Error'));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  domainName = `${host}:${port}`;
  return {
    url: `http://${host}:${port}`,
    serve: (next) => {
      routes = next;
    },
    handle,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
