/**
 * `POST /v1/webhooks/{id}/test`: one sample event of the subscription's types, sent now through the
 * delivery engine's own sender (same signing, auth, headers and address checks as real deliveries).
 * The result is the response, and the attempt is recorded in the delivery log like any delivery's (so
 * the portal shows it there, and a failed test can be retried through the queue).
 */
import { sendWebhook } from '../delivery/send';
import type { EventType } from '../shared/catalog';
import { recordAttempts, RESPONSE_BODY_KEPT } from '../shared/deliveries';
import { recordStats } from '../shared/delivery-stats';
import { json } from '../shared/http';
import { newId } from '../shared/ids';
import { signingSecrets } from '../shared/subscriptions';
import { apiEnv } from './env';
import { samplePayload } from './samples';
import { TestResultSchema, TestWebhookSchema } from './schemas';
import type { ApiRequest, ApiRoute } from './types';
import { invalidField } from './validation';
import { errorResponses, notFoundResponse, requireSubscription } from './webhooks';

const RESPONSE_BODY_LIMIT = 1024;

export const testWebhookRoute: ApiRoute = {
  method: 'POST',
  path: '/v1/webhooks/{id}/test',
  summary: 'Send a sample event to the webhook now and report what the endpoint answered',
  tag: 'Webhooks',
  body: TestWebhookSchema,
  responses: {
    200: {
      description: 'What happened (also when the endpoint failed: see `delivered`)',
      schema: TestResultSchema,
    },
    ...errorResponses,
    ...notFoundResponse,
  },
  async handle({ tenantId, pathParameters, body }: ApiRequest<{ eventType?: EventType }>) {
    const subscription = await requireSubscription(tenantId, pathParameters.id!);
    const eventType = body.eventType ?? subscription.events[0]!;
    if (!subscription.events.includes(eventType)) {
      throw invalidField(
        'eventType',
        `must be one of the webhook's event types: ${subscription.events.join(', ')}`,
      );
    }
    const env = apiEnv();
    const deliveryId = newId('msg');
    const at = new Date();
    const payload = samplePayload(eventType, { id: newId('evt'), occurredAt: at.toISOString() });
    const result = await sendWebhook(
      {
        url: subscription.url,
        secrets: signingSecrets(subscription),
        auth: subscription.auth,
        headers: subscription.headers,
      },
      payload,
      {
        deliveryId,
        timeoutMs: env.DELIVERY_TIMEOUT_MS,
        allowPrivateTargets: env.ALLOW_PRIVATE_TARGETS,
        now: at,
      },
    );
    const kept = result.delivered ? RESPONSE_BODY_KEPT.succeeded : RESPONSE_BODY_KEPT.failed;
    await recordAttempts(
      { deliveryId, tenantId, subscriptionIds: [subscription.id], eventType, payload },
      `test:${deliveryId}`,
      [
        {
          subscriptionId: subscription.id,
          status: result.delivered ? 'succeeded' : 'failed',
          attempt: {
            at: at.toISOString(),
            durationMs: result.durationMs,
            ...(result.statusCode !== undefined && { statusCode: result.statusCode }),
            ...(result.error !== undefined && { error: result.error }),
            ...(result.responseBody && { responseBody: result.responseBody.slice(0, kept) }),
          },
        },
      ],
      env.DELIVERY_LOG_TTL_DAYS * 86_400,
      at.toISOString(),
    );
    await recordStats(
      [
        {
          tenantId,
          subscriptionId: subscription.id,
          status: result.delivered ? 'succeeded' : 'failed',
          at: at.toISOString(),
        },
      ],
      env.DELIVERY_LOG_TTL_DAYS * 86_400,
    );
    return json(200, {
      deliveryId,
      eventType,
      delivered: result.delivered,
      ...(result.statusCode !== undefined && { statusCode: result.statusCode }),
      durationMs: result.durationMs,
      ...(result.responseBody !== undefined && {
        responseBody: result.responseBody.slice(0, RESPONSE_BODY_LIMIT),
      }),
      ...(result.error !== undefined && { error: result.error }),
    });
  },
};
