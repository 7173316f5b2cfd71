/**
 * `/v1/portal/...`: tenant portal access. The platform's backend mints a sign-in link with its API key;
 * the portal exchanges the link's single-use code for a session token (kept in the browser's
 * sessionStorage, sent as a bearer token: no cookie, so no CSRF surface), reads what the session may do,
 * and ends it on logout. See shared/portal-sessions.ts for storage.
 */
import { GoneError } from '../shared/errors';
import { bearerToken, header, json, noContent } from '../shared/http';
import {
  CODE_LIFETIME_SECONDS,
  SESSION_SECONDS,
  createSignInCode,
  exchangeSignInCode,
  findSession,
  revokeSession,
  type PortalCapability,
} from '../shared/portal-sessions';
import { PORTAL_SITE } from '../shared/static-sites';
import { apiEnv } from './env';
import {
  CreatePortalSessionSchema,
  ErrorSchema,
  ExchangePortalCodeSchema,
  PortalLinkSchema,
  PortalSessionSchema,
  PortalSessionTokenSchema,
  type CreatePortalSessionInput,
} from './schemas';
import type { ApiRequest, ApiRoute } from './types';
import { errorResponses } from './webhooks';

const TAG = 'Portal';
const forbidden = { 403: { description: 'Not allowed for this caller', schema: ErrorSchema } } as const;

/** Path of the portal page that exchanges a code; the code rides in the fragment, which no server logs. */
export const SIGN_IN_PATH = `${PORTAL_SITE.route}/session`;

const createSession: ApiRoute = {
  method: 'POST',
  path: '/v1/portal/sessions',
  summary: 'Mint a tenant portal link for your customer (API key only)',
  tag: TAG,
  access: 'apiKey',
  body: CreatePortalSessionSchema,
  responses: {
    201: {
      description: `A link with a single-use code, valid for ${CODE_LIFETIME_SECONDS / 60} minutes if unused`,
      schema: PortalLinkSchema,
    },
    ...errorResponses,
    ...forbidden,
  },
  async handle({ tenantId, body, event }: ApiRequest<CreatePortalSessionInput>) {
    const { code, expiresAt } = await createSignInCode({
      tenantId,
      capabilities: body.capabilities?.[0] ?? 'manage',
      sessionSeconds: body.expiresInSeconds ?? SESSION_SECONDS.default,
      ...(body.returnUrl !== undefined && { returnUrl: body.returnUrl }),
    });
    const base = apiEnv().PUBLIC_URL ?? `https://${event.requestContext.domainName}`;
    return json(201, {
      url: `${base}${SIGN_IN_PATH}#code=${code}`,
      expiresAt: new Date(expiresAt * 1000).toISOString(),
    });
  },
};

const exchange: ApiRoute = {
  method: 'POST',
  path: '/v1/portal/sessions/exchange',
  summary: "Exchange a portal link's code for a session token (once)",
  tag: TAG,
  body: ExchangePortalCodeSchema,
  responses: {
    200: { description: 'The session', schema: PortalSessionTokenSchema },
    400: errorResponses[400],
    410: {
      description: 'The link was used already, expired, or never existed; `details.returnUrl` when known',
      schema: ErrorSchema,
    },
  },
  async handle({ body }: ApiRequest<{ code: string }>) {
    const result = await exchangeSignInCode(body.code);
    if (!result.ok) {
      throw new GoneError(
        'This link has expired or was used already; ask for a new one.',
        result.returnUrl ? { returnUrl: result.returnUrl } : undefined,
        'link_expired',
      );
    }
    return json(200, {
      token: result.token,
      ...sessionView(result.session),
    });
  },
};

function sessionView(session: {
  tenantId: string;
  capabilities: PortalCapability;
  expiresAt: number;
  returnUrl?: string;
}) {
  return {
    tenantId: session.tenantId,
    capabilities: [session.capabilities],
    expiresAt: new Date(session.expiresAt * 1000).toISOString(),
    ...(session.returnUrl !== undefined && { returnUrl: session.returnUrl }),
  };
}

const currentToken = (request: ApiRequest) => bearerToken(header(request.event, 'authorization')) ?? '';

const getSession: ApiRoute = {
  method: 'GET',
  path: '/v1/portal/session',
  summary: 'The calling portal session: its tenant and what it may do',
  tag: TAG,
  access: 'session',
  responses: {
    200: { description: 'The session', schema: PortalSessionSchema },
    401: errorResponses[401],
    ...forbidden,
  },
  async handle(request: ApiRequest) {
    // The authorizer found it a moment ago; it can only have ended since (then: as the authorizer would).
    const session = await findSession(currentToken(request));
    if (!session) return json(401, { error: { code: 'unauthorized', message: 'The session has ended.' } });
    return json(200, sessionView(session));
  },
};

const endSession: ApiRoute = {
  method: 'DELETE',
  path: '/v1/portal/session',
  summary: 'Log out: end the calling portal session at once',
  tag: TAG,
  access: 'session',
  responses: { 204: { description: 'Ended' }, 401: errorResponses[401], ...forbidden },
  async handle(request: ApiRequest) {
    await revokeSession(currentToken(request));
    return noContent();
  },
};

export const portalRoutes: ApiRoute[] = [createSession, exchange, getSession, endSession];
