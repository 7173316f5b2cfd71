/**
 * Issue 12 regressions, one or more per class, end to end: the local mode (the real handlers on the
 * emulators, the local bus and pollers) driven over HTTP, and a real receiver on 127.0.0.1.
 */
import { Webhook } from 'standardwebhooks';
import {
  eventually,
  genericIntegration,
  INTEGRATION_SECRET,
  startE2E,
  verifyStandardWebhooks,
  type ApiResponse,
  type E2E,
  type GenericEvent,
} from './support/harness';

let e2e: E2E;
let inboundUrl: string;

beforeAll(async () => {
  e2e = await startE2E({ retrySchedule: [1, 1, 1] });
  inboundUrl = await genericIntegration(e2e);
});
afterAll(async () => {
  await e2e?.stop();
});

/** A subscription of the first tenant receiving at `path` on the receiver; returns its secret. */
async function subscribe(path: string, events = ['PUSH_FAILED']): Promise<string> {
  const created = await e2e.call('POST', '/v1/webhooks', { url: `${e2e.receiver.url}${path}`, events });
  expect(created.status).toBe(201);
  return created.body.secret as string;
}

/** POSTs a body to the inbound URL signed with the integration's secret, with extra headers or a query. */
async function post(
  body: string,
  options: { headers?: Record<string, string>; query?: string; timestamp?: string } = {},
): Promise<ApiResponse> {
  const id = `msg_${Math.random().toString(36).slice(2)}`;
  const now = new Date();
  const timestamp = options.timestamp ?? String(Math.floor(now.getTime() / 1000));
  const signature = new Webhook(INTEGRATION_SECRET).sign(
    id,
    new Date(Number.parseInt(timestamp.trim(), 10) * 1000),
    body,
  );
  const response = await fetch(`${inboundUrl}${options.query ? `?${options.query}` : ''}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': timestamp,
      'webhook-signature': signature,
      ...options.headers,
    },
    body,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

let n = 0;
const event = (extra: Partial<GenericEvent> & Record<string, unknown> = {}): GenericEvent => ({
  id: `pe_hostile_${++n}`,
  status: 'FAILED',
  channel: 'PUSH',
  trackingId: `trk_${n}`,
  ...extra,
});

/** Waits until the path received `count` deliveries, then a little more, and returns them all. */
async function receivedAt(path: string, count: number) {
  await eventually(`${count} deliveries at ${path}`, () =>
    e2e.receiver.received(path).length >= count ? true : undefined,
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  return e2e.receiver.received(path);
}

describe('1. characters the queues refuse', () => {
  it('delivers an event whose text holds them, each replaced with U+FFFD; emoji arrive as sent', async () => {
    const secret = await subscribe('/chars');
    const sent = event({
      trackingId: 'trk_😀_\u{10FFFF}',
      reason: 'a\uFFFFb\uFFFEc\uD800d\u0001e\tf',
      userId: 'usr_\uDC00',
    });
    const answer = await post(JSON.stringify(sent));
    expect(answer.status).toBe(200);

    const [delivery] = await receivedAt('/chars', 1);
    const payload = verifyStandardWebhooks(delivery!, secret) as Record<string, string>;
    expect(payload.trackingId).toBe('trk_😀_\u{10FFFF}');
    expect(payload.reason).toBe('a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\tf');
    expect(payload.userId).toBe('usr_\uFFFD');
  });
});

describe('2. size limits', () => {
  it('publishes ten 30 KB events of one request in calls EventBridge takes, and delivers all ten', async () => {
    await subscribe('/sizes');
    const events = Array.from({ length: 10 }, () => event({ reason: 'r'.repeat(30_000) }));
    const answer = await post(JSON.stringify(events));
    expect(answer.status).toBe(200);
    expect(await receivedAt('/sizes', 10)).toHaveLength(10);
  });

  it('refuses an event that cannot fit with 413 and a reason, publishing nothing of its request', async () => {
    await subscribe('/too-big');
    const answer = await post(JSON.stringify([event(), event({ reason: 'r'.repeat(300_000) })]));
    expect(answer.status).toBe(413);
    expect(answer.body.error).toMatchObject({
      code: 'event_too_large',
      message: expect.stringMatching(/event 1/),
    });
    // The request's other event was not published either: a later good event is the only delivery.
    expect((await post(JSON.stringify(event()))).status).toBe(200);
    expect(await receivedAt('/too-big', 1)).toHaveLength(1);
  });
});

describe('3. values a store or parser rejects', () => {
  it.each([
    ['an occurredAt beyond any date', { occurredAt: '99999999999999999' }, /occurredAt/],
    ['an occurredAt that is no date', { occurredAt: '2025-13-45T99:99:99Z' }, /occurredAt/],
    ['an id longer than any key', { id: 'x'.repeat(3000) }, /id/],
  ])('answers %s with 400 naming the field', async (_name, extra, field) => {
    const answer = await post(JSON.stringify(event(extra)));
    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toMatch(field);
  });

  it.each([
    ['/v1/webhooks/%ZZ', '/v1/webhooks/%ZZ', 'path.id'],
    ['a 3,000-character id', `/v1/webhooks/${'a'.repeat(3000)}`, 'path.id'],
    ['a broken escape', '/v1/webhooks/wh_1/deliveries/%E0%A4%A/retry', 'path.deliveryId'],
    ['an id with a NUL', '/v1/integrations/int%00x', 'path.id'],
  ])('answers %s in the path with 400 naming the parameter', async (_name, path, field) => {
    const method = path.endsWith('/retry') ? 'POST' : 'GET';
    const answer = await e2e.call(method, path);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('validation_error');
    expect(answer.body.error.details.problems[0].field).toBe(field);
  });

  it('answers an inbound URL naming no possible integration with 404', async () => {
    const response = await fetch(`${e2e.local.apiUrl}/v1/inbound/${'i'.repeat(3000)}`, {
      method: 'POST',
      body: '{}',
    });
    expect(response.status).toBe(404);
  });
});

describe('4. subscription settings that would only fail at delivery time', () => {
  it.each([
    [{ 'X-Note': 'café ✓' }, 'headers.X-Note'],
    [{ 'X-Note': 'a\r\nInjected: 1' }, 'headers.X-Note'],
    [{ constructor: 'x' }, 'headers.constructor'],
    [{ Host: 'evil.example' }, 'headers.Host'],
    [{ 'Content-Length': '1' }, 'headers.Content-Length'],
    [{ 'X-Webhook-Signature': 'sha256=0' }, 'headers.X-Webhook-Signature'],
    [{ 'Bad Name': 'x' }, 'headers.Bad Name'],
  ])('refuses headers %j at create and update, naming %s', async (headers, field) => {
    const url = `${e2e.receiver.url}/settings`;
    const created = await e2e.call('POST', '/v1/webhooks', { url, events: ['PUSH_FAILED'], headers });
    expect(created.status).toBe(400);
    expect(created.body.error.details.problems.map((p: { field: string }) => p.field)).toContain(field);
    const ok = await e2e.call('POST', '/v1/webhooks', { url, events: ['PUSH_FAILED'] });
    const updated = await e2e.call('PUT', `/v1/webhooks/${ok.body.id}`, { headers });
    expect(updated.status).toBe(400);
    expect(updated.body.error.details.problems.map((p: { field: string }) => p.field)).toContain(field);
    await e2e.call('DELETE', `/v1/webhooks/${ok.body.id}`);
  });

  it('refuses a __proto__ key instead of dropping it', async () => {
    const response = await fetch(`${e2e.local.apiUrl}/v1/webhooks`, {
      method: 'POST',
      headers: {
        authorization: `Bearer er_live_e2e_tenant_one_0123456789abcdef`,
        'content-type': 'application/json',
      },
      body: `{"url":"${e2e.receiver.url}/x","events":["PUSH_FAILED"],"headers":{"__proto__":"x"}}`,
    });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { error: { details: { problems: { field: string }[] } } };
    expect(answer.error.details.problems[0]!.field).toBe('body.headers.__proto__');
  });

  it('accepts Latin-1 header values, which arrive as sent', async () => {
    const created = await e2e.call('POST', '/v1/webhooks', {
      url: `${e2e.receiver.url}/latin1`,
      events: ['PUSH_FAILED'],
      headers: { 'X-Note': 'café' },
    });
    expect(created.status).toBe(201);
    expect((await post(JSON.stringify(event()))).status).toBe(200);
    const [delivery] = await receivedAt('/latin1', 1);
    expect(Buffer.from(String(delivery!.headers['x-note']), 'latin1').toString('latin1')).toBe('café');
  });
});

describe('7. dedupe on what identifies an event', () => {
  it('delivers a generic event sent again with another occurredAt once', async () => {
    await subscribe('/dedupe');
    const first = event({ occurredAt: '2025-05-01T10:00:00.000Z' });
    expect((await post(JSON.stringify(first))).status).toBe(200);
    await receivedAt('/dedupe', 1);
    expect((await post(JSON.stringify({ ...first, occurredAt: '2025-05-01T10:00:09.000Z' }))).status).toBe(
      200,
    );
    expect((await post(JSON.stringify({ ...first, occurredAt: undefined }))).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(e2e.receiver.received('/dedupe')).toHaveLength(1);
  });
});

describe('8. edges that answered oddly', () => {
  it.each([
    ['text/plain', { 'content-type': 'text/plain' }],
    ['form data', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['no content type', { 'content-type': '' }],
  ])('answers a generic event sent as %s with 415', async (_name, headers) => {
    const answer = await post(JSON.stringify(event()), { headers });
    expect(answer.status).toBe(415);
    expect(answer.body.error.code).toBe('unsupported_media_type');
  });

  // (A leading space never survives HTTP, whose parser strips it: test/providers/timestamps.test.ts.)
  it.each(['.5', '+', 'e0'])('refuses a webhook-timestamp with %j added', async (extra) => {
    const seconds = String(Math.floor(Date.now() / 1000));
    const timestamp = extra === '+' ? `+${seconds}` : `${seconds}${extra}`;
    const answer = await post(JSON.stringify(event()), { timestamp });
    expect(answer.status).toBe(401);
  });

  it.each(['whsec_\u0000abc', 'whsec_abc\r\ndef', 'whsec_c2hvcnQ=', 'not base64 at all!'])(
    'refuses a generic integration secret %j with 400',
    async (secret) => {
      const created = await e2e.call('POST', '/v1/integrations', {
        provider: 'generic',
        credentials: { secret },
      });
      expect(created.status).toBe(400);
      expect(created.body.error.details.problems[0].field).toBe('credentials.secret');
    },
  );
});

describe("seed 002's inbound contract", () => {
  it('answers a repeat with the same idempotency-key with the first answer and publishes nothing', async () => {
    await subscribe('/idempotent');
    const body = JSON.stringify(event());
    const headers = { 'idempotency-key': `key-${Math.random()}` };
    const first = await post(body, { headers });
    expect(first.status).toBe(200);
    const repeat = await post(body, { headers });
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    const reused = await post(JSON.stringify(event()), { headers });
    expect(reused.status).toBe(422);
    expect(reused.body.error.code).toBe('idempotency_key_reused');
    await receivedAt('/idempotent', 1);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(e2e.receiver.received('/idempotent')).toHaveLength(1);
  });

  it('adds each event’s raw content as row with ?include=row, bounded; refuses what it cannot include', async () => {
    const small = event();
    const big = event({ reason: 'r'.repeat(10_000) });
    const answer = await post(JSON.stringify([small, big]), { query: 'include=row' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body[0].event.row)).toEqual(small);
    expect(answer.body[1].event.row).toHaveLength(2048);
    const plain = await post(JSON.stringify(event()));
    expect(plain.body[0].event.row).toBeUndefined();
    const unknown = await post(JSON.stringify(event()), { query: 'include=secrets' });
    expect(unknown.status).toBe(400);
  });
});
