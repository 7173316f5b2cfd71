/** Every route the management API function serves. */
import { activityRoute } from './activity';
import { deliveryRoutes } from './deliveries';
import { eventTypesRoute } from './event-types';
import { integrationRoutes } from './integrations';
import { openApiRoute } from './openapi';
import { portalRoutes } from './portal';
import { providersRoute } from './providers';
import { replayRoutes } from './replays';
import type { ApiRoute } from './types';
import { testWebhookRoute } from './webhook-test';
import { webhookRoutes } from './webhooks';
import { apiEnv } from './env';

export const API_ROUTES: readonly ApiRoute[] = [
  openApiRoute(
    () => API_ROUTES,
    ({ event }) => apiEnv().PUBLIC_URL ?? `https://${event.requestContext.domainName}`,
  ),
  eventTypesRoute,
  ...webhookRoutes,
  testWebhookRoute,
  ...deliveryRoutes,
  ...replayRoutes,
  activityRoute,
  ...integrationRoutes,
  providersRoute,
  ...portalRoutes,
];
