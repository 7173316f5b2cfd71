/**
 * The process that runs the delivery code for figures 1 and 6: the real delivery handler (or its send
 * path alone, or the bare baseline loop) against the receiver process, one batch of 10 at a time.
 *
 * The environment is the deployed function's (log level INFO, EMF metrics on), and its stdout goes to
 * /dev/null: the bytes it writes are counted, which is the CloudWatch Logs volume the cost model uses.
 * DynamoDB is dynalite, in this process (throughput) or the parent's (memory, so the emulator's stored
 * records do not count as the handler's memory).
 */
import http from 'node:http';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { serve } from '../lib/child';
import { asyncOpsPerSecond } from '../lib/measure';
import { BENCH_SECRET, BENCH_TENANT_ID, benchDeliveryRequest, benchPayload } from '../fixtures';

Object.assign(process.env, {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_SERVICE_NAME: 'event-relay',
  POWERTOOLS_METRICS_NAMESPACE: 'EventRelay',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  POWERTOOLS_DEV: 'false',
  POWERTOOLS_METRICS_DISABLED: 'false',
  ALLOW_PRIVATE_TARGETS: 'true',
  DELIVERY_TIMEOUT_MS: '10000',
});

let stdoutBytes = 0;
const writeStdout = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
  stdoutBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
  return writeStdout(chunk, ...rest);
}) as typeof process.stdout.write;

const BATCH_SIZE = 10;
const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:event-relay-open';

interface Setup {
  receiverUrl: string;
  /** A running dynalite's endpoint and table names; absent: start one in this process. */
  dynamo?: { endpoint: string; tableNames: Record<string, string> };
}

let subscriptionId = '';
let receiverUrl = '';
let sequence = 0;

async function setup(options: Setup): Promise<void> {
  receiverUrl = options.receiverUrl;
  let dynamo = options.dynamo;
  if (!dynamo) {
    const { startDynamo } = await import('../../test/support/emulators');
    dynamo = await startDynamo();
  }
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  Object.assign(process.env, dynamo.tableNames);
  const { createSubscription } = await import('../../lambdas/shared/subscriptions');
  const { newId } = await import('../../lambdas/shared/ids');
  const now = new Date().toISOString();
  subscriptionId = newId('sub');
  await createSubscription({
    id: subscriptionId,
    tenantId: BENCH_TENANT_ID,
    url: receiverUrl,
    events: ['EMAIL_OPEN', 'EMAIL_CLICK', 'EMAIL_FAILED'],
    status: 'active',
    secret: BENCH_SECRET,
    retiredSecrets: [],
    createdAt: now,
    updatedAt: now,
  });
}

/** One SQS event of 10 new deliveries, shaped as the Lambda event source mapping builds it. */
function sqsBatch(): SQSEvent {
  const records: SQSRecord[] = [];
  const sentAt = String(Date.now());
  for (let i = 0; i < BATCH_SIZE; i++) {
    const n = ++sequence;
    const request = benchDeliveryRequest([subscriptionId], `evt_bench_${process.pid}_${n}`);
    records.push({
      messageId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      receiptHandle: `receipt-${n}`,
      body: JSON.stringify({
        version: '0',
        id: request.deliveryId,
        'detail-type': 'OPEN',
        source: 'event-relay.inbound',
        account: '000000000000',
        time: '2025-01-15T10:30:06Z',
        region: 'us-east-1',
        resources: [],
        detail: request,
      }),
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: sentAt,
        SenderId: 'AIDAEVENTBRIDGE',
        ApproximateFirstReceiveTimestamp: sentAt,
      },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: QUEUE_ARN,
      awsRegion: 'us-east-1',
    });
  }
  return { Records: records };
}

// Loaded once per worker: under tsx every `await import()` waits on its loader thread, even for a
// module already loaded, which would cost each batch about a millisecond the bare loop does not pay.
let handlerModule: typeof import('../../lambdas/delivery/handler') | undefined;
let sendModule: typeof import('../../lambdas/delivery/send') | undefined;
let idsModule: typeof import('../../lambdas/shared/ids') | undefined;

async function handlerBatch(): Promise<void> {
  const { handler } = (handlerModule ??= await import('../../lambdas/delivery/handler'));
  const response = await handler(sqsBatch());
  if (response.batchItemFailures.length) {
    throw new Error(`${response.batchItemFailures.length} deliveries failed in a benchmark batch`);
  }
}

async function sendBatch(): Promise<void> {
  const { sendWebhook } = (sendModule ??= await import('../../lambdas/delivery/send'));
  const { derivedId } = (idsModule ??= await import('../../lambdas/shared/ids'));
  const now = new Date();
  const results = await Promise.all(
    Array.from({ length: BATCH_SIZE }, () => {
      const eventId = `evt_bench_${process.pid}_${++sequence}`;
      return sendWebhook({ url: receiverUrl, secrets: [BENCH_SECRET] }, benchPayload(eventId), {
        deliveryId: derivedId('msg', BENCH_TENANT_ID, eventId, subscriptionId),
        timeoutMs: 10_000,
        allowPrivateTargets: true,
        now,
      });
    }),
  );
  if (results.some((result) => !result.delivered)) throw new Error('a benchmark send failed');
}

/** The baseline: the same POSTs with node:http and a keep-alive agent of the same settings, unsigned. */
const bareAgent = new http.Agent({ keepAlive: true, keepAliveMsecs: 1_000, maxFreeSockets: 64 });
function barePost(body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const url = new URL(receiverUrl);
    const request = http.request({
      method: 'POST',
      hostname: url.hostname,
      port: url.port,
      path: url.pathname,
      agent: bareAgent,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      response.on('data', () => undefined);
      response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error('not 200'))));
    });
    request.end(body);
  });
}
async function bareBatch(): Promise<void> {
  await Promise.all(
    Array.from({ length: BATCH_SIZE }, () =>
      barePost(JSON.stringify(benchPayload(`evt_bench_${process.pid}_${++sequence}`))),
    ),
  );
}

const steps = { handler: handlerBatch, send: sendBatch, bare: bareBatch };

serve({
  setup: (options: Setup) => setup(options),
  /** Deliveries per second of one kind of step, after a warm-up; also the log bytes it wrote per delivery. */
  throughput: async (options: {
    kind: keyof typeof steps;
    warmupMs: number;
    roundMs: number;
    rounds: number;
  }) => {
    const step = steps[options.kind];
    const before = { bytes: stdoutBytes, sequence, cpu: process.cpuUsage() };
    const started = performance.now();
    const perSecond = await asyncOpsPerSecond(step, BATCH_SIZE, options);
    const elapsedMs = performance.now() - started;
    const deliveries = sequence - before.sequence;
    const cpu = process.cpuUsage(before.cpu);
    return {
      perSecond,
      deliveries,
      logBytesPerDelivery: (stdoutBytes - before.bytes) / deliveries,
      cpuMsPerDelivery: (cpu.user + cpu.system) / 1000 / deliveries,
      cpuShare: (cpu.user + cpu.system) / 1000 / elapsedMs,
    };
  },
  /** After `warmup` deliveries, runs `total` more in batches of 10, sampling memory at each checkpoint. */
  memory: async (options: { warmup: number; total: number; checkpoints: number[] }) => {
    const samples: {
      deliveries: number;
      rssMB: number;
      peakRssMB: number;
      heapUsedMB: number;
      retainedHeapMB?: number;
    }[] = [];
    const collectGarbage = (globalThis as { gc?: () => void }).gc;
    const checkpoints = new Set(options.checkpoints);
    for (let done = 0; done < options.warmup; done += BATCH_SIZE) await handlerBatch();
    const before = { bytes: stdoutBytes, cpu: process.cpuUsage() };
    for (let done = 0; done < options.total;) {
      await handlerBatch();
      done += BATCH_SIZE;
      if (checkpoints.has(done)) {
        const memory = process.memoryUsage();
        const peakRssMB = process.resourceUsage().maxRSS / 1024;
        // What survives a full collection is what the handler keeps; growth there would be a leak.
        // Twice: the first collection may leave what finalizers and weak references free for the second.
        collectGarbage?.();
        collectGarbage?.();
        samples.push({
          deliveries: done,
          rssMB: memory.rss / 2 ** 20,
          peakRssMB,
          heapUsedMB: memory.heapUsed / 2 ** 20,
          retainedHeapMB: collectGarbage ? process.memoryUsage().heapUsed / 2 ** 20 : undefined,
        });
      }
    }
    const cpu = process.cpuUsage(before.cpu);
    return {
      samples,
      cpuMsPerDelivery: (cpu.user + cpu.system) / 1000 / options.total,
      logBytesPerDelivery: (stdoutBytes - before.bytes) / options.total,
    };
  },
});
