/**
 * The delivery engine: one SQS batch of queued events → one signed POST of each event to each of its
 * subscriptions, every attempt recorded, failures retried on the configured schedule.
 *
 * A message names an event and the subscriptions to deliver it to. Each receive posts it to those of
 * them that have not yet succeeded (the event's delivery log, read first, says which), concurrently,
 * and records the round in one write. So a subscriber that fails is retried alone: the others are not
 * posted to again.
 *
 * Retries ride on the queue itself. The attempt number is the message's ApproximateReceiveCount; a
 * failed attempt with retries left sets the message's visibility timeout to the next delay of the
 * schedule and reports the record as a batch item failure, so SQS hands it back after that delay (a
 * delay queue could not: SQS caps delays at 15 minutes). After the last attempt the deliveries still
 * failing are marked `failed` and the message is made visible at once; its next receive exceeds the
 * queue's redrive maxReceiveCount (= maxAttempts(schedule)) and SQS moves it to the dead-letter queue.
 * Redriven from there, it is posted again to the subscriptions that failed, and only to them.
 *
 * Anything unexpected in one record (a DynamoDB error, a bug) fails only that record, which SQS
 * redelivers after the visibility timeout; a crash or timeout of the whole invocation returns the whole
 * batch the same way. Deliveries are therefore at least once: receivers dedupe on `webhook-id`.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ChangeMessageVisibilityCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { sqs } from '../shared/aws';
import { STATUSES, splitEventType, type Status } from '../shared/catalog';
import {
  getDeliveryLog,
  recordAttempts,
  RESPONSE_BODY_KEPT,
  type DeliveryStatus,
  type RecordedAttempt,
} from '../shared/deliveries';
import { DeliveryRequestSchema, type DeliveryRequest } from '../shared/events';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME, STATUS_DIMENSION } from '../shared/metrics';
import { nextRetryDelay } from '../shared/retry-schedule';
import { isActive, signingSecrets, type Subscription } from '../shared/subscriptions';
import { deliveryEnv, type DeliveryEnv } from './env';
import { logger } from '../shared/logger';
import { queueUrlOf } from './queue-urls';
import { sendWebhook, type AttemptResult } from './send';
import { cachedSubscription } from './subscription-cache';

/** What became of one delivery (one subscription) in this round; drives the metrics. */
type DeliveryOutcome =
  /** The subscription is gone or disabled: recorded as skipped, not retried. */
  { kind: 'skipped' } | { kind: 'attempted'; result: AttemptResult; deliveryStatus: DeliveryStatus };

/** What became of one record: whether SQS must keep it, and each delivery's outcome. */
interface RecordOutcome {
  status?: Status;
  keep: boolean;
  deliveries: DeliveryOutcome[];
}

const DROPPED: RecordOutcome = { keep: false, deliveries: [] };
const CRASHED: RecordOutcome = { keep: true, deliveries: [] };

/**
 * The delivery a message carries, or undefined when it is not one. Such a message can never succeed
 * (no retry changes its bytes) and names no delivery log to record it in, so it is logged and dropped
 * rather than retried into the dead-letter queue.
 */
export function parseRecord(
  record: Pick<SQSRecord, 'body'>,
): { request: DeliveryRequest; status: Status } | undefined {
  let envelope: { 'detail-type'?: unknown; detail?: unknown };
  try {
    envelope = JSON.parse(record.body) as typeof envelope;
  } catch {
    return undefined;
  }
  const parsed = DeliveryRequestSchema.safeParse(envelope?.detail);
  if (!parsed.success) return undefined;
  const detailType = envelope['detail-type'];
  const status = (STATUSES as readonly unknown[]).includes(detailType)
    ? (detailType as Status)
    : splitEventType(parsed.data.eventType).status;
  return { request: parsed.data, status };
}

/** The 1-based attempt number of a received message. */
export function attemptNumber(record: Pick<SQSRecord, 'attributes'>): number {
  const count = Number(record.attributes.ApproximateReceiveCount);
  return Number.isInteger(count) && count > 0 ? count : 1;
}

/** Deliveries that are over: posting them again would only duplicate. */
const SETTLED: ReadonlySet<DeliveryStatus | undefined> = new Set(['succeeded', 'skipped']);

async function setVisibility(record: SQSRecord, seconds: number): Promise<void> {
  try {
    await sqs().send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: await queueUrlOf(record.eventSourceARN),
        ReceiptHandle: record.receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  } catch (error) {
    // The message still comes back, only after the queue's own visibility timeout instead.
    logger.warn('could not change message visibility', {
      messageId: record.messageId,
      error: error as Error,
    });
  }
}

/**
 * One attempt at one subscription, or why it is skipped. Whatever goes wrong for this subscription
 * alone (its item cannot be read, its stored settings cannot be sent: a header Node refuses, a URL that
 * no longer parses, a secret that does not decode) is a failed attempt carrying the reason, recorded and
 * retried like any other failure, so the event's other subscribers are neither held back nor posted to
 * twice.
 */
async function attemptTo(
  request: DeliveryRequest,
  subscriptionId: string,
  env: DeliveryEnv,
  at: Date,
): Promise<AttemptResult | { skipped: string }> {
  const started = performance.now();
  const failed = (reason: string, error: unknown): AttemptResult => ({
    delivered: false,
    durationMs: Math.round(performance.now() - started),
    error: `${reason}: ${error instanceof Error ? error.message : String(error)}`,
  });
  let subscription: Subscription | undefined;
  try {
    subscription = await cachedSubscription(request.tenantId, subscriptionId);
  } catch (error) {
    return failed('could not read the subscription', error);
  }
  if (!subscription || !isActive(subscription)) {
    return { skipped: subscription ? 'subscription is disabled' : 'subscription was deleted' };
  }
  try {
    return await sendWebhook(
      {
        url: subscription.url,
        secrets: signingSecrets(subscription, at),
        auth: subscription.auth,
        headers: subscription.headers,
      },
      request.payload,
      {
        deliveryId: request.deliveryId,
        timeoutMs: env.DELIVERY_TIMEOUT_MS,
        allowPrivateTargets: env.ALLOW_PRIVATE_TARGETS,
        now: at,
      },
    );
  } catch (error) {
    return failed('the subscription cannot be delivered to', error);
  }
}

/** Posts the event to one subscription (or skips it); the outcome and what to record. */
async function deliverTo(
  request: DeliveryRequest,
  subscriptionId: string,
  attempt: number,
  env: DeliveryEnv,
): Promise<{ outcome: DeliveryOutcome; recorded: RecordedAttempt }> {
  const context = { deliveryId: request.deliveryId, subscriptionId, attempt };
  const at = new Date();
  const result = await attemptTo(request, subscriptionId, env, at);
  if ('skipped' in result) {
    logger.info('delivery skipped', { ...context, reason: result.skipped });
    return {
      outcome: { kind: 'skipped' },
      recorded: {
        subscriptionId,
        status: 'skipped',
        attempt: { at: at.toISOString(), durationMs: 0, error: `skipped: ${result.skipped}` },
      },
    };
  }

  const retryDelay = result.delivered ? undefined : nextRetryDelay(env.RETRY_SCHEDULE, attempt);
  const deliveryStatus: DeliveryStatus = result.delivered
    ? 'succeeded'
    : retryDelay !== undefined
      ? 'pending'
      : 'failed';

  const recorded: RecordedAttempt['attempt'] = { at: at.toISOString(), durationMs: result.durationMs };
  if (result.statusCode !== undefined) recorded.statusCode = result.statusCode;
  if (result.error !== undefined) recorded.error = result.error;
  if (result.responseBody) {
    recorded.responseBody = result.responseBody.slice(
      0,
      result.delivered ? RESPONSE_BODY_KEPT.succeeded : RESPONSE_BODY_KEPT.failed,
    );
  }

  const logContext = {
    ...context,
    statusCode: result.statusCode,
    error: result.error,
    durationMs: result.durationMs,
  };
  if (deliveryStatus === 'succeeded') logger.info('delivered', logContext);
  else if (deliveryStatus === 'pending') {
    logger.warn('delivery attempt failed; retrying', { ...logContext, retryInSeconds: retryDelay });
  } else logger.error('delivery failed after its last attempt', logContext);
  return {
    outcome: { kind: 'attempted', result, deliveryStatus },
    recorded: { subscriptionId, status: deliveryStatus, attempt: recorded },
  };
}

/**
 * What SQS must do with the message after a round whose deliveries ended in `statuses`: wait for the
 * next retry, go on to the dead-letter queue, or be deleted.
 */
async function settleMessage(
  record: SQSRecord,
  statuses: readonly (DeliveryStatus | undefined)[],
  attempt: number,
  env: DeliveryEnv,
): Promise<boolean> {
  if (statuses.includes('pending')) {
    await setVisibility(record, nextRetryDelay(env.RETRY_SCHEDULE, attempt) ?? 0);
    return true;
  }
  if (statuses.includes('failed')) {
    await setVisibility(record, 0);
    return true;
  }
  return false;
}

async function processRecord(
  record: SQSRecord,
  delivery: ReturnType<typeof parseRecord>,
  env: DeliveryEnv,
): Promise<RecordOutcome> {
  if (!delivery) {
    logger.error('dropping a message that is not a delivery request', {
      messageId: record.messageId,
      body: record.body.slice(0, 2048),
    });
    return DROPPED;
  }
  const { request, status } = delivery;
  const attempt = attemptNumber(record);
  const attemptKey = `${record.messageId}:${attempt}`;

  try {
    const log = await getDeliveryLog(request.tenantId, request.deliveryId);
    // This round was recorded, but the invocation died before SQS heard of it: act on the record.
    if (log?.attemptKeys.has(attemptKey)) {
      const statuses = request.subscriptionIds.map((id) => log.statusOf(id));
      return { status, keep: await settleMessage(record, statuses, attempt, env), deliveries: [] };
    }
    // A provider's retry of the same event, or a message redelivered after its round was recorded,
    // posts nothing to the subscriptions already done.
    const due = request.subscriptionIds.filter((id) => !SETTLED.has(log?.statusOf(id)));
    if (due.length === 0) return { status, keep: false, deliveries: [] };

    const results = await Promise.all(due.map((id) => deliverTo(request, id, attempt, env)));
    await recordAttempts(
      request,
      attemptKey,
      results.map((r) => r.recorded),
      env.DELIVERY_LOG_TTL_DAYS * 86_400,
    );
    const keep = await settleMessage(
      record,
      results.map((r) => r.recorded.status),
      attempt,
      env,
    );
    return { status, keep, deliveries: results.map((r) => r.outcome) };
  } catch (error) {
    logger.error('delivery crashed; the message will be retried', {
      deliveryId: request.deliveryId,
      attempt,
      error: error as Error,
    });
    return { ...CRASHED, status };
  }
}

let metrics: Metrics | undefined;

/** Publishes the batch's metrics, one EMF document per `Status` dimension value. */
function publishMetrics(outcomes: readonly RecordOutcome[]): void {
  metrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  const byStatus = new Map<Status, DeliveryOutcome[]>();
  for (const outcome of outcomes) {
    if (!outcome.status || outcome.deliveries.length === 0) continue;
    byStatus.set(outcome.status, [...(byStatus.get(outcome.status) ?? []), ...outcome.deliveries]);
  }
  for (const [status, group] of byStatus) {
    metrics.addDimension(STATUS_DIMENSION, status);
    for (const outcome of group) {
      if (outcome.kind === 'skipped') metrics.addMetric(METRIC.deliverySkipped, MetricUnit.Count, 1);
      if (outcome.kind !== 'attempted') continue;
      metrics.addMetric(METRIC.deliveryAttempts, MetricUnit.Count, 1);
      metrics.addMetric(METRIC.deliveryLatency, MetricUnit.Milliseconds, outcome.result.durationMs);
      if (outcome.deliveryStatus === 'succeeded') {
        metrics.addMetric(METRIC.deliverySucceeded, MetricUnit.Count, 1);
        continue;
      }
      metrics.addMetric(METRIC.deliveryAttemptFailed, MetricUnit.Count, 1);
      metrics.addMetric(
        outcome.deliveryStatus === 'pending' ? METRIC.deliveryRetried : METRIC.deliveryFailed,
        MetricUnit.Count,
        1,
      );
    }
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    else metrics.clearDimensions();
  }
}

/**
 * The records of a batch that only repeat deliveries an earlier record of the batch carries (a
 * provider's retry arriving within the batching window). Posted concurrently, neither would see the
 * other in the log; the earlier record delivers, and carries the retries if it fails.
 */
function duplicatesInBatch(deliveries: readonly ReturnType<typeof parseRecord>[]): Set<number> {
  const carried = new Set<string>();
  const duplicates = new Set<number>();
  deliveries.forEach((delivery, index) => {
    if (!delivery) return;
    const keys = delivery.request.subscriptionIds.map((id) => `${delivery.request.deliveryId}/${id}`);
    if (keys.every((key) => carried.has(key))) duplicates.add(index);
    for (const key of keys) carried.add(key);
  });
  return duplicates;
}

/** Processes a batch concurrently; the response lists the records SQS must keep (partial batch failure). */
export async function processBatch(event: SQSEvent): Promise<SQSBatchResponse> {
  const env = deliveryEnv();
  const deliveries = event.Records.map(parseRecord);
  const duplicates = duplicatesInBatch(deliveries);
  const outcomes = await Promise.all(
    event.Records.map((record, index) =>
      (duplicates.has(index)
        ? Promise.resolve(DROPPED)
        : processRecord(record, deliveries[index], env)
      ).catch((error: unknown): RecordOutcome => {
        logger.error('delivery crashed; the message will be retried', {
          messageId: record.messageId,
          error: error as Error,
        });
        return CRASHED;
      }),
    ),
  );
  publishMetrics(outcomes);
  return {
    batchItemFailures: event.Records.filter((_, index) => outcomes[index]!.keep).map((record) => ({
      itemIdentifier: record.messageId,
    })),
  };
}
