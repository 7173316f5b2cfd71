/**
 * Puts events on the bus in `PutEvents` batches of at most 10 entries and 256 KB (as EventBridge
 * counts entry sizes), retrying the entries that fail. Reports, per entry, whether it was accepted, so
 * the caller knows exactly what was published. Every entry must fit in a call on its own (the caller
 * refuses an event that does not, before publishing anything).
 */
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { eventBridge } from '../shared/aws';
import { PUT_EVENTS_MAX_BYTES, putEventsEntrySize } from '../shared/events';

export const PUT_EVENTS_BATCH_SIZE = 10;
export const PUT_EVENTS_RETRIES = 3;

/** Sends one batch; answers, per entry, whether EventBridge accepted it. */
export type PutBatch = (entries: PutEventsRequestEntry[]) => Promise<boolean[]>;

export const putBatchToEventBridge: PutBatch = async (entries) => {
  try {
    const result = await eventBridge().send(new PutEventsCommand({ Entries: entries }));
    return entries.map((_, index) => {
      const answer = result.Entries?.[index];
      return Boolean(answer?.EventId) && !answer?.ErrorCode;
    });
  } catch {
    // The whole call failed (throttled, network): every entry is retried.
    return entries.map(() => false);
  }
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Splits entry indexes, in order, into calls of at most 10 entries and PUT_EVENTS_MAX_BYTES. */
export function batchesOf(indexes: readonly number[], sizes: readonly number[]): number[][] {
  const batches: number[][] = [];
  let batch: number[] = [];
  let bytes = 0;
  for (const index of indexes) {
    const size = sizes[index]!;
    if (batch.length > 0 && (batch.length === PUT_EVENTS_BATCH_SIZE || bytes + size > PUT_EVENTS_MAX_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(index);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** Publishes every entry; returns which were accepted (same order as `entries`). */
export async function publishAll(
  entries: readonly PutEventsRequestEntry[],
  options: { putBatch?: PutBatch; retryDelayMs?: number } = {},
): Promise<boolean[]> {
  const putBatch = options.putBatch ?? putBatchToEventBridge;
  const retryDelayMs = options.retryDelayMs ?? 100;
  const accepted = entries.map(() => false);
  const sizes = entries.map(putEventsEntrySize);
  let pending = entries.map((_, index) => index);
  for (let attempt = 0; attempt <= PUT_EVENTS_RETRIES && pending.length > 0; attempt++) {
    if (attempt > 0 && retryDelayMs > 0) await sleep(retryDelayMs * 2 ** (attempt - 1));
    const failed: number[] = [];
    for (const batch of batchesOf(pending, sizes)) {
      const results = await putBatch(batch.map((index) => entries[index]!));
      batch.forEach((index, position) => {
        if (results[position]) accepted[index] = true;
        else failed.push(index);
      });
    }
    pending = failed;
  }
  return accepted;
}
