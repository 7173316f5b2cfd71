import { attemptNumber } from '../../lambdas/delivery/process';
import {
  DEFAULT_RETRY_SCHEDULE,
  DEFAULT_RETRY_SCHEDULE_SECONDS,
  formatRetrySchedule,
  jitterRange,
  longestQueueWaitSeconds,
  longestScheduleSeconds,
  maxAttempts,
  nextRetryDelay,
  parseRetrySchedule,
  retryAfterDelay,
  retryDelay,
  SQS_MAX_DELAY_SECONDS,
  usesScheduler,
  waitsInScheduler,
} from '../../lambdas/shared/retry-schedule';

/** The long tail Svix documents, after the seed's 1, 5 and 30 minutes. */
const LONG_TAIL = '1m,5m,30m,2h,5h,10h,10h ±20%';

describe('the retry schedule', () => {
  test('by default: four attempts, retried after 1, 5 and 30 minutes (about 36 minutes in all), no jitter', () => {
    const schedule = parseRetrySchedule(undefined);
    expect(schedule).toEqual(DEFAULT_RETRY_SCHEDULE);
    expect(schedule.delays).toEqual(DEFAULT_RETRY_SCHEDULE_SECONDS);
    expect(maxAttempts(schedule)).toBe(4);
    expect([1, 2, 3, 4].map((attempt) => retryDelay(schedule, attempt, 'dlv_any'))).toEqual([
      60,
      300,
      1800,
      undefined,
    ]);
    expect(longestScheduleSeconds(schedule) / 60).toBe(36);
    expect(usesScheduler(schedule)).toBe(false);
  });

  test('a configured schedule sets the delays and the number of attempts', () => {
    const schedule = parseRetrySchedule('0, 10');
    expect(maxAttempts(schedule)).toBe(3);
    expect(nextRetryDelay(schedule, 1)).toBe(0);
    expect(nextRetryDelay(schedule, 2)).toBe(10);
    expect(nextRetryDelay(schedule, 3)).toBeUndefined();
    // A message received more often than the schedule allows (e.g. after a crash) gets no more retries.
    expect(nextRetryDelay(schedule, 7)).toBeUndefined();
    expect(retryDelay(schedule, 7, 'dlv_any')).toBeUndefined();
  });

  test('reads durations, jitter and the object form alike', () => {
    const fromText = parseRetrySchedule(LONG_TAIL);
    expect(fromText).toEqual({
      delays: [60, 300, 1800, 7200, 18_000, 36_000, 36_000],
      jitter: 0.2,
      schedulerAfterSeconds: SQS_MAX_DELAY_SECONDS,
    });
    expect(parseRetrySchedule(['1m', '5m', '30m', '2h', '5h', '10h', 36_000])).toEqual({
      ...fromText,
      jitter: 0,
    });
    expect(
      parseRetrySchedule({ delays: ['1m', '5m', '30m', '2h', '5h', '10h', '10h'], jitter: '20%' }),
    ).toEqual(fromText);
    expect(parseRetrySchedule('60,300 +-20%')).toMatchObject({ delays: [60, 300], jitter: 0.2 });
    expect(parseRetrySchedule('{"delays":[1,2,8],"jitter":0.2,"schedulerAfterSeconds":5}')).toEqual({
      delays: [1, 2, 8],
      jitter: 0.2,
      schedulerAfterSeconds: 5,
    });
  });

  test('its text form reads back to the same schedule', () => {
    for (const schedule of [
      DEFAULT_RETRY_SCHEDULE,
      parseRetrySchedule(LONG_TAIL),
      parseRetrySchedule({ delays: [1, 2, 8], jitter: 0.25, schedulerAfterSeconds: 5 }),
    ]) {
      expect(parseRetrySchedule(formatRetrySchedule(schedule))).toEqual(schedule);
    }
    expect(formatRetrySchedule(parseRetrySchedule(LONG_TAIL))).toBe(
      '60,300,1800,7200,18000,36000,36000 ±20%',
    );
  });

  test.each(['-1', '1.5', 'abc', '86401', '60,,300', '60 ±51%', '5x'])('rejects %s', (value) => {
    expect(() => parseRetrySchedule(value)).toThrow(/retry schedule/);
  });

  test.each([
    [{ delays: [60], jitter: 0.2, factor: 2 }, /unknown field "factor"/],
    [{ delays: [60], schedulerAfterSeconds: 43_200 }, /schedulerAfterSeconds/],
    [{ delays: [60], schedulerAfterSeconds: 0 }, /schedulerAfterSeconds/],
    [{ delays: '60' }, /"delays" must be a list/],
    [[], /at least one delay/],
  ])('rejects %j', (value, problem) => {
    expect(() => parseRetrySchedule(value)).toThrow(problem);
  });
});

describe('jitter', () => {
  const schedule = parseRetrySchedule(LONG_TAIL);
  const deliveries = Array.from({ length: 2000 }, (_, index) => `dlv_${index}`);

  test('spreads each delay by ±20 %, never below the schedule’s shortest delay', () => {
    expect(schedule.delays.map((_, index) => jitterRange(schedule, index))).toEqual([
      [60, 72], // not below the shortest delay (60 s)
      [240, 360],
      [1440, 2160],
      [5760, 8640],
      [14_400, 21_600],
      [28_800, 43_200],
      [28_800, 43_200],
    ]);
    for (const [index, nominal] of schedule.delays.entries()) {
      const [low, high] = jitterRange(schedule, index);
      const delays = deliveries.map((id) => retryDelay(schedule, index + 1, id)!);
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(low);
      expect(Math.max(...delays)).toBeLessThanOrEqual(high);
      // Spread over the range, not bunched: the mean is near the middle and both ends are reached.
      const mean = delays.reduce((sum, delay) => sum + delay, 0) / delays.length;
      expect(Math.abs(mean - (low + high) / 2)).toBeLessThan((high - low) * 0.05 + 1);
      expect(Math.min(...delays)).toBeLessThan(low + (high - low) * 0.02 + 1);
      expect(Math.max(...delays)).toBeGreaterThan(high - (high - low) * 0.02 - 1);
      expect(nominal).toBeGreaterThanOrEqual(low);
    }
  });

  test('never lets a shorter delay of the schedule wait longer than a longer one', () => {
    const close = parseRetrySchedule({ delays: [60, 70, 80, 300], jitter: 0.5 });
    const ranges = close.delays.map((_, index) => jitterRange(close, index));
    expect(ranges).toEqual([
      [60, 65],
      [65, 75],
      [75, 120],
      [190, 450],
    ]);
    for (const id of deliveries.slice(0, 200)) {
      const delays = [1, 2, 3, 4].map((attempt) => retryDelay(close, attempt, id)!);
      expect([...delays].sort((a, b) => a - b)).toEqual(delays);
    }
  });

  test('is the same for the same delivery and attempt (a repeated round waits as long), different across deliveries', () => {
    expect(retryDelay(schedule, 5, 'dlv_a')).toBe(retryDelay(schedule, 5, 'dlv_a'));
    const distinct = new Set(deliveries.slice(0, 100).map((id) => retryDelay(schedule, 5, id)));
    expect(distinct.size).toBeGreaterThan(90);
    expect(
      new Set([1, 2, 3].map((attempt) => retryDelay(parseRetrySchedule('60,60,60 ±20%'), attempt, 'dlv_a')))
        .size,
    ).toBeGreaterThan(1);
  });

  test('without jitter the delays are exact', () => {
    expect(deliveries.slice(0, 50).map((id) => retryDelay(DEFAULT_RETRY_SCHEDULE, 2, id))).toEqual(
      Array.from({ length: 50 }, () => 300),
    );
  });
});

describe('where a retry waits', () => {
  test('up to SQS’s limit in the queue, beyond it in EventBridge Scheduler', () => {
    const schedule = parseRetrySchedule(LONG_TAIL);
    expect(SQS_MAX_DELAY_SECONDS).toBe(42_900);
    expect(waitsInScheduler(schedule, 42_900)).toBe(false);
    expect(waitsInScheduler(schedule, 42_901)).toBe(true);
    // 10 h + 20 % = 12 h: the top of the last delays' spread is beyond what SQS can hold.
    expect(usesScheduler(schedule)).toBe(true);
    expect(usesScheduler(parseRetrySchedule('1m,5m,30m,2h,5h,10h,10h'))).toBe(false);
    expect(usesScheduler(parseRetrySchedule('1m,5m,30m,2h,5h,10h,10h ±10%'))).toBe(false);
    expect(usesScheduler(parseRetrySchedule('1m,5m,30m,2h,5h,10h,10h ±20%'))).toBe(true);
    expect(usesScheduler(parseRetrySchedule('1h,1d'))).toBe(true);
  });

  test('the queue holds at most the waits below the threshold; the whole schedule takes longer', () => {
    const schedule = parseRetrySchedule(LONG_TAIL);
    expect(longestScheduleSeconds(schedule)).toBe(72 + 360 + 2160 + 8640 + 21_600 + 43_200 + 43_200);
    expect(longestQueueWaitSeconds(schedule)).toBe(72 + 360 + 2160 + 8640 + 21_600 + 42_900 + 42_900);
    const compressed = parseRetrySchedule({ delays: [1, 2, 8, 3], jitter: 0.2, schedulerAfterSeconds: 5 });
    expect(usesScheduler(compressed)).toBe(true);
    expect(longestQueueWaitSeconds(compressed)).toBe(1 + 2 + 5 + 3);
  });
});

describe('Retry-After', () => {
  const schedule = parseRetrySchedule(LONG_TAIL);
  test('is clamped to the schedule’s shortest and longest delay, long tail included', () => {
    expect(retryAfterDelay(schedule, '5')).toBe(60);
    expect(retryAfterDelay(schedule, '7200')).toBe(7200);
    expect(retryAfterDelay(schedule, String(3 * 86_400))).toBe(36_000);
    expect(retryAfterDelay(schedule, new Date(Date.now() + 86_400_000).toUTCString())).toBe(36_000);
    expect(retryAfterDelay(schedule, 'soon')).toBeUndefined();
  });
});

describe('attemptNumber', () => {
  const record = (count: string) =>
    ({ attributes: { ApproximateReceiveCount: count } }) as Parameters<typeof attemptNumber>[0];
  test('is the message receive count', () => {
    expect(attemptNumber(record('1'))).toBe(1);
    expect(attemptNumber(record('3'))).toBe(3);
  });
  test('falls back to 1 when the count is missing or malformed', () => {
    expect(attemptNumber(record(''))).toBe(1);
    expect(attemptNumber(record('x'))).toBe(1);
  });
});
