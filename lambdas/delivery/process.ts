/**
 * The delivery engine: one SQS batch of queued deliveries → one signed POST each, every attempt
 * recorded, failures retried on the configured schedule.
 *
 * Retries ride on the queue itself. The attempt number is the message's ApproximateReceiveCount; a
 * failed attempt with retries left sets the message's visibility timeout to the next delay of the
 * schedule and reports the record as a batch item failure, so SQS hands it back after that delay (a
 * delay queue could not: SQS caps delays at 15 minutes). After the last attempt the record is marked
 * `failed` and the message is made visible at once; its next receive exceeds the queue's redrive
 * maxReceiveCount (= maxAttempts(schedule)) and SQS moves it to the dead-letter queue.
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
import { getDelivery, recordAttempt, type DeliveryAttempt, type DeliveryStatus } from '../shared/deliveries';
import { DeliveryRequestSchema, type DeliveryRequest } from '../shared/events';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME, STATUS_DIMENSION } from '../shared/metrics';
import { nextRetryDelay } from '../shared/retry-schedule';
import { signingSecrets } from '../shared/subscriptions';
import { deliveryEnv, type DeliveryEnv } from './env';
import { logger } from '../shared/logger';
import { queueUrlOf } from './queue-urls';
import { sendWebhook, type AttemptResult } from './send';
import { cachedSubscription } from './subscription-cache';

/** What became of one record; drives the batch response and the metrics. */
type Outcome =
  /** The message is not a delivery at all: dropped (see `parseRecord`). */
  | { kind: 'dropped' }
  /** The subscription is gone or inactive: recorded as skipped, not retried. */
  | { kind: 'skipped'; status: Status }
  /** This message was already delivered (a redelivery after success): nothing sent again. */
  | { kind: 'alreadyDelivered'; status: Status }
  | { kind: 'attempted'; status: Status; result: AttemptResult; deliveryStatus: DeliveryStatus }
  /** Something unexpected: the record goes back to the queue. */
  | { kind: 'crashed'; status?: Status };

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

/** Whether an earlier receive of this same message already got a 2xx. */
function deliveredBefore(attempts: readonly DeliveryAttempt[], messageId: string): boolean {
  return attempts.some(
    (attempt) =>
      attempt.attemptKey.startsWith(`${messageId}:`) &&
      attempt.statusCode !== undefined &&
      attempt.statusCode >= 200 &&
      attempt.statusCode < 300,
  );
}

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

async function processRecord(record: SQSRecord, env: DeliveryEnv): Promise<Outcome> {
  const delivery = parseRecord(record);
  if (!delivery) {
    logger.error('dropping a message that is not a delivery request', {
      messageId: record.messageId,
      body: record.body.slice(0, 2048),
    });
    return { kind: 'dropped' };
  }
  const { request, status } = delivery;
  const attempt = attemptNumber(record);
  const attemptKey = `${record.messageId}:${attempt}`;
  const ttlSeconds = env.DELIVERY_LOG_TTL_DAYS * 86_400;
  const context = { deliveryId: request.deliveryId, subscriptionId: request.subscriptionId, attempt };

  try {
    const subscription = await cachedSubscription(request.tenantId, request.subscriptionId);
    if (!subscription || !subscription.active) {
      const reason = subscription ? 'subscription is inactive' : 'subscription was deleted';
      await recordAttempt(
        request,
        { attemptKey, at: new Date().toISOString(), durationMs: 0, error: `skipped: ${reason}` },
        'skipped',
        ttlSeconds,
      );
      logger.info('delivery skipped', { ...context, reason });
      return { kind: 'skipped', status };
    }

    // A message whose success was recorded but which was not deleted (the invocation died before it
    // returned) comes back with a higher receive count. Posting it again would be allowed (receivers
    // dedupe on webhook-id) but is avoidable: the log already says this message got through.
    if (attempt > 1) {
      const existing = await getDelivery(request.subscriptionId, request.deliveryId);
      if (existing && deliveredBefore(existing.attempts, record.messageId)) {
        logger.info('message already delivered; not sending again', context);
        return { kind: 'alreadyDelivered', status };
      }
    }

    const at = new Date();
    const result = await sendWebhook(
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
    const retryDelay = result.delivered ? undefined : nextRetryDelay(env.RETRY_SCHEDULE, attempt);
    const deliveryStatus: DeliveryStatus = result.delivered
      ? 'succeeded'
      : retryDelay !== undefined
        ? 'pending'
        : 'failed';

    const recorded: DeliveryAttempt = { attemptKey, at: at.toISOString(), durationMs: result.durationMs };
    if (result.statusCode !== undefined) recorded.statusCode = result.statusCode;
    if (result.error !== undefined) recorded.error = result.error;
    if (result.responseBody) recorded.responseBody = result.responseBody;
    await recordAttempt(request, recorded, deliveryStatus, ttlSeconds);

    const logContext = {
      ...context,
      statusCode: result.statusCode,
      error: result.error,
      durationMs: result.durationMs,
    };
    if (deliveryStatus === 'succeeded') logger.info('delivered', logContext);
    else if (deliveryStatus === 'pending') {
      logger.warn('delivery attempt failed; retrying', { ...logContext, retryInSeconds: retryDelay });
      await setVisibility(record, retryDelay!);
    } else {
      logger.error('delivery failed after its last attempt', logContext);
      await setVisibility(record, 0);
    }
    return { kind: 'attempted', status, result, deliveryStatus };
  } catch (error) {
    logger.error('delivery crashed; the message will be retried', { ...context, error: error as Error });
    return { kind: 'crashed', status };
  }
}

/** Whether SQS must keep the message: not for a success, a skip, or a drop. */
function keepsMessage(outcome: Outcome): boolean {
  return (
    outcome.kind === 'crashed' || (outcome.kind === 'attempted' && outcome.deliveryStatus !== 'succeeded')
  );
}

let metrics: Metrics | undefined;

/** Publishes the batch's metrics, one EMF document per `Status` dimension value. */
function publishMetrics(outcomes: readonly Outcome[]): void {
  metrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  const byStatus = new Map<Status, Outcome[]>();
  for (const outcome of outcomes) {
    if (outcome.kind === 'dropped' || outcome.kind === 'crashed' || !outcome.status) continue;
    byStatus.set(outcome.status, [...(byStatus.get(outcome.status) ?? []), outcome]);
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

/** Processes a batch concurrently; the response lists the records SQS must keep (partial batch failure). */
export async function processBatch(event: SQSEvent): Promise<SQSBatchResponse> {
  const env = deliveryEnv();
  const outcomes = await Promise.all(
    event.Records.map((record) =>
      processRecord(record, env).catch((error: unknown): Outcome => {
        logger.error('delivery crashed; the message will be retried', {
          messageId: record.messageId,
          error: error as Error,
        });
        return { kind: 'crashed' };
      }),
    ),
  );
  publishMetrics(outcomes);
  return {
    batchItemFailures: event.Records.filter((_, index) => keepsMessage(outcomes[index]!)).map((record) => ({
      itemIdentifier: record.messageId,
    })),
  };
}
