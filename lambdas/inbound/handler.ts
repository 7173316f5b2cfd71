/**
 * The inbound Lambda, `POST /v1/inbound/{integrationId}`: a thin adapter over the ingest core. It also
 * answers `HEAD` on the same URL (200 for a known integration), the check Mandrill makes before it posts.
 *
 * - `idempotency-key` (optional): a repeat of a verified request with the same key within 24 hours gets
 *   the first answer back and publishes nothing; the same key with another body (or query) is a 422.
 * - `?include=row`: each result carries `event.row`, the provider's event as received (bounded).
 */
import { createHash } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { InboundRequest } from '../providers/types';
import { BadRequestError, NotFoundError } from '../shared/errors';
import { isWellFormedId } from '../shared/ids';
import { IDEMPOTENCY_HEADER, idempotencyKeyOf, withIdempotency } from '../shared/idempotency';
import { getIntegration } from '../shared/integrations';
import { header, json, rawBody, toErrorResponse, type HttpResponse } from '../shared/http';
import { inboundEnv } from './env';
import { publishEvents, verifyInbound, type IngestOptions } from './ingest';
import { logger } from '../shared/logger';

/** What `?include=` may name. */
const INCLUDABLE = new Set(['row']);

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

/** Whether the caller asked for `row` (`?include=row`); anything else it names is a 400. */
function includesRow(query: Record<string, string>): boolean {
  if (query.include === undefined) return false;
  const names = query.include.split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !INCLUDABLE.has(name));
  if (unknown.length > 0) {
    throw new BadRequestError(
      `include: ${JSON.stringify(unknown[0]!.slice(0, 64))} is not something a result can include (only row).`,
      { problems: [{ field: 'query.include', message: 'may only be row' }] },
      'validation_error',
    );
  }
  return true;
}

export async function handleInbound(
  event: APIGatewayProxyEventV2,
  options: IngestOptions = {},
  context?: Context,
): Promise<HttpResponse> {
  try {
    const integrationId = event.pathParameters?.integrationId;
    // An id this stack could not have made names no integration (and must not reach a DynamoDB key).
    if (!integrationId || !isWellFormedId(integrationId)) throw new NotFoundError('No such integration.');
    if (event.requestContext.http.method === 'HEAD') {
      if (!(await getIntegration(integrationId))) throw new NotFoundError('No such integration.');
      return { statusCode: 200, headers: {}, body: '' };
    }
    const request = inboundRequest(event, new Date());
    const includeRow = includesRow(request.query);
    const key = idempotencyKeyOf(header(event, IDEMPOTENCY_HEADER));
    // Verified first: a replay is answered only to a request that is itself authentic.
    const verified = await verifyInbound(integrationId, request, options);
    const respond = async () => json(200, await publishEvents(verified, request, { ...options, includeRow }));
    if (!key) return await respond();
    return await withIdempotency(
      {
        tableName: inboundEnv().IDEMPOTENCY_TABLE,
        tenantId: verified.integration.tenantId,
        method: 'POST',
        path: `/v1/inbound/${integrationId}`,
        key,
        // The request is its body and what it asked to include; a hash keeps the record small.
        body: `${createHash('sha256').update(request.rawBody).digest('base64url')} include=${includeRow}`,
        context,
      },
      respond,
    );
  } catch (error) {
    if (!(error instanceof Error && 'statusCode' in error)) logger.error('inbound failed', { error });
    return toErrorResponse(error);
  }
}

export function handler(event: APIGatewayProxyEventV2, context?: Context): Promise<HttpResponse> {
  return handleInbound(event, {}, context);
}
