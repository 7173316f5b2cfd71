/**
 * The management API Lambda (`/v1/webhooks*`, `/v1/event-types`, `/v1/openapi.json`, and the
 * integrations routes): a thin entry point over the router.
 */
import type { Context } from 'aws-lambda';
import type { HttpResponse } from '../shared/http';
import { createRouter, type ApiEvent } from './router';
import { API_ROUTES } from './routes';

export const router = createRouter(API_ROUTES);

export function handler(event: ApiEvent, context?: Context): Promise<HttpResponse> {
  return router.handle(event, context);
}
