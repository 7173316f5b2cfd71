import { EVENT_TYPES, EVENT_TYPE_DESCRIPTIONS } from '../shared/catalog';
import { json } from '../shared/http';
import { samplePayload } from './samples';
import { EventTypeInfoSchema, ErrorSchema } from './schemas';
import type { ApiRoute } from './types';
import * as z from 'zod';

export const eventTypesRoute: ApiRoute = {
  method: 'GET',
  path: '/v1/event-types',
  summary: 'The subscribable event types, each with a description and a sample payload',
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
        samplePayload: samplePayload(type),
      })),
    });
  },
};
