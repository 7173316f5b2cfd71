/**
 * Figure 3, normalization throughput: inbound events per second through the provider modules' verify +
 * parse + normalize (no I/O: the SNS certificate comes from memory, as it does from the inbound
 * function's cache once warm), for a signed 1,000-event SendGrid batch and single signed SES (SNS) and
 * Twilio requests, against `JSON.parse` + `JSON.stringify` of the same bytes. The requests are signed
 * the way the providers sign them (test/providers/*.test.ts): SendGrid ECDSA P-256 over timestamp +
 * body, SNS RSA-SHA256 with a self-signed certificate, Twilio HMAC-SHA1 over URL + sorted parameters.
 */
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sendgrid } from '../lambdas/providers/sendgrid';
import { ses } from '../lambdas/providers/ses';
import { twilio, twilioSignedString } from '../lambdas/providers/twilio';
import type { InboundRequest, ProviderContext, ProviderModule } from '../lambdas/providers/types';
import { createSnsSigner } from '../test/providers/sns-signer';
import { compare, type FigureResult, type Target } from './lib/figure';
import { alternatingRates } from './lib/measure';

const BATCH_SIZE = 1_000;
const FIXTURES = path.join(__dirname, '../test/fixtures/providers');
const INBOUND_URL = 'https://relay.example.test/v1/inbound/int_bench';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const fixture = (provider: string, name: string): any =>
  JSON.parse(readFileSync(path.join(FIXTURES, provider, name), 'utf8'));

export interface Case {
  name: string;
  module: ProviderModule;
  credentials: unknown;
  request: InboundRequest;
  /** Events per request. */
  events: number;
  /** What the baseline parses and serializes: the body, or the same content as JSON for a form body. */
  baselineJson: string;
  target?: Target;
}

/** Signed SendGrid batch: the fixture's open/click/bounce/deferred events repeated, each with its own id. */
function sendgridCase(now: Date): Case {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const templates = fixture('sendgrid', 'events.json').body as Record<string, unknown>[];
  const events = Array.from({ length: BATCH_SIZE }, (_, index) => ({
    ...templates[index % templates.length],
    sg_event_id: `sg_bench_${index}`,
  }));
  const body = JSON.stringify(events);
  const timestamp = String(Math.floor(now.getTime() / 1000));
  return {
    name: `SendGrid batch of ${BATCH_SIZE.toLocaleString('en-US')} events`,
    module: sendgrid,
    credentials: { verificationKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') },
    request: inboundRequest(body, now, {
      'x-twilio-email-event-webhook-timestamp': timestamp,
      'x-twilio-email-event-webhook-signature': sign(
        'sha256',
        Buffer.from(timestamp + body),
        privateKey,
      ).toString('base64'),
    }),
    events: events.length,
    baselineJson: body,
    target: { minRatio: 0.25 },
  };
}

/** One SES Open record in a signed SNS notification (SignatureVersion 2, RSA-SHA256). */
function sesCase(
  now: Date,
  certificatePem: string,
  message: string,
): { case: Case; context: ProviderContext } {
  const context: ProviderContext = {
    snsCertificate: async () => certificatePem,
    confirmSubscription: async () => undefined,
    log: () => undefined,
  };
  return {
    case: {
      name: 'SES (SNS notification, 1 event)',
      module: ses,
      credentials: {},
      request: inboundRequest(message, now, { 'content-type': 'text/plain; charset=UTF-8' }),
      events: 1,
      baselineJson: message,
    },
    context,
  };
}

/** One Twilio SMS status callback, form-encoded, with the platform's ids in the callback URL's query. */
function twilioCase(now: Date): Case {
  const authToken = 'bench_twilio_auth_token_0123456789';
  const { query, params } = fixture('twilio', 'sms-undelivered.json') as {
    query: string;
    params: Record<string, string>;
  };
  const url = `${INBOUND_URL}?${query}`;
  const body = new URLSearchParams(params).toString();
  const signature = createHmac('sha1', authToken).update(twilioSignedString(url, params)).digest('base64');
  const request = inboundRequest(body, now, {
    'content-type': 'application/x-www-form-urlencoded',
    'x-twilio-signature': signature,
  });
  request.url = url;
  request.query = Object.fromEntries(new URLSearchParams(query));
  return {
    name: 'Twilio (SMS status callback, 1 event)',
    module: twilio,
    credentials: { authToken },
    request,
    events: 1,
    baselineJson: JSON.stringify(params),
  };
}

function inboundRequest(body: string, now: Date, headers: Record<string, string>): InboundRequest {
  return { rawBody: Buffer.from(body, 'utf8'), headers, url: INBOUND_URL, query: {}, now };
}

/** verify + parse + normalize of one request; awaits only what is asynchronous (the SES verify). */
export function ingestStep(entry: Case, context: ProviderContext | undefined): () => unknown {
  const { module, credentials, request } = entry;
  const normalizeAll = () => {
    const results = module.parse(request).map((event) => module.normalize(event));
    if (results.length !== entry.events)
      throw new Error(`${entry.name}: ${results.length} events normalized`);
    return results;
  };
  return () => {
    const verified = module.verify(request, credentials, context);
    return verified instanceof Promise ? verified.then(normalizeAll) : normalizeAll();
  };
}

export interface BenchCase {
  entry: Case;
  context?: ProviderContext;
}

/** The three signed requests of the figure; `cleanup` removes the SNS signer's temporary certificate. */
export function benchCases(now = new Date()): { cases: BenchCase[]; cleanup(): void } {
  const signer = createSnsSigner();
  const sesMessage = signer.message({
    Message: JSON.stringify(fixture('ses', 'open.json').record),
    Timestamp: now.toISOString(),
  });
  const sesEntry = sesCase(now, signer.certificatePem, sesMessage);
  return {
    cases: [
      { entry: sendgridCase(now) },
      { entry: sesEntry.case, context: sesEntry.context },
      { entry: twilioCase(now) },
    ],
    cleanup: () => signer.cleanup(),
  };
}

export async function run(): Promise<FigureResult[]> {
  const { cases, cleanup } = benchCases();
  try {
    const results: FigureResult[] = [];
    for (const { entry, context } of cases) {
      const step = ingestStep(entry, context);
      await step(); // a wrong signature or an unparseable body fails here, before any timing
      const bytes = entry.request.rawBody;
      const json = Buffer.from(entry.baselineJson, 'utf8');
      const baseline = () => JSON.stringify(JSON.parse(json.toString('utf8')));
      const { value, baseline: base } = await alternatingRates(step, baseline, entry.events);
      const result = compare(
        '3',
        `Normalization, ${entry.name}: verify + parse + normalize`,
        { value, unit: 'events/s' },
        { name: 'JSON.parse + JSON.stringify', value: base, unit: 'events/s' },
        entry.target,
      );
      result.notes = [
        json.equals(bytes)
          ? `${bytes.length.toLocaleString('en-US')}-byte body`
          : `${bytes.length.toLocaleString('en-US')}-byte form body; JSON.parse cannot read form encoding, so the baseline parses the same parameters as ${json.length}-byte JSON`,
      ];
      results.push(result);
    }
    results[0]!.notes!.push(
      'SendGrid verifies one ECDSA P-256 signature per request and parses with lossless-json (exact big numbers); the per-event cost is parse + normalize',
    );
    return results;
  } finally {
    cleanup();
  }
}
