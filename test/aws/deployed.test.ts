/**
 * The parity run's smoke test, against the stack `cdk deploy` put into MiniStack (test/aws/run.sh):
 * only HTTP to the deployed API, the operator commands with `--outputs`, and a real receiver on
 * 127.0.0.1. Run it with `npm run test:aws`, never alone.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import {
  apiClient,
  eventually,
  genericRequest,
  messagesIn,
  postInbound,
  seedSignatureValid,
  startReceiver,
  verifyStandardWebhooks,
  type ApiClient,
  type Receiver,
} from '../e2e/support';
import { twilioRequest } from '../e2e/provider-requests';
import { OUTPUTS_FILE, STACK_NAME } from './deploy';

const exec = promisify(execFile);
const GENERIC_SECRET = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';
const SUBSCRIPTION_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
/** Four attempts at 1, 2 and 3 s apart, each after a visibility timeout: well within a minute. */
const RETRIES_TIMEOUT_MS = 90_000;

const endpoint = process.env.AWS_ENDPOINT_URL;
if (!endpoint) throw new Error('AWS_ENDPOINT_URL is not set: run this suite with `npm run test:aws`');
const outputs = (JSON.parse(readFileSync(OUTPUTS_FILE, 'utf8')) as Record<string, Record<string, string>>)[
  STACK_NAME
]!;

/**
 * Workaround "gateway address": the deployed ApiUrl is `https://<apiId>.execute-api.localhost:<port>`,
 * a name that does not resolve here; MiniStack serves the same API under
 * `<endpoint>/_aws/execute-api/<apiId>`. Every URL the stack hands out is reached through that.
 */
const apiHost = new URL(outputs.ApiUrl!).hostname;
const apiId = apiHost.split('.')[0]!;
const reachableApi = `${endpoint}/_aws/execute-api/${apiId}`;
function reachable(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname !== apiHost) throw new Error(`${url} is not on the deployed API`);
  return `${reachableApi}${parsed.pathname}${parsed.search}`;
}

let receiver: Receiver;
let sqs: SQSClient;
let api: ApiClient;

/** `npm run <script> -- <args> --outputs <file>`, as an operator runs it against a deployed stack. */
async function operator(script: string, ...args: string[]): Promise<string> {
  const { stdout, stderr } = await exec(
    'npm',
    ['run', '-s', script, '--', ...args, '--outputs', OUTPUTS_FILE],
    {
      env: process.env,
    },
  );
  return `${stdout}${stderr}`;
}

beforeAll(async () => {
  receiver = await startReceiver();
  sqs = new SQSClient({ endpoint });
  const created = await operator('tenant', 'create', 'Parity run');
  const key = /api key \S+: (\S+)/.exec(created)?.[1];
  if (!key) throw new Error(`no API key in:\n${created}`);
  api = apiClient(reachableApi, key);
});

afterAll(async () => {
  sqs?.destroy();
  await receiver?.close();
});

async function subscribe(path: string, events: string[]) {
  const created = await api.post('/v1/webhooks', {
    url: `${receiver.url}${path}`,
    events,
    secret: SUBSCRIPTION_SECRET,
  });
  expect(created.status).toBe(201);
  return created.body as { id: string; secret: string };
}

async function integrate(
  provider = 'generic',
  credentials: Record<string, string> = { secret: GENERIC_SECRET },
) {
  const created = await api.post('/v1/integrations', { provider, credentials });
  expect(created.status).toBe(201);
  const body = created.body as { id: string; inboundUrl: string };
  // The address a provider is given is the API's own host, as on AWS.
  expect(body.inboundUrl).toBe(`https://${apiHost}/v1/inbound/${body.id}`);
  return body;
}

async function post(inboundUrl: string, id: string, status: string) {
  const { body, headers } = genericRequest(GENERIC_SECRET, [
    { id, status, channel: 'EMAIL', trackingId: `trk_${id}` },
  ]);
  const posted = await postInbound(reachable(inboundUrl), body, headers);
  expect(posted.status).toBe(200);
}

interface LogEntry {
  deliveryId: string;
  status: string;
  attempts: { statusCode?: number }[];
}

async function logs(webhookId: string): Promise<LogEntry[]> {
  const response = await api.get(`/v1/webhooks/${webhookId}/logs`);
  expect(response.status).toBe(200);
  return response.body.items as LogEntry[];
}

describe('the deployed API', () => {
  it('refuses a missing or unknown API key through the deployed authorizer', async () => {
    expect((await fetch(`${reachableApi}/v1/webhooks`)).status).toBe(401);
    expect((await apiClient(reachableApi, 'er_live_not_a_key').get('/v1/webhooks')).status).toBe(401);
    expect((await api.get('/v1/webhooks')).status).toBe(200);
  });
});

describe('the tenant portal', () => {
  it('mints a single-use link whose page the deployed static function serves, and whose code opens a read-only session', async () => {
    const minted = await api.post('/v1/portal/sessions', { capabilities: ['read'] });
    expect(minted.status).toBe(201);
    const link = new URL(minted.body.url as string);
    expect(`${link.protocol}//${link.host}`).toBe(`https://${apiHost}`);
    const code = new URLSearchParams(link.hash.slice(1)).get('code')!;

    const page = await fetch(reachable(`${link.origin}${link.pathname}`));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(await page.text()).toMatch(/<script[^>]+src=/);

    const exchange = () =>
      fetch(`${reachableApi}/v1/portal/sessions/exchange`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code }),
      });
    const first = await exchange();
    expect(first.status).toBe(200);
    const { token } = (await first.json()) as { token: string };
    expect((await exchange()).status).toBe(410);

    const session = apiClient(reachableApi, token);
    expect((await session.get('/v1/webhooks')).status).toBe(200);
    expect(
      (await session.post('/v1/webhooks', { url: `${receiver.url}/x`, events: ['EMAIL_OPEN'] })).status,
    ).toBe(403);
  });
});

describe('a signed provider event, end to end', () => {
  it('is delivered with both signatures valid, and the log says succeeded', async () => {
    const webhook = await subscribe('/ok', ['EMAIL_OPEN']);
    const integration = await integrate();
    await post(integration.inboundUrl, 'parity-open-1', 'OPEN');

    const [delivery] = await eventually(
      'the delivery',
      () => receiver.at('/ok').length > 0 && receiver.at('/ok'),
    );
    expect(JSON.parse(delivery!.body)).toMatchObject({
      eventType: 'OPEN',
      channel: 'EMAIL',
      trackingId: 'trk_parity-open-1',
      provider: 'generic',
    });
    expect(verifyStandardWebhooks(delivery!, webhook.secret)).toBeTruthy();
    expect(seedSignatureValid(delivery!, webhook.secret)).toBe(true);

    const [entry] = await eventually('the log to say succeeded', async () => {
      const items = await logs(webhook.id);
      return items[0]?.status === 'succeeded' && items;
    });
    expect(entry!.deliveryId).toBe(delivery!.headers['webhook-id']);
    expect(entry!.attempts.map((attempt) => attempt.statusCode)).toEqual([200]);
  });
});

describe('a form-encoded provider callback', () => {
  it('reaches the inbound function base64-encoded, as API Gateway passes it, and is verified over the public URL', async () => {
    const authToken = 'twilio-auth-token-0123456789';
    await subscribe('/sms', ['SMS_FAILED']);
    const integration = await integrate('twilio', { authToken });
    const fixture = JSON.parse(
      readFileSync(join(__dirname, '../fixtures/providers/twilio/sms-undelivered.json'), 'utf8'),
    ) as { query: string; params: Record<string, string> };
    const request = twilioRequest(
      integration.inboundUrl,
      authToken,
      Object.fromEntries(new URLSearchParams(fixture.query)),
      fixture.params,
    );
    const posted = await postInbound(reachable(request.url), request.body, request.headers);
    expect(posted.status).toBe(200);

    const [delivery] = await eventually(
      'the delivery',
      () => receiver.at('/sms').length > 0 && receiver.at('/sms'),
    );
    expect(JSON.parse(delivery!.body)).toMatchObject({
      eventType: 'SMS_FAILED',
      channel: 'SMS',
      trackingId: 'trk_tw',
      provider: 'twilio',
    });
  });
});

describe('a failing receiver', () => {
  it('gets four attempts, the message goes to the dead-letter queue, and redrive brings it back', async () => {
    receiver.answer('/down', [500]);
    const webhook = await subscribe('/down', ['EMAIL_CLICK']);
    const integration = await integrate();
    await post(integration.inboundUrl, 'parity-click-1', 'CLICK');

    let seen: LogEntry[] = [];
    const [entry] = await eventually(
      'the delivery to fail',
      async () => {
        seen = await logs(webhook.id);
        return seen[0]?.status === 'failed' && seen;
      },
      RETRIES_TIMEOUT_MS,
    ).catch((error: Error) => {
      const attempts = receiver.at('/down').map((delivery) => delivery.answered);
      throw new Error(
        `${error.message}; log ${JSON.stringify(seen)}; receiver answered ${JSON.stringify(attempts)}`,
      );
    });
    expect(entry!.attempts.map((attempt) => attempt.statusCode)).toEqual([500, 500, 500, 500]);
    expect(receiver.at('/down')).toHaveLength(4);
    const deadLetterQueues = JSON.parse(outputs.DeadLetterQueueUrls!) as Record<string, string>;
    await eventually(
      'the message in the dead-letter queue',
      async () => (await messagesIn(sqs, deadLetterQueues.CLICK!)) === 1,
      RETRIES_TIMEOUT_MS,
    );

    receiver.answer('/down', [200]);
    expect(await operator('redrive', 'CLICK')).toMatch(/CLICK: 1 moved back/);
    await eventually(
      'the redriven delivery to succeed',
      async () => (await logs(webhook.id))[0]?.status === 'succeeded',
      RETRIES_TIMEOUT_MS,
    );
    expect(receiver.at('/down').at(-1)!.answered).toBe(200);
    expect(new Set(receiver.at('/down').map((delivery) => delivery.headers['webhook-id'])).size).toBe(1);
    expect(await messagesIn(sqs, deadLetterQueues.CLICK!)).toBe(0);
  });
});
