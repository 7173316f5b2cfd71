/**
 * `/v1/integrations`: the provider accounts a tenant sends through. Credentials are validated against
 * the provider module's schema and never returned; the answer carries the inbound URL to give the
 * provider.
 */
import * as z from 'zod';
import { PROVIDER_NAMES, providerModule } from '../providers/registry';
import { NotFoundError } from '../shared/errors';
import { json, noContent } from '../shared/http';
import { newId } from '../shared/ids';
import {
  createIntegration,
  deleteIntegration,
  getTenantIntegration,
  listIntegrations,
  type Integration,
} from '../shared/integrations';
import { apiEnv } from './env';
import { ErrorSchema, PaginationQuerySchema, pageOf } from './schemas';
import type { ApiRequest, ApiRoute } from './types';
import { parseInput } from './validation';

const TAG = 'Integrations';

export const CreateIntegrationSchema = z
  .strictObject({
    provider: z.enum(PROVIDER_NAMES),
    name: z.string().min(1).max(200).optional(),
    credentials: z
      .record(z.string(), z.unknown())
      .default({})
      .describe("The provider's verification credentials, in its own terms (see the provider table)"),
  })
  .meta({ id: 'CreateIntegration' });
type CreateIntegrationInput = z.infer<typeof CreateIntegrationSchema>;

export const IntegrationSchema = z
  .object({
    id: z.string(),
    provider: z.enum(PROVIDER_NAMES),
    name: z.string().optional(),
    inboundUrl: z.string().describe('Where the provider posts its events'),
    createdAt: z.string(),
  })
  .meta({ id: 'Integration' });

const errorResponses = {
  400: { description: 'Invalid input; the message names the field', schema: ErrorSchema },
  401: { description: 'Missing, unknown or revoked API key', schema: ErrorSchema },
} as const;
const notFoundResponse = {
  404: { description: 'No such integration for this tenant', schema: ErrorSchema },
} as const;

function toView(integration: Integration, { event }: Pick<ApiRequest, 'event'>) {
  const base = apiEnv().PUBLIC_URL ?? `https://${event.requestContext.domainName}`;
  return {
    id: integration.id,
    provider: integration.provider,
    ...(integration.name !== undefined && { name: integration.name }),
    inboundUrl: `${base.replace(/\/+$/, '')}/v1/inbound/${integration.id}`,
    createdAt: integration.createdAt,
  };
}

const create: ApiRoute = {
  method: 'POST',
  path: '/v1/integrations',
  summary: 'Register a provider account; answers the inbound URL to configure at the provider',
  tag: TAG,
  body: CreateIntegrationSchema,
  responses: { 201: { description: 'Created', schema: IntegrationSchema }, ...errorResponses },
  async handle(request: ApiRequest<CreateIntegrationInput>) {
    const { tenantId, body } = request;
    const module = providerModule(body.provider)!;
    // Nested, so a problem names its full path, e.g. `credentials.password`.
    const { credentials } = parseInput(
      z.object({ credentials: module.credentialsSchema }),
      { credentials: body.credentials },
      'credentials',
    ) as { credentials: Integration['credentials'] };
    const integration: Integration = {
      id: newId('int'),
      tenantId,
      provider: body.provider,
      ...(body.name !== undefined && { name: body.name }),
      credentials,
      createdAt: new Date().toISOString(),
    };
    await createIntegration(integration);
    return json(201, toView(integration, request), { location: `/v1/integrations/${integration.id}` });
  },
};

const list: ApiRoute = {
  method: 'GET',
  path: '/v1/integrations',
  summary: "List the tenant's integrations, newest first",
  tag: TAG,
  query: PaginationQuerySchema,
  responses: { 200: { description: 'One page', schema: pageOf(IntegrationSchema) }, ...errorResponses },
  async handle(request: ApiRequest<unknown, { limit: number; cursor?: string }>) {
    const page = await listIntegrations(request.tenantId, request.query);
    return json(200, {
      items: page.items.map((integration) => toView(integration, request)),
      ...(page.nextCursor && { nextCursor: page.nextCursor }),
    });
  },
};

const get: ApiRoute = {
  method: 'GET',
  path: '/v1/integrations/{id}',
  summary: 'Get an integration (without its credentials)',
  tag: TAG,
  responses: {
    200: { description: 'The integration', schema: IntegrationSchema },
    ...errorResponses,
    ...notFoundResponse,
  },
  async handle(request: ApiRequest) {
    const id = request.pathParameters.id!;
    const integration = await getTenantIntegration(request.tenantId, id);
    if (!integration) throw new NotFoundError(`No integration ${id}.`);
    return json(200, toView(integration, request));
  },
};

const remove: ApiRoute = {
  method: 'DELETE',
  path: '/v1/integrations/{id}',
  summary: 'Delete an integration; its inbound URL stops accepting events',
  tag: TAG,
  responses: { 204: { description: 'Deleted' }, ...errorResponses, ...notFoundResponse },
  async handle({ tenantId, pathParameters }: ApiRequest) {
    if (!(await deleteIntegration(tenantId, pathParameters.id!))) {
      throw new NotFoundError(`No integration ${pathParameters.id}.`);
    }
    return noContent();
  },
};

export const integrationRoutes: ApiRoute[] = [create, list, get, remove];
