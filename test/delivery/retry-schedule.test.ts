import { attemptNumber } from '../../lambdas/delivery/process';
import {
  DEFAULT_RETRY_SCHEDULE_SECONDS,
  maxAttempts,
  nextRetryDelay,
  parseRetrySchedule,
} from '../../lambdas/shared/retry-schedule';

describe('the retry schedule', () => {
  test('by default: four attempts, retried after 1, 5 and 30 minutes (about 36 minutes in all)', () => {
    const schedule = parseRetrySchedule(undefined);
    expect(schedule).toEqual(DEFAULT_RETRY_SCHEDULE_SECONDS);
    expect(maxAttempts(schedule)).toBe(4);
    expect([1, 2, 3, 4].map((attempt) => nextRetryDelay(schedule, attempt))).toEqual([
      60,
      300,
      1800,
      undefined,
    ]);
    expect(schedule.reduce((sum, delay) => sum + delay, 0) / 60).toBe(36);
  });

  test('a configured schedule sets the delays and the number of attempts', () => {
    const schedule = parseRetrySchedule('0, 10');
    expect(maxAttempts(schedule)).toBe(3);
    expect(nextRetryDelay(schedule, 1)).toBe(0);
    expect(nextRetryDelay(schedule, 2)).toBe(10);
    expect(nextRetryDelay(schedule, 3)).toBeUndefined();
    // A message received more often than the schedule allows (e.g. after a crash) gets no more retries.
    expect(nextRetryDelay(schedule, 7)).toBeUndefined();
  });

  test.each(['-1', '1.5', 'abc', '43201'])('rejects the delay %s', (value) => {
    expect(() => parseRetrySchedule(value)).toThrow(/retry schedule delay/);
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
