/**
 * The HTTP API (API Gateway v2): exactly the routes of `ROUTES` (lambdas/shared/routes.ts), the
 * `authorized` ones behind the tenant API-key authorizer, on a throttled `$default` stage with access logs.
 */
import { Duration, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CfnStage,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES, routeKey, type RouteFunction, type RouteSpec } from '../lambdas/shared/routes';

/** The route providers post their webhooks to; it gets route-level metrics for the inbound 5xx alarm. */
export const INBOUND_ROUTE: RouteSpec = (() => {
  const route = ROUTES.find((candidate) => candidate.function === 'inbound');
  if (!route) throw new Error('ROUTES has no inbound route');
  return route;
})();

export const STAGE_NAME = '$default';

export interface ApiProps {
  readonly handlers: Readonly<Record<RouteFunction, IFunction>>;
  readonly authorizer: IFunction;
  readonly throttlingRateLimit: number;
  readonly throttlingBurstLimit: number;
  readonly logRetentionDays: number;
  readonly removalPolicy: RemovalPolicy;
}

/** `POST /v1/webhooks/{id}/test` → `PostV1WebhooksIdTest`, a construct id. */
export function routeId(route: RouteSpec): string {
  return `${route.method.charAt(0)}${route.method.slice(1).toLowerCase()}${route.path}`.replace(
    /[^A-Za-z0-9]+([A-Za-z0-9]?)/g,
    (_, next: string) => next.toUpperCase(),
  );
}

export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  readonly routes: readonly HttpRoute[];
  /** `$default`: the requests no route matches, answered 404 or 405 by the management API's router. */
  readonly defaultRoute: HttpRoute;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'event-relay: management API and provider webhooks',
      createDefaultStage: false,
    });

    const authorizer = new HttpLambdaAuthorizer('TenantAuthorizer', props.authorizer, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      // Not cached: a revoked API key stops working at once.
      resultsCacheTtl: Duration.seconds(0),
    });
    const integrations: Record<RouteFunction, HttpLambdaIntegration> = {
      api: new HttpLambdaIntegration('ApiIntegration', props.handlers.api, { scopePermissionToRoute: false }),
      inbound: new HttpLambdaIntegration('InboundIntegration', props.handlers.inbound, {
        scopePermissionToRoute: false,
      }),
      static: new HttpLambdaIntegration('StaticIntegration', props.handlers.static, {
        scopePermissionToRoute: false,
      }),
    };

    this.routes = ROUTES.map((spec) => {
      const route = new HttpRoute(this, routeId(spec), {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(spec.path, HttpMethod[spec.method]),
        integration: integrations[spec.function],
        ...(spec.authorized ? { authorizer } : {}),
      });
      if (!spec.authorized) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            spec.function === 'inbound'
              ? 'Providers cannot send our API keys; the inbound function verifies each provider signature instead.'
              : spec.function === 'static'
                ? 'Static pages (the tenant portal) are public; the data they show comes from authorized routes.'
                : spec.path === '/v1/portal/sessions/exchange'
                  ? "A portal link's single-use code is the credential; exchanging it is how a session starts."
                  : 'The OpenAPI document is public so clients can discover the API before they hold a key.',
        });
      }
      return route;
    });
    // Everything no route matches, a known path with another method included, goes to the management
    // API function, whose router answers it as the API promises: 405 `method_not_allowed` naming the
    // methods the path takes, or 404 `route_not_found`, both as `{ error: { code, message } }`. Without
    // it API Gateway itself would answer 404 `{"message":"Not Found"}` to a wrong method.
    this.defaultRoute = new HttpRoute(this, 'DefaultRoute', {
      httpApi: this.httpApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: integrations.api,
    });
    Validations.of(this.defaultRoute).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The catch-all route only ever answers 404 or 405: the router serves no route through it, and every real route keeps its own authorizer.',
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetentionDays as RetentionDays,
      removalPolicy: props.removalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: STAGE_NAME,
      autoDeploy: true,
      throttle: { rateLimit: props.throttlingRateLimit, burstLimit: props.throttlingBurstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });
    // Route-level metrics only for the inbound route (they are billed per route): the 5xx alarm reads them.
    // Route settings replace the stage defaults for that route, so its throttling is repeated here.
    // (`routeSettings` is untyped JSON: the keys are written as CloudFormation spells them.)
    (this.stage.node.defaultChild as CfnStage).routeSettings = {
      [routeKey(INBOUND_ROUTE)]: {
        DetailedMetricsEnabled: true,
        ThrottlingRateLimit: props.throttlingRateLimit,
        ThrottlingBurstLimit: props.throttlingBurstLimit,
      },
    };
    const inboundRoute = this.routes[ROUTES.indexOf(INBOUND_ROUTE)];
    if (inboundRoute) this.stage.node.addDependency(inboundRoute);
  }

  /** The API's base URL, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com` (no trailing slash). */
  get url(): string {
    return this.httpApi.apiEndpoint;
  }
}
