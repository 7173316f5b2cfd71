/**
 * Issue 16, the long tail end to end (the local mode over HTTP, a real receiver on 127.0.0.1): a
 * long-tail schedule with ±20 % jitter, compressed to seconds, whose third delay is beyond the
 * (test-lowered) SQS threshold and so waits in the local EventBridge Scheduler, built from the
 * synthesized template like every other local resource. The receiver always fails: it gets one attempt
 * per slot, the gaps are the schedule's (each within its jitter, the Scheduler one exactly the
 * delivery's predicted delay, rounded up to the second as `at()` is), then the delivery is `failed`,
 * in the dead-letter queue, and no schedule is left behind.
 */
import { parseRetrySchedule, retryDelay, jitterRange } from '../../lambdas/shared/retry-schedule';
import {
  deadLetterCount,
  eventually,
  genericIntegration,
  postGeneric,
  queuesDrained,
  startE2E,
  type E2E,
} from './support/harness';

/** 2 s, 4 s, then 10 s ± 20 % (beyond the 6-second threshold: the Scheduler), then 4 s. */
const SCHEDULE = { delays: [2, 4, 10, 4], jitter: 0.2, schedulerAfterSeconds: 6 } as const;
const schedule = parseRetrySchedule(SCHEDULE);
/** Polling, batching windows and a busy machine: how late an attempt may be after its due time. */
const LATE_MS = 2_500;

let e2e: E2E;

beforeAll(async () => {
  e2e = await startE2E({ retrySchedule: SCHEDULE, maxBatchingWindowSeconds: 0 });
}, 60_000);
afterAll(async () => {
  await e2e?.stop();
});

it('the template has a schedule group, and the local mode runs a Scheduler for it', () => {
  const types = Object.values(e2e.local.template.Resources as Record<string, { Type: string }>).map(
    (resource) => resource.Type,
  );
  expect(types).toContain('AWS::Scheduler::ScheduleGroup');
  expect(e2e.local.plan.scheduleGroups).toHaveLength(1);
  expect(e2e.local.scheduler).toBeDefined();
});

it('a failing endpoint gets one attempt per slot at the schedule’s gaps, the long one through the Scheduler, then failed', async () => {
  const created = await e2e.call('POST', '/v1/webhooks', {
    url: `${e2e.receiver.url}/down`,
    events: ['EMAIL_OPEN'],
  });
  expect(created.status).toBe(201);
  e2e.receiver.script('/down', 500);
  const inbound = await genericIntegration(e2e);
  expect(
    (await postGeneric(inbound, { id: 'tail_1', status: 'OPEN', channel: 'EMAIL', trackingId: 'trk_tail_1' }))
      .status,
  ).toBe(200);

  // Attempt 3 fails; its retry is a schedule (the message left its queue), deleted once it has fired.
  await eventually('the third attempt', () =>
    e2e.receiver.received('/down').length >= 3 ? true : undefined,
  );
  await eventually(
    'the retry’s schedule',
    () => (e2e.local.scheduler!.schedules().length === 1 ? true : undefined),
    5_000,
  );

  const attempts = await eventually(
    'five attempts',
    () => {
      const received = e2e.receiver.received('/down');
      return received.length >= 5 ? received : undefined;
    },
    40_000,
  );
  const deliveryId = String(attempts[0]!.headers['webhook-id']);
  expect(new Set(attempts.map((attempt) => attempt.headers['webhook-id']))).toEqual(new Set([deliveryId]));

  const gaps = attempts.slice(1).map((attempt, index) => attempt.at - attempts[index]!.at);
  for (const [index, gap] of gaps.entries()) {
    const [low, high] = jitterRange(schedule, index);
    expect(gap).toBeGreaterThanOrEqual(low * 1000 - 200);
    expect(gap).toBeLessThanOrEqual((high + 1) * 1000 + LATE_MS);
  }
  // The Scheduler's wait is the delivery's own jittered delay (a hash of it and the attempt).
  const predicted = retryDelay(schedule, 3, deliveryId)!;
  expect(predicted).toBeGreaterThan(SCHEDULE.schedulerAfterSeconds);
  expect(gaps[2]).toBeGreaterThanOrEqual(predicted * 1000 - 200);
  expect(gaps[2]).toBeLessThanOrEqual((predicted + 1) * 1000 + LATE_MS);

  const log = await eventually('the delivery to be failed', async () => {
    const logs = await e2e.call('GET', `/v1/webhooks/${created.body.id}/logs`);
    const entry = (logs.body.items as { status: string; attempts: { statusCode?: number }[] }[])[0];
    return entry?.status === 'failed' ? entry : undefined;
  });
  expect(log.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 500, 500, 500, 500]);
  await eventually('the message in the dead-letter queue', async () =>
    (await deadLetterCount(e2e, 'OPEN')) === 1 ? true : undefined,
  );
  await queuesDrained(e2e);
  // No sixth attempt, and nothing left in the Scheduler.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(e2e.receiver.received('/down')).toHaveLength(5);
  expect(e2e.local.scheduler!.schedules()).toEqual([]);
}, 90_000);
