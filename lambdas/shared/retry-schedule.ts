/**
 * The retry schedule is one value: the delays, in seconds, before each retry after the first attempt.
 * Everything else (the queues' redrive maxReceiveCount, the delivery handler's visibility changes) is
 * derived from it.
 */
export const DEFAULT_RETRY_SCHEDULE_SECONDS: readonly number[] = [60, 300, 1800];

/** SQS caps a message's visibility timeout at 12 hours. */
export const MAX_RETRY_DELAY_SECONDS = 43_200;

export function validateRetrySchedule(schedule: readonly number[]): readonly number[] {
  if (schedule.length === 0) throw new Error('retry schedule must list at least one delay in seconds');
  for (const delay of schedule) {
    if (!Number.isInteger(delay) || delay < 0 || delay > MAX_RETRY_DELAY_SECONDS) {
      throw new Error(
        `retry schedule delay ${delay} is invalid: each delay must be a whole number of seconds from 0 to ${MAX_RETRY_DELAY_SECONDS}`,
      );
    }
  }
  return schedule;
}

/** Parses `"60,300,1800"`; empty or undefined yields the default. */
export function parseRetrySchedule(value: string | undefined): readonly number[] {
  if (value === undefined || value.trim() === '') return DEFAULT_RETRY_SCHEDULE_SECONDS;
  return validateRetrySchedule(value.split(',').map((part) => Number(part.trim())));
}

export function formatRetrySchedule(schedule: readonly number[]): string {
  return schedule.join(',');
}

/** Total attempts: the first plus one per retry delay. This is the queues' redrive maxReceiveCount. */
export function maxAttempts(schedule: readonly number[]): number {
  return schedule.length + 1;
}

/**
 * The delay before the next attempt after attempt number `attempt` (1-based) failed,
 * or undefined when no retries are left.
 */
export function nextRetryDelay(schedule: readonly number[], attempt: number): number | undefined {
  return schedule[attempt - 1];
}

/**
 * The delay a `Retry-After` header asks for (seconds, or an HTTP date), clamped to the schedule's
 * shortest and longest delay; undefined when the header is absent or unreadable.
 */
export function retryAfterDelay(
  schedule: readonly number[],
  header: string | undefined,
  now: number = Date.now(),
): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  let seconds: number;
  if (/^\d+$/.test(text)) seconds = Number(text);
  else {
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    seconds = Math.ceil((date - now) / 1000);
  }
  return Math.min(Math.max(seconds, Math.min(...schedule)), Math.max(...schedule));
}
