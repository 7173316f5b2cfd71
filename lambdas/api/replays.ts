/**
 * Re-sending a subscription's deliveries: a replay of a time window (`POST /v1/webhooks/{id}/replay`),
 * a catch-up of its parked deliveries when it is re-enabled (`PUT /v1/webhooks/{id}` with `catchUp`),
 * their progress, and the count of parked deliveries. The work itself is lambdas/replay: this module
 * starts a job, runs its first step in the request (so a small replay is queued when the answer
 * comes), and leaves the rest to the replay queue.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { sqs } from '../shared/aws';
import { countParked } from '../shared/deliveries';
import { BadRequestError, NotFoundError, ServiceUnavailableError } from '../shared/errors';
import { json } from '../shared/http';
import { newId } from '../shared/ids';
import { logger } from '../shared/logger';
import { replayEnv } from '../replay/env';
import {
  getJob,
  listJobs,
  replayStartedEvent,
  STALE_AFTER_MS,
  startJob,
  type ReplayJob,
} from '../replay/jobs';
import { emitOperationalEvents } from '../shared/operations';
import { runStep, type StepMessage } from '../replay/step';
import {
  ErrorSchema,
  pageOf,
  PaginationQuerySchema,
  ReplayRequestSchema,
  ReplaySchema,
  type ReplayRequest,
} from './schemas';
import type { ApiRequest, ApiRoute } from './types';
import { errorResponses, notFoundResponse, requireSubscription } from './webhooks';

const TAG = 'Webhooks';

export function toReplayView(job: ReplayJob, now = Date.now()) {
  const stalled = job.state === 'running' && now - Date.parse(job.updatedAt) > STALE_AFTER_MS;
  return {
    replayId: job.replayId,
    webhookId: job.subscriptionId,
    kind: job.kind,
    state: stalled ? 'stalled' : job.state,
    ...(job.since !== undefined && { since: job.since, until: job.until }),
    ...(job.eventTypes && { eventTypes: job.eventTypes }),
    status: job.selection,
    ratePerSecond: job.ratePerSecond,
    queued: job.queued,
    skipped: job.skipped,
    ...(job.total !== undefined && { total: job.total }),
    sent: (job.succeeded ?? 0) + (job.failed ?? 0),
    failed: job.failed ?? 0,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    ...(job.finishedAt && { finishedAt: job.finishedAt }),
  };
}

/**
 * Starts a job and runs its first step here; should that step fail, the replay queue runs it. Throws
 * 409 (`replay_running`) while another job of the subscription runs.
 */
export async function launchJob(
  fields: Pick<ReplayJob, 'tenantId' | 'subscriptionId' | 'kind' | 'selection'> &
    Partial<Pick<ReplayJob, 'since' | 'until' | 'eventTypes' | 'total'>>,
): Promise<ReplayJob> {
  const env = replayEnv();
  const now = new Date();
  const job: ReplayJob = {
    ...fields,
    replayId: newId('rpl', now.getTime()),
    state: 'running',
    ratePerSecond: env.REPLAY_RATE_PER_SECOND,
    queued: 0,
    skipped: 0,
    step: 0,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + env.DELIVERY_LOG_TTL_DAYS * 86_400,
  };
  await startJob(job);
  await emitOperationalEvents([replayStartedEvent(job)], {
    busName: env.EVENT_BUS_NAME,
    ttlSeconds: env.DELIVERY_LOG_TTL_DAYS * 86_400,
  });
  try {
    return (await runStep(job, env)) ?? job;
  } catch (error) {
    logger.warn('first replay step failed in the request; the replay queue retries it', {
      replayId: job.replayId,
      error: error as Error,
    });
  }
  const message: StepMessage = {
    tenantId: job.tenantId,
    subscriptionId: job.subscriptionId,
    replayId: job.replayId,
    step: job.step,
  };
  try {
    await sqs().send(
      new SendMessageCommand({ QueueUrl: env.REPLAY_QUEUE_URL, MessageBody: JSON.stringify(message) }),
    );
  } catch (error) {
    logger.error('could not queue a replay step', { replayId: job.replayId, error: error as Error });
    throw new ServiceUnavailableError('Could not start the replay; retry with the same Idempotency-Key.');
  }
  return job;
}

/** Starts the catch-up of a re-enabled subscription's parked deliveries (PUT with `catchUp`). */
export async function startCatchUp(
  tenantId: string,
  subscriptionId: string,
  parked?: number,
): Promise<ReplayJob> {
  const total = parked ?? (await countParked(tenantId, subscriptionId));
  return launchJob({ tenantId, subscriptionId, kind: 'catch-up', selection: 'parked', total });
}

const conflictResponse = {
  409: {
    description: 'A replay or catch-up of this webhook is running (`replay_running`)',
    schema: ErrorSchema,
  },
};

const replay: ApiRoute = {
  method: 'POST',
  path: '/v1/webhooks/{id}/replay',
  summary:
    'Re-send what this webhook was sent (or should have been sent) in a time window, with the original webhook-id, at the replay rate',
  tag: TAG,
  body: ReplayRequestSchema,
  responses: {
    202: { description: 'Started; the first deliveries are queued', schema: ReplaySchema },
    ...errorResponses,
    ...notFoundResponse,
    ...conflictResponse,
    503: { description: 'Could not start; retry with the same Idempotency-Key', schema: ErrorSchema },
  },
  async handle({ tenantId, pathParameters, body }: ApiRequest<ReplayRequest>) {
    const subscription = await requireSubscription(tenantId, pathParameters.id!);
    const now = Date.now();
    const since = Date.parse(body.since);
    const until = Math.min(body.until === undefined ? now : Date.parse(body.until), now);
    if (!(since < until)) {
      throw new BadRequestError(
        'since: must be before until (and before now).',
        { field: 'since' },
        'invalid_window',
      );
    }
    const retentionDays = replayEnv().DELIVERY_LOG_TTL_DAYS;
    if (since < now - retentionDays * 86_400_000) {
      throw new BadRequestError(
        `since: the delivery log keeps ${retentionDays} days; the window must start within them.`,
        { field: 'since' },
        'window_outside_retention',
      );
    }
    const job = await launchJob({
      tenantId,
      subscriptionId: subscription.id,
      kind: 'replay',
      selection: body.status,
      since: new Date(since).toISOString(),
      until: new Date(until).toISOString(),
      ...(body.eventTypes && { eventTypes: [...new Set(body.eventTypes)] }),
    });
    return json(202, toReplayView(job));
  },
};

const replayStatus: ApiRoute = {
  method: 'GET',
  path: '/v1/webhooks/{id}/replays/{replayId}',
  summary: 'Progress of a replay or catch-up',
  tag: TAG,
  responses: {
    200: { description: 'The replay', schema: ReplaySchema },
    ...errorResponses,
    ...notFoundResponse,
  },
  async handle({ tenantId, pathParameters }: ApiRequest) {
    const subscription = await requireSubscription(tenantId, pathParameters.id!);
    const job = await getJob(tenantId, subscription.id, pathParameters.replayId!);
    if (!job) throw new NotFoundError(`No replay ${pathParameters.replayId}.`);
    return json(200, toReplayView(job));
  },
};

const ReplaysQuerySchema = PaginationQuerySchema.extend({
  cursor: z
    .string()
    .regex(/^rpl_[0-9A-Za-z]+$/, 'must be the nextCursor of the previous page')
    .optional()
    .describe('`nextCursor` of the previous page'),
});

const replays: ApiRoute = {
  method: 'GET',
  path: '/v1/webhooks/{id}/replays',
  summary: 'Replays and catch-ups of this webhook, newest first (the running one, if any, is the first)',
  tag: TAG,
  query: ReplaysQuerySchema,
  responses: {
    200: { description: 'A page of replays', schema: pageOf(ReplaySchema) },
    ...errorResponses,
    ...notFoundResponse,
  },
  async handle({ tenantId, pathParameters, query }: ApiRequest<unknown, z.infer<typeof ReplaysQuerySchema>>) {
    const subscription = await requireSubscription(tenantId, pathParameters.id!);
    const { jobs, next } = await listJobs(tenantId, subscription.id, {
      limit: query.limit,
      ...(query.cursor && { after: query.cursor }),
    });
    const now = Date.now();
    return json(200, { items: jobs.map((job) => toReplayView(job, now)), ...(next && { nextCursor: next }) });
  },
};

const parked: ApiRoute = {
  method: 'GET',
  path: '/v1/webhooks/{id}/parked',
  summary: 'How many deliveries are parked for this webhook (kept while it was disabled)',
  tag: TAG,
  responses: {
    200: {
      description: 'The count',
      schema: z.object({ parked: z.number().int() }).meta({ id: 'ParkedCount' }),
    },
    ...errorResponses,
    ...notFoundResponse,
  },
  async handle({ tenantId, pathParameters }: ApiRequest) {
    const subscription = await requireSubscription(tenantId, pathParameters.id!);
    return json(200, { parked: await countParked(tenantId, subscription.id) });
  },
};

export const replayRoutes: ApiRoute[] = [replay, replayStatus, replays, parked];
