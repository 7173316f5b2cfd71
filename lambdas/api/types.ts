/**
 * The contract between the management API's router (lambdas/api/handler.ts) and the modules that
 * implement its routes. Each module exports `ApiRoute`s; the router dispatches on method + path, and the
 * OpenAPI document is generated from the same zod schemas the routes validate with.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type * as z from 'zod';
import type { HttpMethod } from '../shared/routes';
import type { HttpResponse } from '../shared/http';

/**
 * Who may call a route, beyond holding the tenant's credentials:
 * - `read`: an API key or any portal session;
 * - `manage`: an API key or a `manage` session (the default for every method but GET and HEAD);
 * - `apiKey`: an API key only (minting portal sessions: a session never mints another);
 * - `session`: a portal session only (its own logout).
 */
export type RouteAccess = 'read' | 'manage' | 'apiKey' | 'session';

/** The caller, as the authorizer identified it. */
export type Principal = 'apiKey' | 'session';

export interface ApiRequest<Body = unknown, Query = Record<string, string | undefined>> {
  /** The caller's tenant, from the authorizer context; empty for unauthenticated routes. */
  tenantId: string;
  /** How the caller signed in (an API key, unless the authorizer says otherwise). */
  principal: Principal;
  pathParameters: Record<string, string>;
  /** The query string, validated by `query` when the route declares one. */
  query: Query;
  /** The JSON body, validated by `body` when the route declares one. */
  body: Body;
  event: APIGatewayProxyEventV2;
}

export interface ApiResponseSpec {
  description: string;
  schema?: z.ZodType;
}

export interface ApiRoute {
  method: HttpMethod;
  /** Path as in lambdas/shared/routes.ts, e.g. `/v1/webhooks/{id}`. */
  path: string;
  summary: string;
  /** OpenAPI tag, e.g. `Webhooks`, `Integrations`. */
  tag: string;
  body?: z.ZodType;
  query?: z.ZodType;
  /** Default `read` for GET and HEAD, `manage` for the rest. */
  access?: RouteAccess;
  responses: Record<number, ApiResponseSpec>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handle(request: ApiRequest<any, any>): Promise<HttpResponse>;
}
