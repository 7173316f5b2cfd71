import {
  EVENT_TYPES,
  EVENT_TYPE_DESCRIPTIONS,
  payloadEventType,
  splitEventType,
  type EventType,
} from '../shared/catalog';
import { WebhookPayloadSchema } from '../shared/events';
import { json } from '../shared/http';
import { samplePayload } from './samples';
import { EventTypeInfoSchema, ErrorSchema } from './schemas';
import { jsonSchemaOf } from './json-schema';
import type { ApiRoute } from './types';
import * as z from 'zod';

/** The body schema of one event type: the webhook payload with its `eventType` and `channel` fixed. */
export function eventTypeSchema(type: EventType): Record<string, unknown> {
  const { status, channel } = splitEventType(type);
  return jsonSchemaOf(
    WebhookPayloadSchema.extend({
      eventType: z.literal(payloadEventType(status, channel)),
      channel: z.literal(channel),
    }),
    'output',
  );
}

export const eventTypesRoute: ApiRoute = {
  method: 'GET',
  path: '/v1/event-types',
  summary: 'The subscribable event types, each with a description, its JSON Schema and a sample payload',
  tag: 'Event types',
  responses: {
    200: { description: 'The catalog', schema: z.object({ items: z.array(EventTypeInfoSchema) }) },
    401: { description: 'Missing, unknown or revoked API key', schema: ErrorSchema },
  },
  async handle() {
    return json(200, {
      items: EVENT_TYPES.map((type) => ({
        type,
        description: EVENT_TYPE_DESCRIPTIONS[type],
        schema: eventTypeSchema(type),
        samplePayload: samplePayload(type),
      })),
    });
  },
};
