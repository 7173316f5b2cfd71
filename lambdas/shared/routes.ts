/**
 * Every HTTP route of the stack, defined once. The CDK stack creates exactly these API Gateway routes,
 * the local mode serves exactly these, and the management API's router and OpenAPI document are
 * checked against this list in the tests.
 */
import { STATIC_SITES } from './static-sites';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/** Which Lambda function serves a route. */
export type RouteFunction = 'api' | 'inbound' | 'static';

export interface RouteSpec {
  readonly method: HttpMethod;
  /** API Gateway route path, with `{name}` parameters (and a greedy `{proxy+}` as the last segment). */
  readonly path: string;
  readonly function: RouteFunction;
  /** Whether the tenant API-key authorizer guards the route. */
  readonly authorized: boolean;
}

const api = (method: HttpMethod, path: string, authorized = true): RouteSpec => ({
  method,
  path,
  function: 'api',
  authorized,
});

export const ROUTES: readonly RouteSpec[] = [
  api('GET', '/v1/openapi.json', false),
  api('GET', '/v1/event-types'),
  api('POST', '/v1/webhooks'),
  api('GET', '/v1/webhooks'),
  api('GET', '/v1/webhooks/{id}'),
  api('PUT', '/v1/webhooks/{id}'),
  api('DELETE', '/v1/webhooks/{id}'),
  api('POST', '/v1/webhooks/{id}/secret/rotate'),
  api('GET', '/v1/webhooks/{id}/secret'),
  api('POST', '/v1/webhooks/{id}/test'),
  api('GET', '/v1/webhooks/{id}/logs'),
  api('GET', '/v1/webhooks/{id}/stats'),
  api('GET', '/v1/webhooks/{id}/deliveries/{deliveryId}'),
  api('POST', '/v1/webhooks/{id}/deliveries/{deliveryId}/retry'),
  api('POST', '/v1/webhooks/{id}/replay'),
  api('GET', '/v1/webhooks/{id}/replays'),
  api('GET', '/v1/webhooks/{id}/replays/{replayId}'),
  api('GET', '/v1/webhooks/{id}/parked'),
  api('GET', '/v1/webhooks/{id}/activity'),
  api('POST', '/v1/integrations'),
  api('GET', '/v1/integrations'),
  api('GET', '/v1/integrations/{id}'),
  api('DELETE', '/v1/integrations/{id}'),
  api('GET', '/v1/providers'),
  api('POST', '/v1/portal/sessions'),
  api('POST', '/v1/portal/sessions/exchange', false),
  api('GET', '/v1/portal/session'),
  api('DELETE', '/v1/portal/session'),
  { method: 'POST', path: '/v1/inbound/{integrationId}', function: 'inbound', authorized: false },
  // Mandrill checks a webhook URL with HEAD before it will post to it.
  { method: 'HEAD', path: '/v1/inbound/{integrationId}', function: 'inbound', authorized: false },
  ...STATIC_SITES.flatMap((site): RouteSpec[] =>
    [site.route, `${site.route}/{proxy+}`].map((path) => ({
      method: 'GET',
      path,
      function: 'static',
      authorized: false,
    })),
  ),
];

/** `GET /v1/webhooks/{id}` style key, as API Gateway writes `routeKey`. */
export function routeKey(route: Pick<RouteSpec, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
