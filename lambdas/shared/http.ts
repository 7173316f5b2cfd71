import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { HttpError, PayloadTooLargeError } from './errors';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number };

/** Case-insensitive header lookup (API Gateway lower-cases names, but callers of the local server may not). */
export function header(event: Pick<APIGatewayProxyEventV2, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** Whether a Content-Type names JSON: `application/json` or `application/<anything>+json`. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(mediaType ?? '');
}

/** The key from `Authorization: Bearer <key>`, or undefined when the header has another shape. */
export function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

/** The request body exactly as sent, as a Buffer; rejects bodies over `limitBytes` with a 413. */
export function rawBody(
  event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>,
  limitBytes: number,
): Buffer {
  const body = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  if (bytes.length > limitBytes) throw new PayloadTooLargeError(limitBytes);
  return bytes;
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

export function noContent(): HttpResponse {
  return { statusCode: 204, headers: {}, body: '' };
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/**
 * The one place errors become HTTP: an HttpError shows its code and reason; anything else is an
 * opaque 500 (its detail goes to the log, never to the caller).
 */
export function toErrorResponse(error: unknown): HttpResponse {
  if (error instanceof HttpError) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error.details !== undefined) body.error.details = error.details;
    return json(error.statusCode, body);
  }
  return json(500, { error: { code: 'internal_error', message: 'Internal error.' } } satisfies ErrorBody);
}
