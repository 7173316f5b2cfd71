/**
 * The HTTP API's tenant authorizer (payload 2.0, simple responses). It accepts
 * `Authorization: Bearer <api key>`, looks the key up by its SHA-256 and passes the owning tenant to
 * the management API as `requestContext.authorizer.lambda.tenantId`. The key is never logged.
 *
 * A bad key is not denied here: with simple responses a denial becomes API Gateway's bare
 * `403 Forbidden`, while clients (and RFC 9110) expect `401` with a reason. So a refused request is
 * passed on with an empty `tenantId` and a `refusal`, and the API's router answers 401 with our error
 * body. (A request with no Authorization header at all never reaches this function: API Gateway
 * answers 401 itself, because the header is the identity source.)
 */
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerResult,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { header } from '../shared/http';
import { logger } from '../shared/logger';
import { findTenantByApiKey } from '../shared/tenants';

export interface TenantContext {
  [key: string]: string;
  /** The caller's tenant; empty when the key was refused. */
  tenantId: string;
  /** Why the key was refused, when it was. */
  refusal: string;
}

export type AuthorizerResult =
  APIGatewaySimpleAuthorizerWithContextResult<TenantContext> | APIGatewaySimpleAuthorizerResult;

/** The key from `Authorization: Bearer <key>`, or undefined when the header has another shape. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

export async function handler(event: APIGatewayRequestAuthorizerEventV2): Promise<AuthorizerResult> {
  // Checked by hand rather than with zod: this function runs before every API call, and zod is most of a
  // bundle (cold start).
  if (!process.env.TENANTS_TABLE) throw new Error('invalid environment: TENANTS_TABLE: required');
  const apiKey = bearerToken(header({ headers: event.headers ?? {} }, 'authorization'));
  if (!apiKey) {
    logger.info('refused: no bearer token', { routeKey: event.routeKey });
    return refused('Authorization must be `Bearer <api key>`.');
  }
  const owner = await findTenantByApiKey(apiKey);
  if (!owner) {
    logger.info('refused: unknown or revoked API key', { routeKey: event.routeKey });
    return refused('Unknown or revoked API key.');
  }
  logger.debug('authorized', { tenantId: owner.tenantId, keyId: owner.keyId });
  return { isAuthorized: true, context: { tenantId: owner.tenantId, refusal: '' } };
}

function refused(reason: string): AuthorizerResult {
  return { isAuthorized: true, context: { tenantId: '', refusal: reason } };
}
