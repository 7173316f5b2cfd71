/**
 * The portal's only way to the API: an openapi-fetch client typed from the OpenAPI document
 * (schema.d.ts, generated), same origin, with the session token as a bearer token. A 401 means the
 * session ended (expired or logged out elsewhere): the app shows the sign-in-expired page.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { clearSession, sessionToken } from '../session';

export type Schemas = components['schemas'];

let onSessionEnded: () => void = () => undefined;

/** What the app does when the API says the session is over; returns the undo. */
export function whenSessionEnds(callback: () => void): () => void {
  onSessionEnded = callback;
  return () => {
    if (onSessionEnded === callback) onSessionEnded = () => undefined;
  };
}

const bearer: Middleware = {
  onRequest({ request }) {
    const token = sessionToken();
    if (token && !request.headers.has('authorization'))
      request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response, request }) {
    // Only a refusal of the current session ends it: the late answer of a request sent before a
    // logout (or with an older session) changes nothing.
    const token = sessionToken();
    if (response.status === 401 && token && request.headers.get('authorization') === `Bearer ${token}`) {
      clearSession();
      onSessionEnded();
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin });
api.use(bearer);

/** The API's error body (`{ error: { code, message, details? } }`). */
export interface ApiError {
  code: string;
  message: string;
  details?: unknown;
}

/**
 * The API's errors by field (`url`, `auth.username`, `headers.X-Foo`, `since`, ...): a validation
 * error's `details.problems`, or the one field another 400 names in `details.field` (its message
 * without the leading `field: `).
 */
export function fieldProblems(error: ApiError | undefined): Record<string, string> {
  const details = error?.details as
    { problems?: { field: string; message: string }[]; field?: string } | undefined;
  const byField: Record<string, string> = {};
  for (const problem of details?.problems ?? []) byField[problem.field] ??= problem.message;
  if (details?.field && error) {
    const prefix = `${details.field}: `;
    const { message } = error;
    byField[details.field] ??= message.startsWith(prefix) ? message.slice(prefix.length) : message;
  }
  return byField;
}

/** The `error` of an openapi-fetch result, typed loosely (every error response has this shape). */
export function errorOf(result: { error?: unknown; response: Response }): ApiError | undefined {
  if (result.response.ok) return undefined;
  const body = result.error as { error?: ApiError } | undefined;
  return body?.error ?? { code: `http_${result.response.status}`, message: result.response.statusText };
}
