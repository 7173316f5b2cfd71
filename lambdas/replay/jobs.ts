/**
 * Replay and catch-up jobs: re-sending a subscription's deliveries of a time window (a replay) or its
 * parked deliveries (a catch-up), at a bounded rate, one job running per subscription at a time.
 *
 * Items in the Deliveries table, under `pk = REPLAY#<tenantId>#<subscriptionId>`:
 * - `sk = JOB#<replayId>`: the job, its request and progress (kept for the log's retention);
 * - `sk = RUNNING`: the subscription's lock, naming the running job. A job refreshes it at each step;
 *   a lock not refreshed for `STALE_AFTER_MS` (its steps died in the dead-letter queue) no longer
 *   blocks a new job.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionHolds, dynamo } from '../shared/aws';
import type { EventType } from '../shared/catalog';
import { ConflictError } from '../shared/errors';
import { OPERATIONAL_DETAIL_TYPES, type OperationalEvent } from '../shared/operations';

export const REPLAY_STATES = ['running', 'finished'] as const;
export type ReplayState = (typeof REPLAY_STATES)[number];
/** What a job re-sends: the window's failed deliveries, all of them, or the subscription's parked ones. */
export type ReplaySelection = 'failed' | 'all' | 'parked';

export interface ReplayJob {
  replayId: string;
  tenantId: string;
  subscriptionId: string;
  kind: 'replay' | 'catch-up';
  /** The window (replays), ISO times, `since` included, `until` excluded. */
  since?: string;
  until?: string;
  eventTypes?: EventType[];
  selection: ReplaySelection;
  state: ReplayState;
  ratePerSecond: number;
  /** Deliveries queued again so far, and those left alone (still pending, or no longer parked). */
  queued: number;
  skipped: number;
  /** For a catch-up: the parked deliveries when it started. */
  total?: number;
  /**
   * Counted by the delivery function as the queued deliveries settle (see `recordSettled`): those that
   * succeeded, and those that failed after their retries.
   */
  succeeded?: number;
  failed?: number;
  /** The id of the last delivery read: the next step continues after it. */
  position?: string;
  step: number;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  expiresAt: number;
}

/** A lock not refreshed for this long belongs to a job whose steps stopped (see the module comment). */
export const STALE_AFTER_MS = 15 * 60_000;

const tableName = () => process.env.DELIVERIES_TABLE!;
const partition = (tenantId: string, subscriptionId: string) => `REPLAY#${tenantId}#${subscriptionId}`;
const jobKey = (tenantId: string, subscriptionId: string, replayId: string) => ({
  pk: partition(tenantId, subscriptionId),
  sk: `JOB#${replayId}`,
});
const lockKey = (tenantId: string, subscriptionId: string) => ({
  pk: partition(tenantId, subscriptionId),
  sk: 'RUNNING',
});

function fromItem(item: Record<string, unknown>): ReplayJob {
  const { pk: _pk, sk: _sk, ...job } = item;
  return job as unknown as ReplayJob;
}

/**
 * Stores a new job and takes its subscription's lock; a `ConflictError` (409, `replay_running`) names
 * the job that holds it.
 */
export async function startJob(job: ReplayJob): Promise<void> {
  const now = Date.parse(job.createdAt);
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...lockKey(job.tenantId, job.subscriptionId),
          replayId: job.replayId,
          heartbeatAt: job.createdAt,
          expiresAt: job.expiresAt,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR heartbeatAt < :stale',
        ExpressionAttributeValues: { ':stale': new Date(now - STALE_AFTER_MS).toISOString() },
      }),
    );
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const running = await runningJobId(job.tenantId, job.subscriptionId);
    throw new ConflictError(
      `${running ? `Replay ${running}` : 'A replay'} of this webhook is still running; wait for it to finish (GET its status).`,
      'replay_running',
    );
  }
  try {
    await dynamo().send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...jobKey(job.tenantId, job.subscriptionId, job.replayId), ...job },
      }),
    );
  } catch (error) {
    await releaseLock(job).catch(() => undefined);
    throw error;
  }
}

/**
 * A page of the subscription's jobs, newest first (replay ids sort by their start time), after the
 * job `after` when given; `next` is the last job's id when more may follow.
 */
export async function listJobs(
  tenantId: string,
  subscriptionId: string,
  options: { limit: number; after?: string },
): Promise<{ jobs: ReplayJob[]; next?: string }> {
  const pk = partition(tenantId, subscriptionId);
  const { Items = [], LastEvaluatedKey } = await dynamo().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :job)',
      ExpressionAttributeValues: { ':pk': pk, ':job': 'JOB#' },
      ScanIndexForward: false,
      Limit: options.limit,
      ...(options.after && { ExclusiveStartKey: { pk, sk: `JOB#${options.after}` } }),
    }),
  );
  const jobs = Items.map(fromItem);
  return { jobs, ...(LastEvaluatedKey && jobs.length > 0 && { next: jobs.at(-1)!.replayId }) };
}

/** A re-sent delivery that settled: the job that queued it, and how it ended. */
export interface SettledResend {
  tenantId: string;
  subscriptionId: string;
  replayId: string;
  status: 'succeeded' | 'failed';
}

/**
 * Adds settled re-sends to their jobs' `succeeded` and `failed` counts: one write per job a batch
 * touched. Best effort, like the delivery counters: a redelivered message may count twice.
 */
export async function recordSettled(settled: readonly SettledResend[]): Promise<void> {
  const jobs = new Map<string, SettledResend & { succeeded: number; failed: number }>();
  for (const resend of settled) {
    const id = `${resend.tenantId}\u0000${resend.subscriptionId}\u0000${resend.replayId}`;
    const job = jobs.get(id) ?? { ...resend, succeeded: 0, failed: 0 };
    job[resend.status]++;
    jobs.set(id, job);
  }
  await Promise.all(
    [...jobs.values()].map((job) =>
      // A job that expired with the log has nothing left to count on.
      conditionHolds(
        dynamo().send(
          new UpdateCommand({
            TableName: tableName(),
            Key: jobKey(job.tenantId, job.subscriptionId, job.replayId),
            UpdateExpression: 'ADD succeeded :succeeded, failed :failed',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':succeeded': job.succeeded, ':failed': job.failed },
          }),
        ),
      ),
    ),
  );
}

async function runningJobId(tenantId: string, subscriptionId: string): Promise<string | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({ TableName: tableName(), Key: lockKey(tenantId, subscriptionId), ConsistentRead: true }),
  );
  return Item?.replayId as string | undefined;
}

export async function getJob(
  tenantId: string,
  subscriptionId: string,
  replayId: string,
): Promise<ReplayJob | undefined> {
  const { Item } = await dynamo().send(
    new GetCommand({
      TableName: tableName(),
      Key: jobKey(tenantId, subscriptionId, replayId),
      ConsistentRead: true,
    }),
  );
  return Item ? fromItem(Item) : undefined;
}

/**
 * Records a step's progress, only if the job is still at `step` (a repeated step message finds it
 * moved on and changes nothing); returns the job after it, or undefined when it had moved on.
 */
export async function recordStep(
  job: ReplayJob,
  progress: { queued: number; skipped: number; position?: string; finished: boolean },
  now: string = new Date().toISOString(),
): Promise<ReplayJob | undefined> {
  const sets = [
    'queued = queued + :queued',
    'skipped = skipped + :skipped',
    '#step = :next',
    'updatedAt = :now',
  ];
  const values: Record<string, unknown> = {
    ':queued': progress.queued,
    ':skipped': progress.skipped,
    ':next': job.step + 1,
    ':step': job.step,
    ':now': now,
    ':running': 'running',
  };
  const names: Record<string, string> = { '#step': 'step', '#state': 'state' };
  if (progress.position !== undefined) {
    sets.push('#position = :position');
    names['#position'] = 'position';
    values[':position'] = progress.position;
  }
  if (progress.finished) {
    sets.push('#state = :finished', 'finishedAt = :now');
    values[':finished'] = 'finished';
  }
  try {
    const { Attributes } = await dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: jobKey(job.tenantId, job.subscriptionId, job.replayId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: '#step = :step AND #state = :running',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'ALL_NEW',
      }),
    );
    const updated = fromItem(Attributes!);
    if (progress.finished) await releaseLock(updated);
    else await heartbeat(updated, now);
    return updated;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

async function heartbeat(job: ReplayJob, now: string): Promise<void> {
  await conditionHolds(
    dynamo().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: lockKey(job.tenantId, job.subscriptionId),
        UpdateExpression: 'SET heartbeatAt = :now',
        ConditionExpression: 'replayId = :replayId',
        ExpressionAttributeValues: { ':now': now, ':replayId': job.replayId },
      }),
    ),
  );
}

async function releaseLock(job: Pick<ReplayJob, 'tenantId' | 'subscriptionId' | 'replayId'>): Promise<void> {
  await conditionHolds(
    dynamo().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: lockKey(job.tenantId, job.subscriptionId),
        ConditionExpression: 'replayId = :replayId',
        ExpressionAttributeValues: { ':replayId': job.replayId },
      }),
    ),
  );
}

/** The `Replay Started` operational event of a job. */
export function replayStartedEvent(job: ReplayJob): OperationalEvent {
  return {
    detailType: OPERATIONAL_DETAIL_TYPES.replayStarted,
    detail: {
      tenantId: job.tenantId,
      subscriptionId: job.subscriptionId,
      replayId: job.replayId,
      kind: job.kind,
      status: job.selection,
      ...(job.since !== undefined && { since: job.since, until: job.until }),
      ...(job.total !== undefined && { total: job.total }),
      ratePerSecond: job.ratePerSecond,
      startedAt: job.createdAt,
    },
  };
}

/** The `Replay Finished` operational event of a finished job. */
export function replayFinishedEvent(job: ReplayJob): OperationalEvent {
  return {
    detailType: OPERATIONAL_DETAIL_TYPES.replayFinished,
    detail: {
      tenantId: job.tenantId,
      subscriptionId: job.subscriptionId,
      replayId: job.replayId,
      kind: job.kind,
      queued: job.queued,
      skipped: job.skipped,
      startedAt: job.createdAt,
      finishedAt: job.finishedAt ?? job.updatedAt,
    },
  };
}
