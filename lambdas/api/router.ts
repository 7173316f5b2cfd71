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
import { ROUTES } from '../shared/routes';
import { apiEnv } from './env';
import { IDEMPOTENCY_HEADER, idempotencyKeyOf, withIdempotency } from '../shared/idempotency';
import { logger } from '../shared/logger';
import { bodyIsOptional } from './openapi';
import type { ApiRequest, ApiRoute, Principal, RouteAccess } from './types';
import { parseInput } from './validation';

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

function compile(route: ApiRoute): CompiledRoute {
  const parameterNames: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const name = /^\{(.+)\}$/.exec(segment)?.[1];
      if (!name) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameterNames.push(name);
      return '([^/]+)';
    })
    .join('/');
  const authorized =
    ROUTES.find((spec) => spec.method === route.method && spec.path === route.path)?.authorized ?? true;
  return { route, pattern: new RegExp(`^${source}/?$`), parameterNames, authorized };
}

function parseBody(route: ApiRoute, event: ApiEvent): { value: unknown; raw: unknown } {
  const bytes = rawBody(event, MAX_BODY_BYTES);
  if (!route.body) return { value: undefined, raw: null };
  if (bytes.length === 0) {
    if (bodyIsOptional(route.body)) return { value: parseInput(route.body, {}, 'body'), raw: null };
    throw new BadRequestError('body: a JSON body is required.', { field: 'body' }, 'validation_error');
  }
  if (!isJsonMediaType(header(event, 'content-type')))
    throw new UnsupportedMediaTypeError('application/json');
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new BadRequestError('body: not valid JSON.', { field: 'body' }, 'invalid_json');
  }
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

export function createRouter(routes: readonly ApiRoute[]) {
  const compiled = routes.map(compile);

  function match(event: ApiEvent): { entry: CompiledRoute; pathParameters: Record<string, string> } {
    const method = event.requestContext.http.method.toUpperCase();
    const path = event.rawPath;
    const candidates = compiled.flatMap((entry) => {
      const found = entry.pattern.exec(path);
      return found ? [{ entry, found }] : [];
    });
    if (candidates.length === 0) throw new NotFoundError(`No route ${path}.`, 'route_not_found');
    const hit = candidates.find(({ entry }) => entry.route.method === method);
    if (!hit) throw new MethodNotAllowedError(candidates.map(({ entry }) => entry.route.method));
    const pathParameters: Record<string, string> = {};
    hit.entry.parameterNames.forEach((name, index) => {
      pathParameters[name] = decodeURIComponent(hit.found[index + 1]!);
    });
    return { entry: hit.entry, pathParameters };
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
