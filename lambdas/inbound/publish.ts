/**
 * Puts events on the bus in `PutEvents` batches of at most 10, retrying the entries that fail.
 * Reports, per entry, whether it was accepted, so the caller knows exactly what was published.
 */
import { PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { eventBridge } from '../shared/aws';

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

/** Publishes every entry; returns which were accepted (same order as `entries`). */
export async function publishAll(
  entries: readonly PutEventsRequestEntry[],
  options: { putBatch?: PutBatch; retryDelayMs?: number } = {},
): Promise<boolean[]> {
  const putBatch = options.putBatch ?? putBatchToEventBridge;
  const retryDelayMs = options.retryDelayMs ?? 100;
  const accepted = entries.map(() => false);
  let pending = entries.map((_, index) => index);
  for (let attempt = 0; attempt <= PUT_EVENTS_RETRIES && pending.length > 0; attempt++) {
    if (attempt > 0 && retryDelayMs > 0) await sleep(retryDelayMs * 2 ** (attempt - 1));
    const failed: number[] = [];
    for (let start = 0; start < pending.length; start += PUT_EVENTS_BATCH_SIZE) {
      const batch = pending.slice(start, start + PUT_EVENTS_BATCH_SIZE);
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
