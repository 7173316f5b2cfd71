/**
 * Dispatches API Gateway v2 events to `ApiRoute`s: route matching, the tenant check, body limits,
 * content type, JSON parsing and zod validation, idempotency for POSTs, and errors as
 * `{ "error": { code, message, details? } }`. Route modules only see validated input.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import {
  BadRequestError,
  ForbiddenError,
  HttpError,
  NotFoundError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from '../shared/errors';
import { header, isJsonMediaType, rawBody, toErrorResponse, type HttpResponse } from '../shared/http';
import { isWellFormedId, MAX_ID_LENGTH } from '../shared/ids';
import { ROUTES } from '../shared/routes';
import { apiEnv } from './env';
import { IDEMPOTENCY_HEADER, idempotencyKeyOf, withIdempotency } from '../shared/idempotency';
import { logger } from '../shared/logger';
import { bodyIsOptional } from './openapi';
import type { ApiRequest, ApiRoute, Principal, RouteAccess } from './types';
import { invalidField, invalidInput, parseInput } from './validation';

export const MAX_BODY_BYTES = 64 * 1024;

/** The event as the management API receives it: the authorizer's context under `lambda`. */
export type ApiEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & {
    authorizer?: {
      lambda?: { tenantId?: string; refusal?: string; principal?: string; capabilities?: string };
    };
  };
};

class MethodNotAllowedError extends HttpError {
  constructor(allowed: string[]) {
    super(405, 'method_not_allowed', `Method not allowed; this path accepts ${allowed.join(', ')}.`);
  }
}

interface CompiledRoute {
  route: ApiRoute;
  pattern: RegExp;
  parameterNames: string[];
  authorized: boolean;
}

/** The regular expression of a route path, and the names of its `{parameters}` in order. */
function pathPattern(path: string): { pattern: RegExp; parameterNames: string[] } {
  const parameterNames: string[] = [];
  const source = path
    .split('/')
    .map((segment) => {
      const name = /^\{(.+)\}$/.exec(segment)?.[1];
      if (!name) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameterNames.push(name);
      return '([^/]+)';
    })
    .join('/');
  return { pattern: new RegExp(`^${source}/?$`), parameterNames };
}

function compile(route: ApiRoute): CompiledRoute {
  const authorized =
    ROUTES.find((spec) => spec.method === route.method && spec.path === route.path)?.authorized ?? true;
  return { route, ...pathPattern(route.path), authorized };
}

/**
 * Routes another function serves (the inbound URL). The catch-all route brings this router any request
 * that matched no route, so a wrong method on those paths is answered 405 here as well.
 */
const OTHER_FUNCTION_ROUTES = ROUTES.filter((spec) => spec.function !== 'api').map((spec) => ({
  method: spec.method,
  pattern: pathPattern(spec.path).pattern,
}));

function parseBody(route: ApiRoute, event: ApiEvent): { value: unknown; raw: unknown } {
  const bytes = rawBody(event, MAX_BODY_BYTES);
  if (!route.body) return { value: undefined, raw: null };
  if (bytes.length === 0) {
    if (bodyIsOptional(route.body)) return { value: parseInput(route.body, {}, 'body'), raw: null };
    throw invalidField('body', 'a JSON body is required');
  }
  if (!isJsonMediaType(header(event, 'content-type')))
    throw new UnsupportedMediaTypeError('application/json');
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BadRequestError('body: not valid JSON.', { field: 'body' }, 'invalid_json');
  }
  const problem = bodyProblem(raw);
  if (problem) throw invalidField(problem.field, problem.message);
  return { value: parseInput(route.body, raw, 'body'), raw };
}

/** What a route requires of its caller (see `RouteAccess`). */
export function accessOf(route: Pick<ApiRoute, 'method' | 'access'>): RouteAccess {
  return route.access ?? (route.method === 'GET' || route.method === 'HEAD' ? 'read' : 'manage');
}

/** Refuses a caller the route is not for: a read-only portal session writing, a session minting sessions. */
function checkAccess(route: ApiRoute, principal: Principal, capabilities: string | undefined): void {
  const access = accessOf(route);
  if (access === 'apiKey' && principal !== 'apiKey') {
    throw new ForbiddenError(
      'This route needs the tenant API key; a portal session cannot use it.',
      'api_key_required',
    );
  }
  if (access === 'session' && principal !== 'session') {
    throw new ForbiddenError('This route is for portal sessions only.', 'session_required');
  }
  if (access === 'manage' && principal === 'session' && capabilities !== 'manage') {
    throw new ForbiddenError(
      'This portal session is read-only; it cannot change anything.',
      'read_only_session',
    );
  }
}

/**
 * What no field of any body may hold, found anywhere in the parsed JSON:
 * - a `__proto__` key: JSON.parse keeps it as a plain key, but copying the object (as validation
 *   does) sets the copy's prototype instead, so the field silently vanishes or changes what the
 *   object inherits;
 * - text that is not well-formed Unicode (a lone surrogate, which `\ud800` in JSON can spell): it has
 *   no UTF-8 form, so no store can keep it as sent.
 */
const LONE_SURROGATE = /\p{Cs}/u;

function bodyProblem(
  value: unknown,
  path: string[] = ['body'],
): { field: string; message: string } | undefined {
  if (typeof value === 'string') {
    return !LONE_SURROGATE.test(value)
      ? undefined
      : { field: path.join('.'), message: 'is not well-formed Unicode (it holds a lone surrogate)' };
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const key of Object.keys(value)) {
    const inner = [...path, key];
    if (key === '__proto__') return { field: inner.join('.'), message: 'is not an allowed field name' };
    if (LONE_SURROGATE.test(key)) {
      return { field: path.join('.'), message: 'has a field name that is not well-formed Unicode' };
    }
    const found = bodyProblem((value as Record<string, unknown>)[key], inner);
    if (found) return found;
  }
  return undefined;
}

/** A path segment decoded, or a 400 naming the parameter whose percent-escapes are malformed. */
function decodePathParameter(name: string, segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw invalidField(`path.${name}`, 'has a malformed percent-escape');
  }
}

/** Echoes of caller-supplied text in messages are cut to this many characters. */
const ECHO_LIMIT = 100;
const echo = (text: string) => (text.length > ECHO_LIMIT ? `${text.slice(0, ECHO_LIMIT)}…` : text);

export function createRouter(routes: readonly ApiRoute[]) {
  const compiled = routes.map(compile);

  function match(event: ApiEvent): { entry: CompiledRoute; pathParameters: Record<string, string> } {
    const method = event.requestContext.http.method.toUpperCase();
    const path = event.rawPath;
    const candidates = compiled.flatMap((entry) => {
      const found = entry.pattern.exec(path);
      return found ? [{ entry, found }] : [];
    });
    if (candidates.length === 0) {
      const elsewhere = OTHER_FUNCTION_ROUTES.filter((spec) => spec.pattern.test(path));
      if (elsewhere.length > 0) throw new MethodNotAllowedError(elsewhere.map((spec) => spec.method));
      throw new NotFoundError(`No route ${echo(path)}.`, 'route_not_found');
    }
    const hit = candidates.find(({ entry }) => entry.route.method === method);
    if (!hit) throw new MethodNotAllowedError(candidates.map(({ entry }) => entry.route.method));
    const pathParameters: Record<string, string> = {};
    hit.entry.parameterNames.forEach((name, index) => {
      pathParameters[name] = decodePathParameter(name, hit.found[index + 1]!);
    });
    return { entry: hit.entry, pathParameters };
  }

  /** Every path parameter is an id: one this stack could not have made names nothing (400, never a store error). */
  function checkPathIds(pathParameters: Record<string, string>): void {
    const problems = Object.entries(pathParameters)
      .filter(([, value]) => !isWellFormedId(value))
      .map(([name]) => ({
        field: `path.${name}`,
        message: `is not a valid id (1–${MAX_ID_LENGTH} letters, digits, "_" or "-")`,
      }));
    if (problems.length > 0) throw invalidInput(problems);
  }

  async function dispatch(event: ApiEvent, context?: Context): Promise<HttpResponse> {
    const { entry, pathParameters } = match(event);
    const { route } = entry;
    const tenantId = event.requestContext.authorizer?.lambda?.tenantId ?? '';
    const authorizer = event.requestContext.authorizer?.lambda;
    if (entry.authorized && !tenantId) {
      throw new UnauthorizedError(authorizer?.refusal || undefined);
    }
    const principal: Principal = authorizer?.principal === 'session' ? 'session' : 'apiKey';
    if (entry.authorized) checkAccess(route, principal, authorizer?.capabilities);
    checkPathIds(pathParameters);
    const body = parseBody(route, event);
    const query = route.query
      ? parseInput(route.query, event.queryStringParameters ?? {}, 'query')
      : (event.queryStringParameters ?? {});
    const request: ApiRequest<unknown, unknown> = {
      tenantId,
      principal,
      pathParameters,
      query,
      body: body.value,
      event,
    };
    const key =
      route.method === 'POST' && tenantId ? idempotencyKeyOf(header(event, IDEMPOTENCY_HEADER)) : undefined;
    if (!key) return route.handle(request);
    return withIdempotency(
      {
        tableName: apiEnv().IDEMPOTENCY_TABLE,
        tenantId,
        method: route.method,
        path: event.rawPath,
        key,
        body: body.raw,
        context,
      },
      () => route.handle(request),
    );
  }

  return {
    routes: compiled.map(({ route }) => route),
    async handle(event: ApiEvent, context?: Context): Promise<HttpResponse> {
      try {
        return await dispatch(event, context);
      } catch (error) {
        if (!(error instanceof HttpError)) {
          logger.error('unexpected error', {
            routeKey: event.routeKey,
            path: event.rawPath,
            error: error as Error,
          });
        }
        return toErrorResponse(error);
      }
    },
  };
}
