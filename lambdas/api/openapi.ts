/**
 * The OpenAPI 3.1 document, generated from the routes' own zod schemas with zod's native JSON Schema
 * output (OpenAPI 3.1 schemas are JSON Schema 2020-12). Schemas that carry a `.meta({ id })` become
 * named components.
 */
import * as z from 'zod';
import { json } from '../shared/http';
import { ROUTES } from '../shared/routes';
import { jsonSchemaOf, type JsonSchema } from './json-schema';
import type { ApiRoute } from './types';
import { version } from '../../package.json';

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers?: { url: string }[];
  tags: { name: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
  security: Record<string, string[]>[];
}

const COMPONENT_REF = '#/components/schemas/';

/** Converts a zod schema, moving its named sub-schemas into `components`. */
function toJsonSchema(
  schema: z.ZodType,
  io: 'input' | 'output',
  components: Record<string, JsonSchema>,
): JsonSchema {
  const text = JSON.stringify(jsonSchemaOf(schema, io)).replaceAll('"#/$defs/', `"${COMPONENT_REF}`);
  const { $defs, ...rest } = JSON.parse(text) as JsonSchema & { $defs?: Record<string, JsonSchema> };
  for (const [name, definition] of Object.entries($defs ?? {})) components[name] = definition;
  return rest;
}

/** `/v1/webhooks/{id}/secret/rotate` + POST → `postWebhooksByIdSecretRotate`. */
function operationId(route: ApiRoute): string {
  const words = route.path
    .split('/')
    .filter((segment) => segment && segment !== 'v1')
    .map((segment) => {
      const parameter = /^\{(.+)\}$/.exec(segment)?.[1];
      return parameter ? `By-${parameter}` : segment;
    })
    .join('-')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return [route.method.toLowerCase(), ...words.map((word) => word[0]!.toUpperCase() + word.slice(1))].join(
    '',
  );
}

/** Whether a route's body may be omitted: its schema accepts `{}`. */
export function bodyIsOptional(schema: z.ZodType): boolean {
  return schema.safeParse({}).success;
}

function isAuthorized(route: ApiRoute): boolean {
  return ROUTES.find((spec) => spec.method === route.method && spec.path === route.path)?.authorized ?? true;
}

export function openApiDocument(routes: readonly ApiRoute[], serverUrl?: string): OpenApiDocument {
  const components: Record<string, JsonSchema> = {};
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const parameters: Record<string, unknown>[] = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => ({
      name: match[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (route.query instanceof z.ZodObject) {
      for (const [name, field] of Object.entries(route.query.shape as Record<string, z.ZodType>)) {
        const schema = toJsonSchema(field, 'input', components);
        const { description, ...fieldSchema } = schema;
        parameters.push({
          name,
          in: 'query',
          required: !field.isOptional(),
          ...(description ? { description } : {}),
          schema: fieldSchema,
        });
      }
    }
    if (route.method === 'POST' && isAuthorized(route)) {
      parameters.push({
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description: 'Makes the request safe to repeat: a repeat within 24 hours returns the first response.',
        schema: { type: 'string', minLength: 1, maxLength: 255 },
      });
    }
    const operation: Record<string, unknown> = {
      operationId: operationId(route),
      summary: route.summary,
      tags: [route.tag],
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: !bodyIsOptional(route.body),
              content: { 'application/json': { schema: toJsonSchema(route.body, 'input', components) } },
            },
          }
        : {}),
      responses: Object.fromEntries(
        Object.entries(route.responses).map(([status, response]) => [
          status,
          {
            description: response.description,
            ...(response.schema
              ? {
                  content: {
                    'application/json': { schema: toJsonSchema(response.schema, 'output', components) },
                  },
                }
              : {}),
          },
        ]),
      ),
      ...(isAuthorized(route) ? {} : { security: [] }),
    };
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'event-relay management API',
      version,
      description: 'Manage webhook subscriptions and provider integrations, and inspect deliveries.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    tags: [...new Set(routes.map((route) => route.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'A tenant API key, `er_live_...` (`er_local_...` in the local mode)',
        },
      },
    },
    security: [{ apiKey: [] }],
  };
}

/** `GET /v1/openapi.json`, documenting `routes()` (a function, as the list includes this route). */
export function openApiRoute(
  routes: () => readonly ApiRoute[],
  serverUrl: (request: { event: { requestContext: { domainName: string } } }) => string,
): ApiRoute {
  return {
    method: 'GET',
    path: '/v1/openapi.json',
    summary: 'This OpenAPI 3.1 document',
    tag: 'Meta',
    responses: { 200: { description: 'The OpenAPI document' } },
    async handle(request) {
      return json(200, openApiDocument(routes(), serverUrl(request)));
    },
  };
}
