/**
 * Endpoint lifecycle, end to end over HTTP on the local mode with a real receiver: a replay of a time
 * window, a disabled subscription's events parked and caught up on re-enable, at the configured rate
 * (1 a second here, so the order and the pacing can be seen), the system disabling an endpoint that
 * keeps failing (the window compressed to 2 seconds), and every change in the activity feed.
 */
import { startLocal, type LocalStack } from '../../local/stack';
import {
  apiClient,
  eventually,
  genericRequest,
  postInbound,
  startReceiver,
  verifyStandardWebhooks,
  type ApiClient,
  type Receiver,
} from './support';

const KEY = 'er_local_e2e_lifecycle_0123456789';
const OTHER_TENANT_KEY = 'er_local_e2e_lifecycle_other_tenant';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const GENERIC_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const RATE = 1;
const DISABLE_AFTER_FAILING_SECONDS = 2;

let local: LocalStack;
let receiver: Receiver;
let api: ApiClient;
let inboundUrl: string;

beforeAll(async () => {
  receiver = await startReceiver();
  local = await startLocal({
    port: 0,
    apiKeys: [KEY, OTHER_TENANT_KEY],
    settings: { ...process.env, RETRY_SCHEDULE: '1,2,3', ALLOW_PRIVATE_TARGETS: 'true' },
    config: { catchUpRatePerSecond: RATE, disableAfterFailingSeconds: DISABLE_AFTER_FAILING_SECONDS },
  });
  api = apiClient(local.apiUrl, KEY);
  const integration = await api.post('/v1/integrations', {
    provider: 'generic',
    credentials: { secret: GENERIC_SECRET },
  });
  inboundUrl = integration.body.inboundUrl as string;
});

afterAll(async () => {
  await local?.stop();
  await receiver?.close();
});

async function subscribe(path: string) {
  const created = await api.post('/v1/webhooks', {
    url: `${receiver.url}${path}`,
    events: ['EMAIL_OPEN'],
    secret: SECRET,
  });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

/**
 * Posts OPEN events `prefix-0..n-1`, one request each; returns the time just before each was sent.
 * A generic event's delivery id begins with its first arrival (its own time is the sender's to
 * change), so event `i` lies in the window [times[i], times[i + 1]).
 */
async function sendEvents(prefix: string, count: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    times.push(Date.now());
    const { body, headers } = genericRequest(GENERIC_SECRET, [
      { id: `${prefix}-${i}`, status: 'OPEN', channel: 'EMAIL', trackingId: `trk_${prefix}_${i}` },
    ]);
    expect((await postInbound(inboundUrl, body, headers)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return times;
}

const trackingIds = (path: string) =>
  receiver.at(path).map((delivery) => (JSON.parse(delivery.body) as { trackingId: string }).trackingId);

describe('replay of a time window', () => {
  let times: number[];
  let replayed: string;
  let other: string;

  beforeAll(async () => {
    replayed = await subscribe('/replay-a');
    other = await subscribe('/replay-b');
    times = await sendEvents('r', 12);
    await eventually(
      'the first deliveries',
      () => receiver.at('/replay-a').length === 12 && receiver.at('/replay-b').length === 12,
    );
  });

  it('re-sends exactly the window, with the original webhook-id, to that subscription only', async () => {
    const firstIds = new Map(
      receiver
        .at('/replay-a')
        .map((delivery) => [JSON.parse(delivery.body).trackingId, delivery.headers['webhook-id']]),
    );
    const answer = await api.post(`/v1/webhooks/${replayed}/replay`, {
      since: new Date(times[1]!).toISOString(),
      until: new Date(times[4]!).toISOString(),
    });
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({
      webhookId: replayed,
      kind: 'replay',
      status: 'all',
      queued: 3,
      state: 'finished',
    });

    await eventually('the replayed deliveries', () => receiver.at('/replay-a').length === 15);
    const again = receiver.at('/replay-a').slice(12);
    expect(trackingIds('/replay-a').slice(12)).toEqual(['trk_r_1', 'trk_r_2', 'trk_r_3']);
    for (const delivery of again) {
      verifyStandardWebhooks(delivery, SECRET);
      expect(delivery.headers['webhook-id']).toBe(firstIds.get(JSON.parse(delivery.body).trackingId));
    }
    // The delivery function counts each re-sent delivery as it settles.
    const status = await eventually('the replay counted as sent', async () => {
      const job = await api.get(`/v1/webhooks/${replayed}/replays/${answer.body.replayId}`);
      return job.body.sent === 3 ? job : undefined;
    });
    expect(status.body).toMatchObject({ state: 'finished', queued: 3, skipped: 0, sent: 3, failed: 0 });
    // The other subscription received the events once, and nothing from the replay.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(receiver.at('/replay-b')).toHaveLength(12);
  });

  it('runs one replay per subscription at a time (409), paced at the configured rate, idempotent on Idempotency-Key', async () => {
    const request = { since: new Date(times[0]!).toISOString() };
    const post = (key: string) =>
      fetch(`${local.apiUrl}/v1/webhooks/${replayed}/replay`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${KEY}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body: JSON.stringify(request),
      });
    const first = await post('replay-all-1');
    expect(first.status).toBe(202);
    const started = (await first.json()) as { replayId: string; queued: number; state: string };
    // One step queues 10 s of sending at 1 a second: the job goes on.
    expect(started).toMatchObject({ queued: 10, state: 'running' });

    const repeated = await post('replay-all-1');
    expect(repeated.status).toBe(202);
    expect(repeated.headers.get('idempotent-replayed')).toBe('true');
    expect(((await repeated.json()) as { replayId: string }).replayId).toBe(started.replayId);

    const concurrent = await post('replay-all-2');
    expect(concurrent.status).toBe(409);
    expect(((await concurrent.json()) as { error: { code: string } }).error.code).toBe('replay_running');

    const before = receiver.at('/replay-a').length;
    const startedAt = Date.now();
    await eventually(
      'the whole window replayed',
      async () => {
        const status = await api.get(`/v1/webhooks/${replayed}/replays/${started.replayId}`);
        return status.body.state === 'finished' && receiver.at('/replay-a').length === before + 12;
      },
      40_000,
    );
    // 12 deliveries at 1 a second take at least 11 s.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(((12 - 1) / RATE) * 1000 - 1_500);
    expect(trackingIds('/replay-a').slice(before).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `trk_r_${i}`).sort(),
    );
  }, 60_000);

  it('refuses a window outside the log’s retention, or reversed', async () => {
    const old = await api.post(`/v1/webhooks/${replayed}/replay`, { since: '2020-01-01T00:00:00Z' });
    expect(old.status).toBe(400);
    expect(old.body.error.code).toBe('window_outside_retention');
    const reversed = await api.post(`/v1/webhooks/${other}/replay`, {
      since: new Date(times[1]!).toISOString(),
      until: new Date(times[0]!).toISOString(),
    });
    expect(reversed.status).toBe(400);
    expect(reversed.body.error.code).toBe('invalid_window');
  });
});

describe('disable, park, catch up', () => {
  it('keeps the events of a disabled subscription and delivers each once, oldest first, when re-enabled with catchUp', async () => {
    const webhook = await subscribe('/parked');
    const disabled = await api.put(`/v1/webhooks/${webhook}`, { status: 'disabled' });
    expect(disabled.body.status).toBe('disabled');

    await sendEvents('p', 5);
    const parked = await eventually('five parked deliveries', async () => {
      const page = await api.get(`/v1/webhooks/${webhook}/logs?status=parked`);
      return page.body.items.length === 5 ? page.body.items : undefined;
    });
    expect((await api.get(`/v1/webhooks/${webhook}/parked`)).body).toEqual({ parked: 5 });
    expect(receiver.at('/parked')).toHaveLength(0);

    const enabled = await api.put(`/v1/webhooks/${webhook}`, { status: 'active', catchUp: true });
    expect(enabled.status).toBe(200);
    expect(enabled.body).toMatchObject({
      status: 'active',
      catchUp: { kind: 'catch-up', status: 'parked', total: 5, queued: 5, state: 'finished' },
    });
    await eventually('the caught-up deliveries', () => receiver.at('/parked').length >= 5, 20_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // Exactly once each, oldest first (1 a second), with the ids the log shows.
    expect(trackingIds('/parked')).toEqual(['trk_p_0', 'trk_p_1', 'trk_p_2', 'trk_p_3', 'trk_p_4']);
    expect(
      receiver
        .at('/parked')
        .map((delivery) => delivery.headers['webhook-id'])
        .sort(),
    ).toEqual(parked.map((item: { deliveryId: string }) => item.deliveryId).sort());
    expect((await api.get(`/v1/webhooks/${webhook}/parked`)).body).toEqual({ parked: 0 });
    const logs = await api.get(`/v1/webhooks/${webhook}/logs`);
    expect(logs.body.items.map((item: { status: string }) => item.status)).toEqual(
      new Array(5).fill('succeeded'),
    );

    // Every change, newest first, in the webhook's activity feed.
    const activity = await api.get(`/v1/webhooks/${webhook}/activity`);
    expect(activity.status).toBe(200);
    const replayId = enabled.body.catchUp.replayId as string;
    expect(activity.body.items).toEqual([
      expect.objectContaining({ type: 'Replay Finished', replayId, kind: 'catch-up', queued: 5, skipped: 0 }),
      expect.objectContaining({
        type: 'Replay Started',
        replayId,
        kind: 'catch-up',
        status: 'parked',
        total: 5,
      }),
      expect.objectContaining({
        type: 'Subscription Re-enabled',
        webhookId: webhook,
        by: 'api',
        parked: 5,
        catchUp: true,
      }),
      expect.objectContaining({
        type: 'Deliveries Parked',
        parked: 5,
        disabledAt: disabled.body.disabledAt,
        lastParkedAt: expect.any(String),
      }),
      expect.objectContaining({
        type: 'Subscription Disabled',
        by: 'api',
        reason: 'disabled through the API',
        at: disabled.body.disabledAt,
      }),
    ]);
    expect(activity.body.nextCursor).toBeUndefined();
    for (const entry of activity.body.items) expect(entry).not.toHaveProperty('tenantId');

    // Paged by `limit` and `cursor`, without gaps or repeats.
    const first = await api.get(`/v1/webhooks/${webhook}/activity?limit=2`);
    expect(first.body.items).toEqual(activity.body.items.slice(0, 2));
    const second = await api.get(
      `/v1/webhooks/${webhook}/activity?limit=2&cursor=${first.body.nextCursor as string}`,
    );
    expect(second.body.items).toEqual(activity.body.items.slice(2, 4));
    const third = await api.get(
      `/v1/webhooks/${webhook}/activity?limit=2&cursor=${second.body.nextCursor as string}`,
    );
    expect(third.body.items).toEqual(activity.body.items.slice(4));
    expect(third.body.nextCursor).toBeUndefined();

    // Another tenant cannot read it: its own partition has no such webhook.
    const other = apiClient(local.apiUrl, OTHER_TENANT_KEY);
    const foreign = await other.get(`/v1/webhooks/${webhook}/activity`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('not_found');
    expect(JSON.stringify(foreign.body)).not.toContain('Subscription');
    // The catch-up is the subscription's latest job, with every delivery sent.
    const jobs = await eventually('the catch-up counted as sent', async () => {
      const page = await api.get(`/v1/webhooks/${webhook}/replays`);
      return page.body.items[0]?.sent === 5 ? page.body : undefined;
    });
    expect(jobs).toEqual({
      items: [
        expect.objectContaining({
          replayId: enabled.body.catchUp.replayId,
          kind: 'catch-up',
          total: 5,
          queued: 5,
          sent: 5,
          failed: 0,
          state: 'finished',
        }),
      ],
    });
  }, 40_000);

  it('disables an endpoint that fails every attempt for the configured window, parks what follows, and catches up once it works', async () => {
    const webhook = await subscribe('/failing');
    receiver.answer('/failing', [500]);
    // Attempts at about 0, 1, 3 and 6 s (RETRY_SCHEDULE 1,2,3, plus the pollers' latency): the second
    // or third fails 2 s after the first, and disables; the retry left after it is parked.
    await sendEvents('f', 1);
    const disabled = await eventually(
      'the system disabling the subscription',
      async () => {
        const { body } = await api.get(`/v1/webhooks/${webhook}`);
        return body.status === 'disabled' ? body : undefined;
      },
      15_000,
    );
    expect(disabled.disabledReason).toBe('the endpoint failed every attempt for 2 seconds');
    const attempted = receiver.at('/failing').length;
    expect(attempted).toBeGreaterThanOrEqual(2);
    expect(attempted).toBeLessThanOrEqual(3);

    // Its last retry, and a later event, are parked, not attempted.
    await sendEvents('g', 1);
    await eventually(
      'two parked deliveries',
      async () => (await api.get(`/v1/webhooks/${webhook}/parked`)).body.parked === 2,
      15_000,
    );
    expect(receiver.at('/failing')).toHaveLength(attempted);
    const activity = await api.get(`/v1/webhooks/${webhook}/activity`);
    expect(activity.body.items).toEqual([
      expect.objectContaining({ type: 'Deliveries Parked', parked: 2, disabledAt: disabled.disabledAt }),
      expect.objectContaining({
        type: 'Subscription Disabled',
        by: 'system',
        reason: disabled.disabledReason,
        at: disabled.disabledAt,
      }),
    ]);

    // Fixed and re-enabled: the old run of failures does not disable it again; both arrive once.
    receiver.answer('/failing', [200]);
    const enabled = await api.put(`/v1/webhooks/${webhook}`, { status: 'active', catchUp: true });
    expect(enabled.body).toMatchObject({ status: 'active', catchUp: { total: 2, queued: 2 } });
    await eventually(
      'the caught-up deliveries',
      () => receiver.at('/failing').length === attempted + 2,
      15_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(trackingIds('/failing')).toEqual([...new Array(attempted + 1).fill('trk_f_0'), 'trk_g_0']);
    expect((await api.get(`/v1/webhooks/${webhook}`)).body.status).toBe('active');
  }, 40_000);

  it('lists a subscription’s replays newest first, a page at a time', async () => {
    const webhook = await subscribe('/listed');
    await sendEvents('l', 1);
    await eventually('the delivery', () => receiver.at('/listed').length === 1);
    const since = new Date(Date.now() - 60_000).toISOString();
    const first = await api.post(`/v1/webhooks/${webhook}/replay`, { since });
    await eventually('the first replay finished', async () => {
      const job = await api.get(`/v1/webhooks/${webhook}/replays/${first.body.replayId}`);
      return job.body.state === 'finished';
    });
    const second = await api.post(`/v1/webhooks/${webhook}/replay`, { since, status: 'failed' });
    expect(second.status).toBe(202);
    const page = await api.get(`/v1/webhooks/${webhook}/replays?limit=1`);
    expect(page.body.items.map((job: { replayId: string }) => job.replayId)).toEqual([second.body.replayId]);
    const next = await api.get(`/v1/webhooks/${webhook}/replays?limit=1&cursor=${page.body.nextCursor}`);
    expect(next.body.items.map((job: { replayId: string }) => job.replayId)).toEqual([first.body.replayId]);
    const bad = await api.get(`/v1/webhooks/${webhook}/replays?cursor=nope`);
    expect(bad.status).toBe(400);
  });

  it('refuses catchUp without re-enabling', async () => {
    const webhook = await subscribe('/parked-2');
    const answer = await api.put(`/v1/webhooks/${webhook}`, { catchUp: true });
    expect(answer.status).toBe(400);
  });
});
