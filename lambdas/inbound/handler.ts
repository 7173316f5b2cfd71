/**
 * The inbound Lambda, `POST /v1/inbound/{integrationId}`: a thin adapter over ingest(). It also answers
 * `HEAD` on the same URL (200 for a known integration), the check Mandrill makes before it posts.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { InboundRequest } from '../providers/types';
import { NotFoundError } from '../shared/errors';
import { getIntegration } from '../shared/integrations';
import { json, rawBody, toErrorResponse, type HttpResponse } from '../shared/http';
import { inboundEnv } from './env';
import { ingest, type IngestOptions } from './ingest';
import { logger } from '../shared/logger';

export const MAX_BODY_BYTES = 1024 * 1024;

/** The request as the provider made it: the public URL it called (signatures may cover it). */
export function inboundRequest(event: APIGatewayProxyEventV2, now: Date): InboundRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  const base = (inboundEnv().PUBLIC_URL ?? `https://${event.requestContext.domainName}`).replace(/\/+$/, '');
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(event.rawQueryString ?? '')) query[name] = value;
  return {
    rawBody: rawBody(event, MAX_BODY_BYTES),
    headers,
    url: `${base}${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`,
    query,
    now,
  };
}

export async function handleInbound(
  event: APIGatewayProxyEventV2,
  options: IngestOptions = {},
): Promise<HttpResponse> {
  try {
    const integrationId = event.pathParameters?.integrationId;
    if (!integrationId) throw new NotFoundError('No integration.');
    if (event.requestContext.http.method === 'HEAD') {
      if (!(await getIntegration(integrationId))) throw new NotFoundError('No such integration.');
      return { statusCode: 200, headers: {}, body: '' };
    }
    const results = await ingest(integrationId, inboundRequest(event, new Date()), options);
    return json(200, results);
  } catch (error) {
    if (!(error instanceof Error && 'statusCode' in error)) logger.error('inbound failed', { error });
    return toErrorResponse(error);
  }
}

export function handler(event: APIGatewayProxyEventV2): Promise<HttpResponse> {
  return handleInbound(event);
}
