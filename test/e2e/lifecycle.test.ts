/**
 * Endpoint lifecycle, end to end over HTTP on the local mode with a real receiver: a replay of a time
 * window, and a disabled subscription's events parked and caught up on re-enable, at the configured
 * rate (1 a second here, so the order and the pacing can be seen).
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
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const GENERIC_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const RATE = 1;

let local: LocalStack;
let receiver: Receiver;
let api: ApiClient;
let inboundUrl: string;

beforeAll(async () => {
  receiver = await startReceiver();
  local = await startLocal({
    port: 0,
    apiKeys: [KEY],
    settings: { ...process.env, RETRY_SCHEDULE: '1,2,3', ALLOW_PRIVATE_TARGETS: 'true' },
    config: { catchUpRatePerSecond: RATE },
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
    const status = await api.get(`/v1/webhooks/${replayed}/replays/${answer.body.replayId}`);
    expect(status.body).toMatchObject({ state: 'finished', queued: 3, skipped: 0 });
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
  }, 40_000);

  it('refuses catchUp without re-enabling', async () => {
    const webhook = await subscribe('/parked-2');
    const answer = await api.put(`/v1/webhooks/${webhook}`, { catchUp: true });
    expect(answer.status).toBe(400);
  });
});
