/**
 * `GET /v1/webhooks/{id}/activity`: a subscription's lifecycle as its operational events recorded it
 * (disabled, re-enabled, deliveries parked, replays and catch-ups started and finished), newest first,
 * kept for the delivery log's retention. Read from the tenant's own partition: another tenant's id is
 * not found (404).
 */
import { json } from '../shared/http';
import { listActivity } from '../shared/operations';
import { ActivitySchema, PaginationQuerySchema, pageOf } from './schemas';
import type { ApiRequest, ApiRoute } from './types';
import { errorResponses, notFoundResponse, requireSubscription } from './webhooks';

export const activityRoute: ApiRoute = {
  method: 'GET',
  path: '/v1/webhooks/{id}/activity',
  summary:
    "A webhook's lifecycle, newest first: disabled, re-enabled, deliveries parked, replays and catch-ups started and finished",
  tag: 'Webhooks',
  query: PaginationQuerySchema,
  responses: {
    200: { description: 'One page', schema: pageOf(ActivitySchema) },
    ...errorResponses,
    ...notFoundResponse,
  },
  async handle({ tenantId, pathParameters, query }: ApiRequest<unknown, { limit: number; cursor?: string }>) {
    const subscription = await requireSubscription(tenantId, pathParameters.id!);
    const page = await listActivity(tenantId, subscription.id, query);
    return json(200, { items: page.items, ...(page.nextCursor && { nextCursor: page.nextCursor }) });
  },
};
