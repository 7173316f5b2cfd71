/**
 * The delivery engine: one SQS batch of queued events → one signed POST of each event to each of its
 * subscriptions, every attempt recorded, failures retried on the configured schedule.
 *
 * A message names an event and the subscriptions to deliver it to. Each receive posts it to those of
 * them that have not yet succeeded (the event's delivery log, read first, says which), concurrently,
 * and records the round in one write. So a subscriber that fails is retried alone: the others are not
 * posted to again.
 *
 * Retries ride on the queue itself. The attempt number is the message's ApproximateReceiveCount (in a
 * slow lane, plus the attempts made before it moved there); a failed attempt with retries left sets the
 * message's visibility timeout to the next delay of the schedule (or the receiver's `Retry-After`,
 * clamped to the schedule's bounds) and reports the record as a batch item failure, so SQS hands it
 * back after that delay. A delay longer than SQS can hold a message invisible (about 12 hours) is a
 * one-time EventBridge Scheduler schedule instead, which puts the message back on its queue then
 * (retry-scheduler.ts); the message itself is deleted. After the last attempt the deliveries still
 * failing are marked `failed` and the message is made visible at once; its next receive exceeds the
 * queue's redrive maxReceiveCount (= maxAttempts(schedule)) and SQS moves it to the dead-letter queue. A
 * delivery that ends earlier (410 Gone), in a slow lane or after coming back through the Scheduler is
 * sent to that dead-letter queue by the function itself. Redriven from there,
 * it is posted again to the subscriptions that failed, and only to them.
 *
 * Isolation (docs/delivery.md): each subscription's endpoint has a circuit breaker shared by every
 * container (endpoint-health.ts); while it is open, attempts are deferred without dialling, each
 * deferral taking the place of the attempt due at that slot of the schedule. The status queues are the
 * fast lane: a POST there gets at most FAST_LANE_TIMEOUT_MS, and an endpoint that does not answer within
 * it, or is known not to, is handed to its status's slow lane (same function, full time limit), so a
 * batch never waits long for a slow endpoint; past FAST_LANE_PATIENCE_MS only one fast-lane batch at a
 * time waits on an endpoint, the others cut their POSTs to it off and hand them over too.
 *
 * Anything unexpected in one record (a DynamoDB error, a bug) fails only that record, which SQS
 * redelivers after the visibility timeout; a crash or timeout of the whole invocation returns the whole
 * batch the same way. Deliveries are therefore at least once: receivers dedupe on `webhook-id`.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  ChangeMessageVisibilityBatchCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
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
import {
  claimProbe,
  countWaitingBatch,
  recordFailure,
  recordRecovery,
  recordSlow,
  type BreakerChange,
} from '../shared/endpoint-health';
import { recordStats, type OutcomeToCount } from '../shared/delivery-stats';
import { DeliveryRequestSchema, type DeliveryRequest } from '../shared/events';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME, STATUS_DIMENSION } from '../shared/metrics';
import {
  maxAttempts,
  retryAfterDelay,
  retryDelay,
  SQS_MAX_DELAY_SECONDS,
  waitsInScheduler,
} from '../shared/retry-schedule';
import { disableSubscription, isActive, signingSecrets } from '../shared/subscriptions';
import { recordSettled, type SettledResend } from '../replay/jobs';
import { deliveryEnv, type DeliveryEnv } from './env';
import { logger } from '../shared/logger';
import { emitOperationalEvents, OPERATIONAL_DETAIL_TYPES, type OperationalEvent } from '../shared/operations';
import { disableIfFailingTooLong, ParkedTally } from './lifecycle';
import { queueUrlOf } from './queue-urls';
import {
  ATTEMPTS_MADE_FIELD,
  bodyWithAttempts,
  scheduleRetry,
  type RetrySchedulerSettings,
} from './retry-scheduler';
import { sendWebhook, type AttemptResult } from './send';
import { loadSubscriptionStates, stateKey, type SubscriptionState } from './subscription-state';

/** The message attribute of a slow-lane message: attempts made before it moved there. */
export const ATTEMPTS_MADE_ATTRIBUTE = 'attemptsMade';
export const GONE_REASON = 'the endpoint answered 410 Gone';
const DEFERRED_ERROR = 'deferred: the endpoint’s circuit breaker is open (not sent)';
/** Fast-lane batches that may wait on one endpoint past FAST_LANE_PATIENCE_MS at a time. */
const WAITING_BATCHES_PER_ENDPOINT = 1;

type Lane = 'fast' | 'slow';

/** What became of one delivery (one subscription) in this round; drives the metrics. */
type DeliveryOutcome =
  /** The subscription is gone: recorded as skipped, not retried. */
  | { kind: 'skipped' }
  /** The subscription is disabled: recorded as parked, for a catch-up to send later (docs/lifecycle.md). */
  | { kind: 'parked' }
  /** The breaker is open: not sent; this slot of the schedule is used up. */
  | { kind: 'deferred'; deliveryStatus: DeliveryStatus }
  /** Moved to the slow lane without using up an attempt. */
  | { kind: 'handedOff' }
  | { kind: 'attempted'; result: AttemptResult; deliveryStatus: DeliveryStatus };

/** What became of one record: whether SQS must keep it, and each delivery's outcome. */
interface RecordOutcome {
  status?: Status;
  keep: boolean;
  deliveries: DeliveryOutcome[];
  /** This round's recorded outcomes, for the batch's delivery counters. */
  counted?: OutcomeToCount[];
  /** The deliveries a replay or catch-up re-sent that settled this round, for its progress. */
  settled?: SettledResend[];
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
): { request: DeliveryRequest; status: Status; attemptsMade: number } | undefined {
  let envelope: { 'detail-type'?: unknown; detail?: unknown; [ATTEMPTS_MADE_FIELD]?: unknown };
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
  // Set by a retry that came back through EventBridge Scheduler (retry-scheduler.ts).
  const made = envelope[ATTEMPTS_MADE_FIELD];
  const attemptsMade = typeof made === 'number' && Number.isInteger(made) && made > 0 ? made : 0;
  return { request: parsed.data, status, attemptsMade };
}

/**
 * The 1-based attempt number of a received message: its receive count, plus the attempts made before
 * it moved to a slow lane (message attribute) or, failing that, before it came back through
 * EventBridge Scheduler (`scheduledAttempts`, from its body).
 */
export function attemptNumber(
  record: Pick<SQSRecord, 'attributes' | 'messageAttributes'>,
  scheduledAttempts = 0,
): number {
  const count = Number(record.attributes.ApproximateReceiveCount);
  const received = Number.isInteger(count) && count > 0 ? count : 1;
  const made = Number(record.messageAttributes?.[ATTEMPTS_MADE_ATTRIBUTE]?.stringValue ?? scheduledAttempts);
  return received + (Number.isInteger(made) && made > 0 ? made : 0);
}

/** Deliveries that are over: posting them again would only duplicate. */
const SETTLED: ReadonlySet<DeliveryStatus | undefined> = new Set(['succeeded', 'skipped']);

/**
 * Applies the batch's visibility changes, one ChangeMessageVisibilityBatch per queue and 10 records.
 * A change that fails is logged: the message still comes back, after the queue's own visibility
 * timeout instead.
 */
async function applyVisibility(changes: readonly { record: SQSRecord; seconds: number }[]): Promise<void> {
  const byQueue = new Map<string, { record: SQSRecord; seconds: number }[]>();
  for (const change of changes) {
    const arn = change.record.eventSourceARN;
    byQueue.set(arn, [...(byQueue.get(arn) ?? []), change]);
  }
  for (const [arn, queueChanges] of byQueue) {
    for (let i = 0; i < queueChanges.length; i += 10) {
      const chunk = queueChanges.slice(i, i + 10);
      try {
        const result = await sqs().send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: await queueUrlOf(arn),
            Entries: chunk.map(({ record, seconds }, index) => ({
              Id: String(index),
              ReceiptHandle: record.receiptHandle,
              VisibilityTimeout: seconds,
            })),
          }),
        );
        for (const failed of result.Failed ?? []) {
          logger.warn('could not change message visibility', {
            messageId: chunk[Number(failed.Id)]?.record.messageId,
            error: failed.Message,
          });
        }
      } catch (error) {
        logger.warn('could not change message visibility', {
          messageIds: chunk.map(({ record }) => record.messageId),
          error: error as Error,
        });
      }
    }
  }
}

/** The lane a record came from: a slow lane is one of SLOW_LANE_QUEUE_URLS. */
async function laneOf(record: SQSRecord, env: DeliveryEnv): Promise<Lane> {
  if (!env.SLOW_LANE_QUEUE_URLS) return 'fast';
  const url = await queueUrlOf(record.eventSourceARN);
  return Object.values(env.SLOW_LANE_QUEUE_URLS).includes(url) ? 'slow' : 'fast';
}

/**
 * One batch's view of one subscription's endpoint: the health read at the start of the batch, the
 * half-open probe, which at most one record of the batch (and, through the lease, of the fleet) makes,
 * and what the batch's attempts said about the endpoint, written once when the batch is done (however
 * many of its records went to the endpoint).
 */
class EndpointGate {
  private probe: Promise<boolean> | undefined;
  /** Counted failures of this batch's attempts. */
  private failures = 0;
  /** A fast-lane attempt got no answer in time. */
  private sawSlow = false;
  /** An attempt said the endpoint answers; `slow` when it took longer than the fast lane allows. */
  private answered: { slow: boolean } | undefined;
  private timedOutInSlowLane = false;
  private slowMark: Promise<void> | undefined;
  /** Whether this batch must stop waiting on the endpoint: another fast-lane batch already is. */
  private waitVerdict: Promise<boolean> | undefined;

  constructor(
    readonly state: SubscriptionState,
    private readonly env: DeliveryEnv,
  ) {}

  /** Whether to dial, defer (breaker open), or hand the delivery to the slow lane. */
  async decide(lane: Lane, now: number): Promise<'dial' | 'defer' | 'handoff'> {
    const { health, subscription } = this.state;
    const handOff = lane === 'fast' && health.slow && this.env.SLOW_LANE_QUEUE_URLS !== undefined;
    if (health.breaker === 'open') {
      if (now < (health.openUntil ?? 0)) return 'defer';
      if (handOff) return 'handoff';
      // The first record of the batch asks for the fleet-wide lease; the others wait for a later slot.
      if (this.probe) return 'defer';
      this.probe = claimProbe(
        subscription.tenantId,
        subscription.id,
        now,
        now + this.env.DELIVERY_TIMEOUT_MS + 5_000,
      );
      return (await this.probe) ? 'dial' : 'defer';
    }
    return handOff ? 'handoff' : 'dial';
  }

  /** A fast-lane delivery to this endpoint goes to the slow lane without a try (known slow, not deferred). */
  handsOffUnseen(now: number): boolean {
    const { health, subscription } = this.state;
    if (!isActive(subscription) || !health.slow || !this.env.SLOW_LANE_QUEUE_URLS) return false;
    return health.breaker !== 'open' || now >= (health.openUntil ?? 0);
  }

  /**
   * A fast-lane POST has had no answer for FAST_LANE_PATIENCE_MS: the batch counts itself as waiting on
   * the endpoint (once, whichever of its POSTs gets there first) and cuts the POST off when it is not
   * the first batch to wait on it.
   */
  async waitedPastPatience(cutOff: AbortController): Promise<void> {
    const { tenantId, id } = this.state.subscription;
    this.waitVerdict ??= countWaitingBatch(tenantId, id, Date.now(), this.env.FAST_LANE_TIMEOUT_MS).then(
      (count) => count > WAITING_BATCHES_PER_ENDPOINT,
      (error: unknown) => {
        logger.warn('could not count the batches waiting on an endpoint', {
          subscriptionId: id,
          error: error as Error,
        });
        return false;
      },
    );
    if (await this.waitVerdict) cutOff.abort();
  }

  /** Notes what one attempt said about the endpoint. */
  observe(result: AttemptResult, lane: Lane): void {
    const { env } = this;
    const receiverControlled =
      result.statusCode === 410 ||
      ((result.statusCode === 429 || result.statusCode === 503) &&
        retryAfterDelay(env.RETRY_SCHEDULE, result.retryAfter) !== undefined);
    // Cut off at the fast lane's limit and handed to the slow lane: no verdict on the endpoint yet.
    if (lane === 'fast' && result.timedOut && env.SLOW_LANE_QUEUE_URLS) {
      // Marked at once, not when the batch is done: batches starting meanwhile skip the fast-lane try.
      if (!this.sawSlow && !this.state.health.slow) {
        const { tenantId, id } = this.state.subscription;
        this.slowMark = recordSlow(tenantId, id, this.state.health).catch((error: unknown) => {
          logger.warn('could not record the endpoint’s health', {
            subscriptionId: id,
            error: error as Error,
          });
        });
      }
      this.sawSlow = true;
    } else if (result.delivered || receiverControlled) {
      const slow = lane === 'slow' && result.durationMs >= env.FAST_LANE_TIMEOUT_MS;
      this.answered = { slow: (this.answered?.slow ?? false) || slow };
    } else {
      this.failures++;
      if (lane === 'slow' && result.timedOut) this.timedOutInSlowLane = true;
    }
  }

  /**
   * Writes what the batch learnt: an answer (even after failures in the same batch) resets the count;
   * otherwise the failures add up and may open the breaker. A write that fails is logged, never fatal.
   */
  async flush(): Promise<BreakerChange | undefined> {
    const { subscription, health } = this.state;
    const { tenantId, id } = subscription;
    await this.slowMark;
    try {
      if (this.answered) return await recordRecovery(tenantId, id, health, this.answered.slow);
      if (this.failures > 0) {
        return await recordFailure(tenantId, id, health, {
          threshold: this.env.BREAKER_FAILURE_THRESHOLD,
          cooldownMs: this.env.BREAKER_COOLDOWN_SECONDS * 1000,
          failures: this.failures,
          slow: this.timedOutInSlowLane || this.sawSlow || health.slow,
          now: Date.now(),
        });
      }
      if (this.sawSlow && !this.slowMark) await recordSlow(tenantId, id, health);
    } catch (error) {
      logger.warn('could not record the endpoint’s health', { subscriptionId: id, error: error as Error });
    }
    return undefined;
  }
}

interface BatchContext {
  env: DeliveryEnv;
  gates: Map<string, EndpointGate>;
  /** Operational events of the batch, put on the bus once it is done. */
  operational: OperationalEvent[];
  /** Deliveries the batch parked for the first time, counted into the activity feeds when it is done. */
  parked: ParkedTally;
  breakerChanges: BreakerChange[];
  /** Visibility changes, applied together when the batch is done. */
  visibility: { record: SQSRecord; seconds: number }[];
  /** Whole messages for the slow lane, sent together when the batch is done. */
  handoffs: {
    record: SQSRecord;
    body: string;
    status: Status;
    attemptsMade: number;
    outcome: RecordOutcome;
  }[];
}

/** What one delivery of a round comes to. */
interface DeliveryResult {
  outcome: DeliveryOutcome;
  /** Undefined for a hand-off: nothing happened to record. */
  recorded?: RecordedAttempt;
  /** Seconds until this delivery's next attempt, when it has one. */
  retryInSeconds?: number;
}

function skipped(subscriptionId: string, at: Date, reason: string): DeliveryResult {
  return {
    outcome: { kind: 'skipped' },
    recorded: {
      subscriptionId,
      status: 'skipped',
      attempt: { at: at.toISOString(), durationMs: 0, error: `skipped: ${reason}` },
    },
  };
}

/** Sends one attempt; whatever goes wrong for this subscription alone is a failed attempt with its reason. */
async function send(
  request: DeliveryRequest,
  state: SubscriptionState,
  timeoutMs: number,
  env: DeliveryEnv,
  at: Date,
  cutOff?: AbortSignal,
): Promise<AttemptResult> {
  const started = performance.now();
  const { subscription } = state;
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
        timeoutMs,
        allowPrivateTargets: env.ALLOW_PRIVATE_TARGETS,
        now: at,
        ...(cutOff && { cutOff }),
      },
    );
  } catch (error) {
    return {
      delivered: false,
      durationMs: Math.round(performance.now() - started),
      error: `the subscription cannot be delivered to: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** When the next attempt after a failed one is due: the receiver's Retry-After, else the schedule (with jitter). */
function retryDelayAfter(
  result: AttemptResult,
  request: DeliveryRequest,
  attempt: number,
  env: DeliveryEnv,
): number | undefined {
  const scheduled = retryDelay(env.RETRY_SCHEDULE, attempt, request.deliveryId);
  if (scheduled === undefined) return undefined;
  if (result.statusCode === 429 || result.statusCode === 503) {
    return retryAfterDelay(env.RETRY_SCHEDULE, result.retryAfter) ?? scheduled;
  }
  return scheduled;
}

/** Posts the event to one subscription (or skips, defers or hands it off); the outcome and what to record. */
async function deliverTo(
  request: DeliveryRequest,
  subscriptionId: string,
  attempt: number,
  lane: Lane,
  context: BatchContext,
): Promise<DeliveryResult> {
  const { env } = context;
  const logContext: Record<string, unknown> = {
    deliveryId: request.deliveryId,
    subscriptionId,
    attempt,
    lane,
  };
  const at = new Date();
  const gate = context.gates.get(stateKey(request.tenantId, subscriptionId));
  if (!gate) {
    logger.info('delivery skipped', { ...logContext, reason: 'subscription was deleted' });
    return skipped(subscriptionId, at, 'subscription was deleted');
  }
  if (!isActive(gate.state.subscription)) {
    logger.info('delivery parked', { ...logContext, reason: gate.state.subscription.disabledReason });
    return { outcome: { kind: 'parked' }, recorded: { subscriptionId, status: 'parked' } };
  }

  const decision = await gate.decide(lane, at.getTime());
  if (decision === 'handoff') return { outcome: { kind: 'handedOff' } };
  if (decision === 'defer') {
    const retryInSeconds = retryDelay(env.RETRY_SCHEDULE, attempt, request.deliveryId);
    const deliveryStatus: DeliveryStatus = retryInSeconds === undefined ? 'failed' : 'pending';
    logger.info('delivery deferred: circuit breaker open', { ...logContext, retryInSeconds });
    if (deliveryStatus === 'failed') {
      context.operational.push(failedEvent(request, subscriptionId, attempt, { error: DEFERRED_ERROR }));
    }
    return {
      outcome: { kind: 'deferred', deliveryStatus },
      recorded: {
        subscriptionId,
        status: deliveryStatus,
        attempt: { at: at.toISOString(), durationMs: 0, error: DEFERRED_ERROR },
      },
      retryInSeconds,
    };
  }

  const fastLane = lane === 'fast' && env.SLOW_LANE_QUEUE_URLS !== undefined;
  const timeoutMs = fastLane
    ? Math.min(env.FAST_LANE_TIMEOUT_MS, env.DELIVERY_TIMEOUT_MS)
    : env.DELIVERY_TIMEOUT_MS;
  const cutOff = new AbortController();
  const patience =
    fastLane && env.FAST_LANE_PATIENCE_MS < timeoutMs
      ? setTimeout(() => void gate.waitedPastPatience(cutOff), env.FAST_LANE_PATIENCE_MS)
      : undefined;
  const result = await send(request, gate.state, timeoutMs, env, at, cutOff.signal).finally(() =>
    clearTimeout(patience),
  );
  gate.observe(result, lane);
  Object.assign(logContext, {
    statusCode: result.statusCode,
    error: result.error,
    durationMs: result.durationMs,
  });
  if (fastLane && result.timedOut) {
    logger.info('no answer within the fast lane’s limit: handed to the slow lane', logContext);
    return { outcome: { kind: 'handedOff' } };
  }

  const gone = result.statusCode === 410;
  if (gone) await disableGone(gate.state, context);
  const retryInSeconds =
    result.delivered || gone ? undefined : retryDelayAfter(result, request, attempt, env);
  const deliveryStatus: DeliveryStatus = result.delivered
    ? 'succeeded'
    : retryInSeconds !== undefined
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

  if (deliveryStatus === 'succeeded') logger.info('delivered', logContext);
  else if (deliveryStatus === 'pending') {
    logger.warn('delivery attempt failed; retrying', { ...logContext, retryInSeconds });
  } else {
    logger.error(gone ? 'delivery failed: 410 Gone' : 'delivery failed after its last attempt', logContext);
    context.operational.push(failedEvent(request, subscriptionId, attempt, result));
  }
  return {
    outcome: { kind: 'attempted', result, deliveryStatus },
    recorded: { subscriptionId, status: deliveryStatus, attempt: recorded },
    retryInSeconds,
  };
}

function failedEvent(
  request: DeliveryRequest,
  subscriptionId: string,
  attempts: number,
  result: Pick<AttemptResult, 'statusCode' | 'error'>,
): OperationalEvent {
  return {
    detailType: OPERATIONAL_DETAIL_TYPES.deliveryFailed,
    detail: {
      tenantId: request.tenantId,
      subscriptionId,
      deliveryId: request.deliveryId,
      eventType: request.eventType,
      attempts,
      ...(result.statusCode !== undefined && { statusCode: result.statusCode }),
      ...(result.error !== undefined && { error: result.error }),
    },
  };
}

/** 410 Gone: the system disables the subscription (once, however many containers see the answer). */
async function disableGone(state: SubscriptionState, context: BatchContext): Promise<void> {
  const { subscription } = state;
  const disabledAt = new Date().toISOString();
  try {
    if (!(await disableSubscription(subscription.tenantId, subscription.id, GONE_REASON, disabledAt))) return;
  } catch (error) {
    logger.warn('could not disable a subscription whose endpoint is gone', {
      subscriptionId: subscription.id,
      error: error as Error,
    });
    return;
  }
  context.operational.push({
    detailType: OPERATIONAL_DETAIL_TYPES.subscriptionDisabled,
    detail: {
      tenantId: subscription.tenantId,
      subscriptionId: subscription.id,
      reason: GONE_REASON,
      disabledAt,
      by: 'system',
    },
  });
}

/**
 * The message's body (its EventBridge envelope) naming only `subscriptionIds`, without the attempts a
 * Scheduler retry carried (a copy says its attempts in a message attribute, or starts afresh).
 */
function bodyNaming(record: SQSRecord, request: DeliveryRequest, subscriptionIds: readonly string[]): string {
  const whole = subscriptionIds.length === request.subscriptionIds.length;
  if (whole && !record.body.includes(`"${ATTEMPTS_MADE_FIELD}"`)) return record.body;
  const envelope = JSON.parse(record.body) as { detail: DeliveryRequest; [ATTEMPTS_MADE_FIELD]?: number };
  if (!whole) envelope.detail = { ...request, subscriptionIds: [...subscriptionIds] };
  delete envelope[ATTEMPTS_MADE_FIELD];
  return JSON.stringify(envelope);
}

/** Sends a copy of the message (naming only `subscriptionIds`) to another queue. */
async function forward(
  queueUrl: string,
  record: SQSRecord,
  request: DeliveryRequest,
  subscriptionIds: readonly string[],
  attemptsMade?: number,
): Promise<void> {
  await sqs().send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: bodyNaming(record, request, subscriptionIds),
      ...(attemptsMade !== undefined && {
        MessageAttributes: {
          [ATTEMPTS_MADE_ATTRIBUTE]: { DataType: 'Number', StringValue: String(attemptsMade) },
        },
      }),
    }),
  );
}

/**
 * Sends the batch's whole-message hand-offs to their slow lanes, 10 per SendMessageBatch. A message
 * that could not be sent stays in the fast lane (kept as a batch item failure) and comes back.
 */
async function sendHandoffs(context: BatchContext): Promise<void> {
  const byStatus = new Map<Status, BatchContext['handoffs']>();
  for (const handoff of context.handoffs) {
    byStatus.set(handoff.status, [...(byStatus.get(handoff.status) ?? []), handoff]);
  }
  for (const [status, handoffs] of byStatus) {
    for (let i = 0; i < handoffs.length; i += 10) {
      const chunk = handoffs.slice(i, i + 10);
      let failed: Set<number>;
      try {
        const result = await sqs().send(
          new SendMessageBatchCommand({
            QueueUrl: context.env.SLOW_LANE_QUEUE_URLS![status],
            Entries: chunk.map(({ body, attemptsMade }, index) => ({
              Id: String(index),
              MessageBody: body,
              MessageAttributes: {
                [ATTEMPTS_MADE_ATTRIBUTE]: { DataType: 'Number', StringValue: String(attemptsMade) },
              },
            })),
          }),
        );
        failed = new Set((result.Failed ?? []).map((entry) => Number(entry.Id)));
      } catch (error) {
        logger.warn('could not hand messages to the slow lane', { error: error as Error });
        failed = new Set(chunk.map((_, index) => index));
      }
      for (const index of failed) {
        const handoff = chunk[index]!;
        handoff.outcome.keep = true;
        handoff.outcome.deliveries = [];
      }
    }
  }
}

/**
 * What SQS must do with the message after a round whose deliveries ended in `results`: wait for the
 * next retry, go on to the dead-letter queue, or be deleted.
 */
async function settleMessage(
  record: SQSRecord,
  request: DeliveryRequest,
  status: Status,
  results: readonly { subscriptionId: string; status?: DeliveryStatus; retryInSeconds?: number }[],
  attempt: number,
  lane: Lane,
  context: BatchContext,
): Promise<boolean> {
  const { env } = context;
  const pending = results.filter((r) => r.status === 'pending');
  if (pending.length > 0) {
    const delays = pending.map(
      (r) => r.retryInSeconds ?? retryDelay(env.RETRY_SCHEDULE, attempt, request.deliveryId) ?? 0,
    );
    const seconds = Math.min(...delays);
    if (env.RETRY_SCHEDULER && waitsInScheduler(env.RETRY_SCHEDULE, seconds)) {
      if (await scheduleRetryOf(record, request, attempt, seconds, env.RETRY_SCHEDULER)) return false;
    }
    // SQS holds a message invisible for 12 hours at most (SQS_MAX_DELAY_SECONDS leaves room for this
    // invocation): a longer wait whose schedule could not be made comes back sooner, never later.
    context.visibility.push({ record, seconds: Math.min(seconds, SQS_MAX_DELAY_SECONDS) });
    return true;
  }
  const failed = results.filter((r) => r.status === 'failed').map((r) => r.subscriptionId);
  if (failed.length === 0) return false;
  // SQS moves the message to the dead-letter queue on its next receive only after the fast lane's
  // last attempt; a delivery that ends sooner (410) or in a slow lane is moved by us.
  const deadLetterQueue = env.DEAD_LETTER_QUEUE_URLS?.[status];
  // (A message that came back through the Scheduler is a new message: its receive count is not the attempt.)
  if (deadLetterQueue && (lane === 'slow' || attemptNumber(record) < maxAttempts(env.RETRY_SCHEDULE))) {
    await forward(deadLetterQueue, record, request, failed);
    return false;
  }
  context.visibility.push({ record, seconds: 0 });
  return true;
}

/**
 * Hands the message's next attempt to EventBridge Scheduler (retry-scheduler.ts); true once the
 * schedule exists and the message may be deleted from its queue.
 */
async function scheduleRetryOf(
  record: SQSRecord,
  request: DeliveryRequest,
  attempt: number,
  seconds: number,
  settings: RetrySchedulerSettings,
): Promise<boolean> {
  const at = new Date(Date.now() + seconds * 1000);
  try {
    const schedule = await scheduleRetry(
      {
        deliveryId: request.deliveryId,
        subscriptionIds: request.subscriptionIds,
        attempt,
        queueArn: record.eventSourceARN,
        body: bodyWithAttempts(record.body, attempt),
        at,
      },
      settings,
    );
    logger.info('retry scheduled in EventBridge Scheduler', {
      deliveryId: request.deliveryId,
      attempt,
      retryInSeconds: seconds,
      schedule,
    });
    return true;
  } catch (error) {
    logger.warn('could not schedule the retry; it waits in its queue instead (at most 12 hours)', {
      deliveryId: request.deliveryId,
      attempt,
      error: error as Error,
    });
    return false;
  }
}

async function processRecord(
  record: SQSRecord,
  delivery: ReturnType<typeof parseRecord>,
  context: BatchContext,
): Promise<RecordOutcome> {
  if (!delivery) {
    logger.error('dropping a message that is not a delivery request', {
      messageId: record.messageId,
      body: record.body.slice(0, 2048),
    });
    return DROPPED;
  }
  const { env } = context;
  const { request, status } = delivery;
  const attempt = attemptNumber(record, delivery.attemptsMade);
  const attemptKey = `${record.messageId}:${attempt}`;

  try {
    const lane = await laneOf(record, env);
    // Every subscription is known slow: the whole message goes to the slow lane, which reads the log.
    const gates = request.subscriptionIds.map((id) => context.gates.get(stateKey(request.tenantId, id)));
    if (lane === 'fast' && gates.every((gate) => gate?.handsOffUnseen(Date.now()))) {
      const outcome: RecordOutcome = {
        status,
        keep: false,
        deliveries: gates.map((): DeliveryOutcome => ({ kind: 'handedOff' })),
      };
      context.handoffs.push({ record, body: record.body, status, attemptsMade: attempt - 1, outcome });
      return outcome;
    }
    const log = await getDeliveryLog(request.tenantId, request.deliveryId);
    // This round was recorded, but the invocation died before SQS heard of it: act on the record.
    if (log?.attemptKeys.has(attemptKey)) {
      const results = request.subscriptionIds.map((id) => ({ subscriptionId: id, status: log.statusOf(id) }));
      return {
        status,
        keep: await settleMessage(record, request, status, results, attempt, lane, context),
        deliveries: [],
      };
    }
    // A provider's retry of the same event, or a message redelivered after its round was recorded,
    // posts nothing to the subscriptions already done.
    const due = request.subscriptionIds.filter((id) => !SETTLED.has(log?.statusOf(id)));
    if (due.length === 0) return { status, keep: false, deliveries: [] };

    const results = await Promise.all(due.map((id) => deliverTo(request, id, attempt, lane, context)));
    const handedOff = due.filter((_, index) => results[index]!.outcome.kind === 'handedOff');
    if (handedOff.length === due.length) {
      // Nothing else to record: the message goes to the slow lane with the batch's other hand-offs.
      const outcome: RecordOutcome = { status, keep: false, deliveries: results.map((r) => r.outcome) };
      context.handoffs.push({
        record,
        body: bodyNaming(record, request, handedOff),
        status,
        attemptsMade: attempt - 1,
        outcome,
      });
      return outcome;
    }
    if (handedOff.length > 0) {
      // Before the round is recorded: if this fails, the whole round is retried.
      await forward(env.SLOW_LANE_QUEUE_URLS![status], record, request, handedOff, attempt - 1);
    }
    const recorded = results.flatMap((r) => (r.recorded ? [r.recorded] : []));
    if (recorded.length > 0) {
      const fresh = await recordAttempts(request, attemptKey, recorded, env.DELIVERY_LOG_TTL_DAYS * 86_400);
      for (const entry of recorded) {
        const gate = context.gates.get(stateKey(request.tenantId, entry.subscriptionId));
        if (fresh && gate && entry.status === 'parked' && log?.statusOf(entry.subscriptionId) !== 'parked')
          context.parked.add(gate.state.subscription);
      }
    }
    const keep = await settleMessage(
      record,
      request,
      status,
      results.flatMap((r) =>
        r.recorded
          ? [
              {
                subscriptionId: r.recorded.subscriptionId,
                status: r.recorded.status,
                retryInSeconds: r.retryInSeconds,
              },
            ]
          : [],
      ),
      attempt,
      lane,
      context,
    );
    return {
      status,
      keep,
      deliveries: results.map((r) => r.outcome),
      // A parked delivery made no attempt: nothing to count.
      counted: recorded.flatMap((entry) =>
        entry.attempt
          ? [
              {
                tenantId: request.tenantId,
                subscriptionId: entry.subscriptionId,
                status: entry.status,
                at: entry.attempt.at,
              },
            ]
          : [],
      ),
      settled: settledResends(request, recorded),
    };
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
let healthMetrics: Metrics | undefined;

/** Publishes the batch's metrics, one EMF document per `Status` dimension value. */
function publishMetrics(outcomes: readonly RecordOutcome[], context: BatchContext): void {
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
      if (outcome.kind === 'parked') metrics.addMetric(METRIC.deliveryParked, MetricUnit.Count, 1);
      if (outcome.kind === 'handedOff') metrics.addMetric(METRIC.deliveryHandedOff, MetricUnit.Count, 1);
      if (outcome.kind === 'deferred') {
        metrics.addMetric(METRIC.deliveryDeferred, MetricUnit.Count, 1);
        if (outcome.deliveryStatus === 'failed')
          metrics.addMetric(METRIC.deliveryFailed, MetricUnit.Count, 1);
      }
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

  // Fleet-wide figures, without a status: subscriptions disabled, breakers opened, and the open count.
  healthMetrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  const disabled = context.operational.filter(
    (event) => event.detailType === OPERATIONAL_DETAIL_TYPES.subscriptionDisabled,
  ).length;
  if (disabled > 0) healthMetrics.addMetric(METRIC.subscriptionsDisabled, MetricUnit.Count, disabled);
  const transitions = context.breakerChanges.filter((change) => change.transition);
  const opened = transitions.filter((change) => change.transition === 'opened').length;
  if (opened > 0) healthMetrics.addMetric(METRIC.breakersOpened, MetricUnit.Count, opened);
  const latest = transitions.at(-1)?.openBreakers;
  if (latest !== undefined)
    healthMetrics.addMetric(METRIC.endpointsWithOpenBreaker, MetricUnit.Count, latest);
  if (healthMetrics.hasStoredMetrics()) healthMetrics.publishStoredMetrics();
  for (const change of transitions) {
    logger.warn(`circuit breaker ${change.transition}`, { openBreakers: change.openBreakers });
  }
}

/** Adds the batch's outcomes to the hourly counters (one write per subscription and hour, best effort). */
async function countOutcomes(outcomes: readonly RecordOutcome[], env: DeliveryEnv): Promise<void> {
  const counted = outcomes.flatMap((outcome) => outcome.counted ?? []);
  if (counted.length === 0) return;
  try {
    await recordStats(counted, env.DELIVERY_LOG_TTL_DAYS * 86_400);
  } catch (error) {
    logger.warn('could not update the delivery counters', { error: error as Error });
  }
}

function settledResends(request: DeliveryRequest, recorded: readonly RecordedAttempt[]): SettledResend[] {
  const { replayId, tenantId } = request;
  if (!replayId) return [];
  return recorded.flatMap(({ subscriptionId, status }) =>
    status === 'succeeded' || status === 'failed' ? [{ tenantId, subscriptionId, replayId, status }] : [],
  );
}

/** Adds the batch's settled re-sends to their replays' progress (one write per job, best effort). */
async function countResends(outcomes: readonly RecordOutcome[]): Promise<void> {
  const settled = outcomes.flatMap((outcome) => outcome.settled ?? []);
  if (settled.length === 0) return;
  try {
    await recordSettled(settled);
  } catch (error) {
    logger.warn('could not update the replay progress', { error: error as Error });
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
  const context: BatchContext = {
    env,
    gates: new Map(),
    operational: [],
    parked: new ParkedTally(),
    breakerChanges: [],
    visibility: [],
    handoffs: [],
  };
  try {
    const states = await loadSubscriptionStates(
      deliveries.flatMap((delivery) =>
        delivery
          ? delivery.request.subscriptionIds.map((subscriptionId) => ({
              tenantId: delivery.request.tenantId,
              subscriptionId,
            }))
          : [],
      ),
    );
    for (const [key, state] of states) context.gates.set(key, new EndpointGate(state, env));
  } catch (error) {
    // Without the subscriptions nothing can be sent: every record comes back after its visibility timeout.
    logger.error('could not read the batch’s subscriptions; the batch will be retried', {
      error: error as Error,
    });
    return { batchItemFailures: event.Records.map((record) => ({ itemIdentifier: record.messageId })) };
  }
  const outcomes = await Promise.all(
    event.Records.map((record, index) =>
      (duplicates.has(index)
        ? Promise.resolve(DROPPED)
        : processRecord(record, deliveries[index], context)
      ).catch((error: unknown): RecordOutcome => {
        logger.error('delivery crashed; the message will be retried', {
          messageId: record.messageId,
          error: error as Error,
        });
        return CRASHED;
      }),
    ),
  );
  await sendHandoffs(context);
  await applyVisibility(context.visibility);
  const gates = [...context.gates.values()];
  const changes = await Promise.all(gates.map((gate) => gate.flush()));
  for (const [index, change] of changes.entries()) {
    if (change) context.breakerChanges.push(change);
    const { subscription } = gates[index]!.state;
    if (!isActive(subscription)) continue;
    const disabled = await disableIfFailingTooLong(subscription, change, env.DISABLE_AFTER_FAILING_SECONDS);
    if (disabled) context.operational.push(disabled);
  }
  const ttlSeconds = env.DELIVERY_LOG_TTL_DAYS * 86_400;
  context.operational.push(...(await context.parked.flush(ttlSeconds)));
  publishMetrics(outcomes, context);
  await emitOperationalEvents(context.operational, { busName: env.EVENT_BUS_NAME, ttlSeconds });
  await Promise.all([countOutcomes(outcomes, env), countResends(outcomes)]);
  return {
    batchItemFailures: event.Records.filter((_, index) => outcomes[index]!.keep).map((record) => ({
      itemIdentifier: record.messageId,
    })),
  };
}
