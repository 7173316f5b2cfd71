/**
 * The HTTP API's tenant authorizer (payload 2.0, simple responses). It accepts
 * `Authorization: Bearer <api key>` or `Bearer <portal session token>` (`ers_...`), looks either up by
 * its SHA-256 and passes the owning tenant to the management API as
 * `requestContext.authorizer.lambda.tenantId`, with who is calling (`principal`) and what it may do
 * (`capabilities`: an API key may do anything; a session `manage` or only `read`). The router enforces
 * the capabilities. Neither secret is ever logged.
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
import { bearerToken, header } from '../shared/http';
import { logger } from '../shared/logger';
import { findSession, isSessionToken, type PortalCapability } from '../shared/portal-sessions';
import { findTenantByApiKey } from '../shared/tenants';

export interface TenantContext {
  [key: string]: string;
  /** The caller's tenant; empty when the key was refused. */
  tenantId: string;
  /** Why the key was refused, when it was. */
  refusal: string;
  /** `apiKey` or `session` (a tenant portal session); empty when refused. */
  principal: '' | 'apiKey' | 'session';
  /** `manage` or `read`; empty when refused. */
  capabilities: '' | PortalCapability;
}

export type AuthorizerResult =
  APIGatewaySimpleAuthorizerWithContextResult<TenantContext> | APIGatewaySimpleAuthorizerResult;

export async function handler(event: APIGatewayRequestAuthorizerEventV2): Promise<AuthorizerResult> {
  // Checked by hand rather than with zod: this function runs before every API call, and zod is most of a
  // bundle (cold start).
  if (!process.env.TENANTS_TABLE) throw new Error('invalid environment: TENANTS_TABLE: required');
  if (!process.env.PORTAL_SESSIONS_TABLE) {
    throw new Error('invalid environment: PORTAL_SESSIONS_TABLE: required');
  }
  const apiKey = bearerToken(header({ headers: event.headers ?? {} }, 'authorization'));
  if (!apiKey) {
    logger.info('refused: no bearer token', { routeKey: event.routeKey });
    return refused('Authorization must be `Bearer <api key>`.');
  }
  if (isSessionToken(apiKey)) {
    const session = await findSession(apiKey);
    if (!session) {
      logger.info('refused: unknown, expired or revoked portal session', { routeKey: event.routeKey });
      return refused('The portal session has expired or was ended; open a new portal link.');
    }
    logger.debug('authorized', { tenantId: session.tenantId, sessionId: session.sessionId });
    return {
      isAuthorized: true,
      context: {
        tenantId: session.tenantId,
        refusal: '',
        principal: 'session',
        capabilities: session.capabilities,
      },
    };
  }
  const owner = await findTenantByApiKey(apiKey);
  if (!owner) {
    logger.info('refused: unknown or revoked API key', { routeKey: event.routeKey });
    return refused('Unknown or revoked API key.');
  }
  logger.debug('authorized', { tenantId: owner.tenantId, keyId: owner.keyId });
  return {
    isAuthorized: true,
    context: { tenantId: owner.tenantId, refusal: '', principal: 'apiKey', capabilities: 'manage' },
  };
}

function refused(reason: string): AuthorizerResult {
  return { isAuthorized: true, context: { tenantId: '', refusal: reason, principal: '', capabilities: '' } };
}
