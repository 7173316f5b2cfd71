/**
 * One step of a replay or catch-up: read the next page of the subscription's deliveries (a time
 * window of its log, or its parked deliveries, oldest first), set each back to `pending` under the
 * job's claim, and queue it to its status queue with a delay that spaces the page at the job's rate;
 * then record the progress and queue the next step, delayed until this page has gone out. So a job is
 * a chain of step messages on the replay queue, never a polling loop, and a subscription never gets
 * re-sent deliveries faster than the rate.
 *
 * The delivery function posts each queued delivery as it posts any other (signing, retries, the log),
 * with its original delivery id as `webhook-id`, to that subscription only (the message names it alone).
 */
import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqs } from '../shared/aws';
import { splitEventType, type EventType } from '../shared/catalog';
import {
  claimForResend,
  readLog,
  readParked,
  removeParked,
  setDeliveryStatus,
  subscriptionFilter,
  type DeliveryStatus,
} from '../shared/deliveries';
import { envelopeFor, type DeliveryRequest, type WebhookPayload } from '../shared/events';
import { idTimePrefix } from '../shared/ids';
import { logger } from '../shared/logger';
import type { ReplayEnv } from './env';
import { recordStep, replayFinishedEvent, type ReplayJob } from './jobs';
import { emitOperationalEvents } from '../shared/operations';

/** Seconds of sending one step queues; SQS delays a message at most 900 s. */
export const STEP_SECONDS = 10;
/** Deliveries one step handles at most, whatever the rate. */
const MAX_PAGE = 500;
/**
 * Seconds before its page's first slot that the next step is queued to run: time to read, claim and
 * queue the page, so the page goes out on time rather than one step's runtime late.
 */
const STEP_LEAD_SECONDS = 2;

/** The message that runs a job's step. */
export interface StepMessage {
  tenantId: string;
  subscriptionId: string;
  replayId: string;
  step: number;
  /** When this step's first delivery may go (epoch ms): just after the previous page's last slot. */
  releaseAt?: number;
}

interface Candidate {
  deliveryId: string;
  eventType: EventType;
  payload: WebhookPayload;
  /** The status it must still have to be claimed. */
  expected: DeliveryStatus;
}

const DELIVERY_ID_PREFIX = 'msg';

/** The page of deliveries the job's next step considers, and where the step after it continues. */
async function nextPage(
  job: ReplayJob,
  limit: number,
): Promise<{ candidates: Candidate[]; skipped: number; read: string[]; next?: string }> {
  if (job.selection === 'parked') {
    const { items, next } = await readParked(job.tenantId, job.subscriptionId, {
      after: job.position,
      limit,
    });
    return {
      candidates: items.map((item) => ({ ...item, expected: 'parked' })),
      skipped: 0,
      read: items.map((item) => item.deliveryId),
      next,
    };
  }
  const { items, next } = await readLog(job.tenantId, {
    after: job.position ?? idTimePrefix(DELIVERY_ID_PREFIX, Date.parse(job.since!)),
    before: idTimePrefix(DELIVERY_ID_PREFIX, Date.parse(job.until!)),
    newestFirst: false,
    limit,
    filter: subscriptionFilter(job.subscriptionId, {
      ...(job.selection === 'failed' && { status: 'failed' }),
      eventTypes: job.eventTypes,
    }),
  });
  const candidates: Candidate[] = [];
  let skipped = 0;
  for (const log of items) {
    const status = log.statusOf(job.subscriptionId)!;
    // Still being attempted (and not by this job): its own retries carry it.
    if (status === 'pending' && log.claimOf(job.subscriptionId) !== job.replayId) skipped++;
    else
      candidates.push({
        deliveryId: log.deliveryId,
        eventType: log.eventType,
        payload: log.payload,
        expected: status,
      });
  }
  return { candidates, skipped, read: items.map((log) => log.deliveryId), next };
}

/**
 * Queues the claimed deliveries, spaced at `rate` from `offsetSeconds` on; those SQS refused are set
 * back and not counted.
 */
async function queueSpaced(
  job: ReplayJob,
  claimed: Candidate[],
  env: ReplayEnv,
  offsetSeconds: number,
): Promise<number> {
  const rate = job.ratePerSecond;
  const entries = claimed.map((candidate, index) => {
    const request: DeliveryRequest = {
      deliveryId: candidate.deliveryId,
      tenantId: job.tenantId,
      subscriptionIds: [job.subscriptionId],
      eventType: candidate.eventType,
      payload: candidate.payload,
      replayId: job.replayId,
    };
    return {
      candidate,
      queueUrl: env.DELIVERY_QUEUE_URLS[splitEventType(candidate.eventType).status],
      entry: {
        Id: String(index),
        MessageBody: JSON.stringify(envelopeFor(request)),
        DelaySeconds: Math.min(900, offsetSeconds + Math.floor(index / rate)),
      },
    };
  });
  const refused: Candidate[] = [];
  const byQueue = new Map<string, typeof entries>();
  for (const entry of entries) byQueue.set(entry.queueUrl, [...(byQueue.get(entry.queueUrl) ?? []), entry]);
  for (const [queueUrl, group] of byQueue) {
    for (let start = 0; start < group.length; start += 10) {
      const batch = group.slice(start, start + 10);
      try {
        const { Failed = [] } = await sqs().send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: batch.map((item) => item.entry) }),
        );
        const failedIds = new Set(Failed.map((failure) => failure.Id));
        refused.push(...batch.filter((item) => failedIds.has(item.entry.Id)).map((item) => item.candidate));
      } catch (error) {
        logger.error('could not queue replayed deliveries', {
          replayId: job.replayId,
          error: error as Error,
        });
        refused.push(...batch.map((item) => item.candidate));
      }
    }
  }
  // Set back what was not queued, so it is neither stuck as pending nor counted; a later job sends it.
  await Promise.all(
    refused.map((candidate) =>
      setDeliveryStatus(
        job.tenantId,
        candidate.deliveryId,
        job.subscriptionId,
        candidate.expected,
        'pending',
      ),
    ),
  );
  return claimed.length - refused.length;
}

/**
 * Runs one step of `job` and queues the next; returns the job after the step (undefined when this
 * step had already been run: a repeated message). The page's one-second slots begin at `releaseAt`
 * (never before: rounded up to a whole second of delay), and the next step is queued to run shortly
 * before the slot after this page's last, so pages follow each other without a gap or an overlap.
 */
export async function runStep(
  job: ReplayJob,
  env: ReplayEnv,
  releaseAt?: number,
): Promise<ReplayJob | undefined> {
  const started = Date.now();
  const offsetSeconds =
    releaseAt === undefined ? 0 : Math.min(60, Math.max(0, Math.ceil((releaseAt - started) / 1000)));
  const limit = Math.min(MAX_PAGE, Math.max(1, Math.floor(job.ratePerSecond * STEP_SECONDS)));
  const page = await nextPage(job, limit);
  const claims = await Promise.all(
    page.candidates.map((candidate) =>
      claimForResend(
        job.tenantId,
        candidate.deliveryId,
        job.subscriptionId,
        candidate.expected,
        job.replayId,
      ),
    ),
  );
  const claimed = page.candidates.filter((_, index) => claims[index]);
  const queued = await queueSpaced(job, claimed, env, offsetSeconds);
  if (job.selection === 'parked') await removeParked(job.tenantId, job.subscriptionId, page.read);

  const finished = page.next === undefined;
  const updated = await recordStep(job, {
    queued,
    skipped: page.skipped + (page.candidates.length - claimed.length),
    position: page.next ?? page.read.at(-1),
    finished,
  });
  if (updated?.state === 'finished') {
    await emitOperationalEvents([replayFinishedEvent(updated)], {
      busName: env.EVENT_BUS_NAME,
      ttlSeconds: env.DELIVERY_LOG_TTL_DAYS * 86_400,
    });
  }
  if (updated && !finished) {
    // The next page's first slot follows this page's last one.
    const nextReleaseAt = started + (offsetSeconds + Math.ceil(queued / job.ratePerSecond)) * 1000;
    const message: StepMessage = {
      tenantId: job.tenantId,
      subscriptionId: job.subscriptionId,
      replayId: job.replayId,
      step: updated.step,
      releaseAt: nextReleaseAt,
    };
    await sqs().send(
      new SendMessageCommand({
        QueueUrl: env.REPLAY_QUEUE_URL,
        MessageBody: JSON.stringify(message),
        DelaySeconds: Math.min(
          900,
          Math.max(0, Math.floor((nextReleaseAt - Date.now()) / 1000) - STEP_LEAD_SECONDS),
        ),
      }),
    );
  }
  return updated;
}
