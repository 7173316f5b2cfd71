/**
 * The retry schedule is one setting (`retrySchedule` in cdk.json): the delays before each retry after
 * the first attempt, how much each delay is spread (jitter), and (for tests) from which delay on a
 * retry waits in EventBridge Scheduler rather than in SQS. Everything else (the queues' redrive
 * maxReceiveCount, the Scheduler resources, the queue-age alarm, the delivery handler's visibility
 * changes) is derived from it.
 *
 * Written as text (`-c retrySchedule=…`, the local mode's RETRY_SCHEDULE, the delivery function's
 * environment): `60,300,1800` or, with units and jitter, `1m,5m,30m,2h,5h,10h,10h ±20%`.
 */
import { createHash } from 'node:crypto';

export interface RetrySchedule {
  /** Seconds before each retry; one attempt more than there are delays. */
  readonly delays: readonly number[];
  /** How far each delay is spread either way, as a fraction (0.2 = ±20 %); 0 keeps the delays exact. */
  readonly jitter: number;
  /**
   * A retry due later than this many seconds waits in EventBridge Scheduler; sooner, in SQS (the
   * message's visibility timeout). The default is SQS's limit; a lower value only serves tests.
   */
  readonly schedulerAfterSeconds: number;
}

export const DEFAULT_RETRY_SCHEDULE_SECONDS: readonly number[] = [60, 300, 1800];

/**
 * The longest wait SQS can hold: a message's visibility timeout ends at most 12 hours after it was
 * received, and the invocation that sets it has already used some of that (a delivery invocation runs
 * at most 60 s), so 5 minutes are kept in hand.
 */
export const SQS_MAX_DELAY_SECONDS = 43_200 - 300;

/** The longest single delay: one day (longer waits belong to a replay, not to a retry). */
export const MAX_RETRY_DELAY_SECONDS = 86_400;

/** Jitter beyond ±50 % would let a delay's spread swallow its neighbours'. */
export const MAX_JITTER = 0.5;

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = Object.freeze({
  delays: DEFAULT_RETRY_SCHEDULE_SECONDS,
  jitter: 0,
  schedulerAfterSeconds: SQS_MAX_DELAY_SECONDS,
});

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3_600, d: 86_400 };

/** `90`, `"90"`, `"90s"`, `"5m"`, `"2h"`, `"1d"` → seconds; NaN when it is none of those. */
export function durationSeconds(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return NaN;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/i.exec(value);
  if (!match) return NaN;
  return Number(match[1]) * UNIT_SECONDS[(match[2] || 's').toLowerCase()]!;
}

/** Checks a schedule, throwing an Error that says what is wrong. */
export function validateRetrySchedule(schedule: RetrySchedule): RetrySchedule {
  const { delays, jitter, schedulerAfterSeconds } = schedule;
  if (delays.length === 0) throw new Error('retry schedule must list at least one delay in seconds');
  for (const delay of delays) {
    if (!Number.isInteger(delay) || delay < 0 || delay > MAX_RETRY_DELAY_SECONDS) {
      throw new Error(
        `retry schedule delay ${delay} is invalid: each delay must be a whole number of seconds from 0 to ${MAX_RETRY_DELAY_SECONDS} (1 day)`,
      );
    }
  }
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter <= MAX_JITTER)) {
    throw new Error(`retry schedule jitter ${jitter} is invalid: it must be from 0 to ${MAX_JITTER * 100} %`);
  }
  if (
    !Number.isInteger(schedulerAfterSeconds) ||
    schedulerAfterSeconds < 1 ||
    schedulerAfterSeconds > SQS_MAX_DELAY_SECONDS
  ) {
    throw new Error(
      `retry schedule schedulerAfterSeconds ${schedulerAfterSeconds} is invalid: it must be a whole number of seconds from 1 to ${SQS_MAX_DELAY_SECONDS}`,
    );
  }
  return schedule;
}

/** `±20%`, `+-20%` or `+/-20%` at the end of the text. */
const JITTER_SUFFIX = /\s*(?:±|\+-|\+\/-)\s*(\d+(?:\.\d+)?)\s*%\s*$/;

/**
 * Reads a schedule as cdk.json or the command line gives it: a list of delays (`[60, "5m"]`), text
 * (`"60,300,1800"`, `"1m,5m,30m,2h ±20%"`, or either of the JSON forms), or an object
 * `{ "delays": [...], "jitter": 0.2, "schedulerAfterSeconds": 3 }` (jitter also as `"20%"`).
 * Empty or undefined yields the default. Throws an Error that says what is wrong.
 */
export function parseRetrySchedule(value: unknown): RetrySchedule {
  if (value === undefined || value === null) return DEFAULT_RETRY_SCHEDULE;
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return DEFAULT_RETRY_SCHEDULE;
    if (text.startsWith('[') || text.startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error(`retry schedule ${JSON.stringify(value)} is not valid JSON`);
      }
      return parseRetrySchedule(parsed);
    }
    const jitterMatch = JITTER_SUFFIX.exec(text);
    const list = jitterMatch ? text.slice(0, jitterMatch.index) : text;
    return build(
      list.split(',').map((part) => (part.trim() === '' ? NaN : durationSeconds(part))),
      jitterMatch ? Number(jitterMatch[1]) / 100 : 0,
      undefined,
      value,
    );
  }
  if (Array.isArray(value)) return build(value.map(durationSeconds), 0, undefined, value);
  if (typeof value === 'object') {
    const { delays, jitter, schedulerAfterSeconds, ...rest } = value as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0) {
      throw new Error(
        `retry schedule: unknown field ${unknown.map((key) => JSON.stringify(key)).join(', ')} (known: delays, jitter, schedulerAfterSeconds)`,
      );
    }
    if (!Array.isArray(delays)) throw new Error('retry schedule: "delays" must be a list of delays');
    const fraction =
      typeof jitter === 'string' && /^\s*\d+(\.\d+)?\s*%\s*$/.test(jitter)
        ? Number.parseFloat(jitter) / 100
        : (jitter ?? 0);
    return build(delays.map(durationSeconds), fraction, schedulerAfterSeconds ?? undefined, value);
  }
  throw new Error(`retry schedule ${JSON.stringify(value)} is not a list of delays`);
}

function build(
  delays: number[],
  jitter: unknown,
  schedulerAfterSeconds: unknown,
  raw: unknown,
): RetrySchedule {
  if (delays.some((delay) => Number.isNaN(delay))) {
    throw new Error(
      `retry schedule ${JSON.stringify(raw)} is not a list of delays: use seconds or durations such as 90, "5m", "2h", "1d"`,
    );
  }
  return Object.freeze(
    validateRetrySchedule({
      delays: Object.freeze([...delays]),
      jitter: jitter as number,
      schedulerAfterSeconds: (schedulerAfterSeconds ?? SQS_MAX_DELAY_SECONDS) as number,
    }),
  );
}

/**
 * The text form `parseRetrySchedule` reads back: `60,300,1800`, `60,300,7200 ±20%`, or (with a lowered
 * Scheduler threshold, which only tests set) the JSON object.
 */
export function formatRetrySchedule(schedule: RetrySchedule): string {
  if (schedule.schedulerAfterSeconds !== SQS_MAX_DELAY_SECONDS) return JSON.stringify(schedule);
  const delays = schedule.delays.join(',');
  return schedule.jitter > 0 ? `${delays} ±${Math.round(schedule.jitter * 1000) / 10}%` : delays;
}

/** Total attempts: the first plus one per retry delay. This is the queues' redrive maxReceiveCount. */
export function maxAttempts(schedule: RetrySchedule): number {
  return schedule.delays.length + 1;
}

/**
 * The scheduled delay (without jitter) before the next attempt after attempt number `attempt`
 * (1-based) failed, or undefined when no retries are left.
 */
export function nextRetryDelay(schedule: RetrySchedule, attempt: number): number | undefined {
  return schedule.delays[attempt - 1];
}

/**
 * The whole seconds the delay of slot `index` may take with jitter: `delay × (1 ± jitter)`, never below
 * the schedule's shortest delay, and never past halfway to the nearest different delay, so the
 * spreads of two different delays never overlap (a shorter delay of the schedule always waits less
 * than a longer one).
 */
export function jitterRange(schedule: RetrySchedule, index: number): readonly [number, number] {
  const delay = schedule.delays[index];
  if (delay === undefined) throw new RangeError(`the schedule has no delay ${index + 1}`);
  if (schedule.jitter === 0) return [delay, delay];
  let low = Math.max(delay * (1 - schedule.jitter), Math.min(...schedule.delays));
  let high = delay * (1 + schedule.jitter);
  const shorter = schedule.delays.filter((other) => other < delay);
  const longer = schedule.delays.filter((other) => other > delay);
  if (shorter.length > 0) low = Math.max(low, (Math.max(...shorter) + delay) / 2);
  if (longer.length > 0) high = Math.min(high, (Math.min(...longer) + delay) / 2);
  const [from, to] = [Math.ceil(low), Math.floor(high)];
  return from <= to ? [from, to] : [delay, delay];
}

/**
 * The delay before the next attempt after attempt `attempt` of delivery `deliveryId` failed, with
 * jitter, or undefined when no retries are left. The jitter is a hash of the delivery and the attempt,
 * not a random draw: a round that is processed twice (an invocation that died after acting, a
 * redelivered message) waits exactly as long, and asks EventBridge Scheduler for the same schedule,
 * so the second request is recognised as a duplicate; and tests can predict each gap. Different
 * deliveries still spread evenly over the range, which is what keeps a recovered endpoint from
 * getting every retry of an outage in the same second.
 */
export function retryDelay(schedule: RetrySchedule, attempt: number, deliveryId: string): number | undefined {
  if (schedule.delays[attempt - 1] === undefined) return undefined;
  const [low, high] = jitterRange(schedule, attempt - 1);
  if (low === high) return low;
  return low + Math.floor(unitHash(`${deliveryId}:${attempt}`) * (high - low + 1));
}

/** A number in [0, 1) that depends only on `text`. */
function unitHash(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0) / 2 ** 32;
}

/** Whether a wait of `seconds` goes through EventBridge Scheduler (else it is the message's visibility timeout). */
export function waitsInScheduler(schedule: RetrySchedule, seconds: number): boolean {
  return seconds > schedule.schedulerAfterSeconds;
}

/** Whether any retry of the schedule (with jitter, or a receiver's Retry-After) can wait in EventBridge Scheduler. */
export function usesScheduler(schedule: RetrySchedule): boolean {
  return schedule.delays.some((_, index) => waitsInScheduler(schedule, jitterRange(schedule, index)[1]));
}

/**
 * The longest a delivery's message can stay in its queue: every wait the queue holds (a wait in
 * EventBridge Scheduler ends the message, and the Scheduler sends a new one), each at the top of its
 * jitter. It must fit the queue's message retention; the queue-age alarm fires only beyond it.
 */
export function longestQueueWaitSeconds(schedule: RetrySchedule): number {
  return schedule.delays.reduce(
    (sum, _, index) => sum + Math.min(jitterRange(schedule, index)[1], schedule.schedulerAfterSeconds),
    0,
  );
}

/** The longest a delivery can take from its first attempt to its last, each delay at the top of its jitter. */
export function longestScheduleSeconds(schedule: RetrySchedule): number {
  return schedule.delays.reduce((sum, _, index) => sum + jitterRange(schedule, index)[1], 0);
}

/**
 * The delay a `Retry-After` header asks for (seconds, or an HTTP date), clamped to the schedule's
 * shortest and longest delay; undefined when the header is absent or unreadable.
 */
export function retryAfterDelay(
  schedule: RetrySchedule,
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
  return Math.min(Math.max(seconds, Math.min(...schedule.delays)), Math.max(...schedule.delays));
}
