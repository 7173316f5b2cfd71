/**
 * The cost model: AWS list price per 1 million forwarded provider events, itemised by service, for one
 * subscriber and for five, next to what hosted webhook services charge.
 *
 *   npx tsx bench/cost.ts                                       # the summary
 *   npx tsx bench/cost.ts --markdown > docs/cost.md             # the docs page
 *   npx tsx bench/cost.ts --results bench/out/results.json      # with this machine's latest run
 *
 * Measured inputs (the delivery handler's log bytes and CPU time per delivery) come from the
 * committed reference run, bench/reference.json, or the results file named by --results; the defaults
 * below are the reference run's values, used when neither has them.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { logPartitionOf } from '../lambdas/shared/deliveries';
import {
  jitterRange,
  parseRetrySchedule,
  waitsInScheduler,
  type RetrySchedule,
} from '../lambdas/shared/retry-schedule';
import { DELIVERIES_TABLE } from '../lambdas/shared/tables';
import { benchDeliveryRequest } from './fixtures';

/** us-east-1 list prices (USD). */
export const PRICES = {
  /** HTTP API, per request, first 300 million a month; requests are metered in 512 KB increments. */
  apiGatewayHttpPerRequest: 1.0 / 1e6,
  /** Lambda arm64, per GB-second (first 6 billion GB-s a month). */
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1e6,
  /** EventBridge custom events, per 64 KB chunk of each PutEvents entry; rule delivery to SQS is free. */
  eventBridgePerEvent: 1.0 / 1e6,
  /** SQS standard queue, per request (each 64 KB chunk of a payload is one request), after the free 1M. */
  sqsPerRequest: 0.4 / 1e6,
  /** DynamoDB on-demand since 1 Nov 2024. */
  dynamoPerWriteUnit: 0.625 / 1e6,
  dynamoPerReadUnit: 0.125 / 1e6,
  dynamoStoragePerGbMonth: 0.25,
  cloudWatchLogsIngestPerGb: 0.5,
  /** Data transfer out to the internet, first 10 TB a month (after the free 100 GB). */
  dataTransferOutPerGb: 0.09,
  /** EventBridge Scheduler, per scheduled invocation after the free 14 million a month; API calls are free. */
  schedulerPerInvocation: 1.0 / 1e6,
} as const;

export const PRICE_SOURCES = [
  'API Gateway HTTP APIs: $1.00 per million requests (first 300 million), https://aws.amazon.com/api-gateway/pricing/',
  'Lambda arm64: $0.0000133334 per GB-second, $0.20 per million requests, https://aws.amazon.com/lambda/pricing/',
  'EventBridge: custom events $1.00 per million (64 KB chunks), https://aws.amazon.com/eventbridge/pricing/',
  'SQS standard: $0.40 per million requests (64 KB chunks), https://aws.amazon.com/sqs/pricing/',
  'DynamoDB on-demand: $0.625 per million write request units, $0.125 per million read request units, $0.25 per GB-month (us-east-1, after the 1 November 2024 on-demand price cut), https://aws.amazon.com/dynamodb/pricing/on-demand/',
  'CloudWatch Logs: $0.50 per GB ingested (standard class), https://aws.amazon.com/cloudwatch/pricing/',
  'Data transfer out: $0.09 per GB (first 10 TB), https://aws.amazon.com/ec2/pricing/on-demand/',
  'EventBridge Scheduler: $1.00 per million scheduled invocations after 14 million free a month; creating schedules is not billed, https://aws.amazon.com/eventbridge/pricing/',
];

/** Hosted peers' list prices per 1M events, as their pricing pages state them (read 2026-09-20). */
export const HOSTED_PEERS: readonly { name: string; perMillion: string; basis: string; source: string }[] = [
  {
    name: 'Hookdeck (Event Gateway)',
    perMillion: '$10.00 ($3.30 at the lowest volume tier)',
    basis: '$1.00 per additional 100k events on top of the $39/month Team plan; "as low as $0.33 per 100k"',
    source: 'https://hookdeck.com/pricing',
  },
  {
    name: 'Svix',
    perMillion: '$100.00',
    basis: '$0.0001 per message over the included 50k, on top of $0 (Free) or $490/month (Professional)',
    source: 'https://www.svix.com/pricing/',
  },
  {
    name: 'Convoy',
    perMillion: 'not metered',
    basis:
      'flat $999/month (Premium, self-hosted) or free self-hosted Community edition; cloud prices not published per event',
    source: 'https://www.getconvoy.io/pricing',
  },
];

export interface CostAssumptions {
  /** Share of provider events per provider, and how many events each provider request carries. */
  providerMix: readonly {
    provider: string;
    share: number;
    eventsPerRequest: number;
    /** The provider's events carry no time of their own, so each needs a first-arrival record. */
    untimed?: boolean;
  }[];
  /** Records per delivery Lambda invocation (SQS batch size 10 when the queue has a backlog). */
  deliveryBatchSize: number;
  /** Extra attempts per delivery (failed attempts that are retried), e.g. 0.02. */
  retryRate: number;
  inbound: { memoryMB: number; msPerRequest: number; msPerEvent: number; logBytesPerRequest: number };
  delivery: {
    memoryMB: number;
    /** Wall time the invocation waits on the slowest subscriber response and DynamoDB write of a batch. */
    waitMsPerBatch: number;
    /** CPU time per delivery on a full vCPU (measured); Lambda gives memoryMB/1769 of a vCPU. */
    cpuMsPerDelivery: number;
    /** Function log output per delivery (measured: Powertools log line + EMF metrics). */
    logBytesPerDelivery: number;
  };
  /** Lambda platform log lines (START, END, REPORT) per invocation. */
  platformLogBytesPerInvocation: number;
  /** Bytes on the wire per delivery: request line, headers, body (TLS overhead ignored). */
  deliveryWireBytes: number;
  /** Delivery log items live this long (TTL), so storage holds about this many days of deliveries. */
  deliveryLogTtlDays: number;
  /**
   * Share of deliveries whose endpoint answers slower than the fast lane allows (fastLaneTimeoutMs), so
   * they go through the slow lane, and how long a slow-lane batch waits on them.
   */
  slowLane: { share: number; waitMsPerBatch: number };
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  providerMix: [
    { provider: 'SendGrid (batched Event Webhook)', share: 0.8, eventsPerRequest: 10 },
    { provider: 'Amazon SES via SNS', share: 0.1, eventsPerRequest: 1 },
    { provider: 'Twilio status callback', share: 0.1, eventsPerRequest: 1, untimed: true },
  ],
  deliveryBatchSize: 10,
  retryRate: 0.02,
  inbound: { memoryMB: 1024, msPerRequest: 60, msPerEvent: 2, logBytesPerRequest: 400 },
  delivery: { memoryMB: 512, waitMsPerBatch: 250, cpuMsPerDelivery: 2.15, logBytesPerDelivery: 304 },
  platformLogBytesPerInvocation: 350,
  deliveryWireBytes: 1100,
  deliveryLogTtlDays: 30,
  slowLane: { share: 0.02, waitMsPerBatch: 3000 },
};

/** Overrides the measured defaults with those of a `npm run bench` results file, when present. */
export function assumptionsFromResults(
  resultsPath = path.join(__dirname, 'reference.json'),
): CostAssumptions {
  const assumptions = structuredClone(DEFAULT_ASSUMPTIONS) as CostAssumptions;
  if (!existsSync(resultsPath)) return assumptions;
  try {
    const results = JSON.parse(readFileSync(resultsPath, 'utf8')) as {
      measurements?: { delivery?: { cpuMsPerDelivery?: number; logBytesPerDelivery?: number } };
    };
    const delivery = results.measurements?.delivery;
    if (delivery?.cpuMsPerDelivery) assumptions.delivery.cpuMsPerDelivery = delivery.cpuMsPerDelivery;
    if (delivery?.logBytesPerDelivery)
      assumptions.delivery.logBytesPerDelivery = delivery.logBytesPerDelivery;
  } catch {
    // A partial or old results file: keep the defaults.
  }
  return assumptions;
}

/**
 * The size DynamoDB bills for an item: attribute names plus values (strings as UTF-8, numbers about
 * one byte per two digits plus one, 3 bytes per map or list plus 1 per element, 1 for booleans/null).
 */
export function dynamoItemBytes(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number')
    return Math.ceil(String(Math.abs(value)).replace(/[.-]/g, '').length / 2) + 1;
  if (value instanceof Set) return [...value].reduce((sum: number, item) => sum + dynamoItemBytes(item), 0);
  if (Array.isArray(value))
    return 3 + value.reduce((sum: number, item) => sum + 1 + dynamoItemBytes(item), 0);
  return (
    3 +
    Object.entries(value as Record<string, unknown>).reduce(
      (sum, [name, item]) => sum + Buffer.byteLength(name, 'utf8') + 1 + dynamoItemBytes(item),
      0,
    )
  );
}

/** The top-level item size (no map overhead for the item itself). */
function itemBytes(item: Record<string, unknown>): number {
  return dynamoItemBytes(item) - 3;
}

export const writeUnits = (bytes: number): number => Math.ceil(bytes / 1024);
/** Eventually consistent reads: half a unit per 4 KB. */
export const readUnits = (bytes: number): number => Math.ceil(bytes / 4096) / 2;
/** Strongly consistent reads: a unit per 4 KB. */
export const consistentReadUnits = (bytes: number): number => Math.ceil(bytes / 4096);

/**
 * An event's delivery log item as `recordAttempts` writes it after one successful round to
 * `subscribers` subscriptions (shared/deliveries.ts).
 */
export function sampleDeliveryLogItem(subscribers = 1): Record<string, unknown> {
  const subscriptionIds = Array.from({ length: subscribers }, (_, n) => `sub_01JH8Z3K4Q9V7W2X5Y6Z8A1B2${n}`);
  const request = benchDeliveryRequest(subscriptionIds, 'evt_Jq3sV0Yx8bPp2M1cW4nT7rLk9A');
  const attemptKey = '059f36b4-87a3-44ab-83d2-661975830a7d:1';
  const item: Record<string, unknown> = {
    pk: logPartitionOf(request.tenantId, request.deliveryId),
    sk: `DLV#${request.deliveryId}`,
    createdAt: '2025-01-15T10:30:06.123Z',
    payload: request.payload,
    deliveryId: request.deliveryId,
    tenantId: request.tenantId,
    eventType: request.eventType,
    expiresAt: 1739529006,
    attemptKeys: new Set([attemptKey]),
  };
  for (const subscriptionId of subscriptionIds) {
    item[`status#${subscriptionId}`] = 'succeeded';
    item[`attempts#${subscriptionId}`] = [
      {
        attemptKey,
        at: '2025-01-15T10:30:06.123Z',
        durationMs: 182,
        statusCode: 200,
        responseBody: '{"ok":true}',
      },
    ];
  }
  return item;
}

/** The first-arrival record of an event with no time of its own (Idempotency table, `id = seen#...`). */
export function sampleFirstSeenItem(): Record<string, unknown> {
  return {
    id: 'seen#int_01JH8Z3K4Q9V7W2X5Y6Z8A1B2C#SM1f0e8ae6ade43cb3c0ce4525424e404f/undelivered',
    firstSeen: '2025-01-15T10:30:05.123Z',
    expiration: 1737455405,
  };
}

/**
 * A tenant's delivery counter item for one hour (shared/delivery-stats.ts): three numbers per
 * subscription that had deliveries that hour.
 */
export function sampleCounterItem(subscribers = 1): Record<string, unknown> {
  const item: Record<string, unknown> = {
    pk: 'STATS#tn_01JH8Z3K4Q9V7W2X5Y6Z8A1B2C',
    sk: '2025-01-15T10',
    expiresAt: 1737455405,
  };
  for (let index = 0; index < subscribers; index++) {
    for (const kind of ['succeeded', 'failed', 'retried'])
      item[`${kind}#wh_01JH8Z3K4Q9V7W2X5Y6Z8A1B2${index}`] = 1234;
  }
  return item;
}

/** A subscription item as the Subscriptions table holds it. */
export function sampleSubscriptionItem(): Record<string, unknown> {
  return {
    pk: 'TENANT#tn_01JH8Z3K4Q9V7W2X5Y6Z8A1B2C',
    sk: 'SUB#sub_01JH8Z3K4Q9V7W2X5Y6Z8A1B2C',
    id: 'sub_01JH8Z3K4Q9V7W2X5Y6Z8A1B2C',
    tenantId: 'tn_01JH8Z3K4Q9V7W2X5Y6Z8A1B2C',
    url: 'https://hooks.example.com/notificationapi/events',
    events: ['EMAIL_OPEN', 'EMAIL_CLICK', 'EMAIL_FAILED'],
    description: 'Analytics pipeline',
    status: 'active',
    secret: `whsec_${'A'.repeat(44)}`,
    retiredSecrets: [],
    createdAt: '2025-01-15T10:30:05.000Z',
    updatedAt: '2025-01-15T10:30:05.000Z',
  };
}

export interface CostLine {
  service: 'API Gateway' | 'Lambda' | 'EventBridge' | 'SQS' | 'DynamoDB' | 'CloudWatch' | 'Data transfer';
  item: string;
  quantity: number;
  unit: string;
  cost: number;
}

export interface CostBreakdown {
  subscribers: number;
  lines: CostLine[];
  byService: Record<string, number>;
  total: number;
  dominant: { service: string; cost: number; share: number };
}

const MILLION = 1e6;

/** Cost per 1M provider events that match `subscribers` subscriptions each (every one delivered). */
export function costPerMillion(subscribers: number, a: CostAssumptions = DEFAULT_ASSUMPTIONS): CostBreakdown {
  const events = MILLION;
  const deliveries = events * subscribers;
  const attempts = deliveries * (1 + a.retryRate);
  // A queue message (one event) comes back for a retry when any of its deliveries failed.
  const retriedMessages = events * (1 - (1 - a.retryRate) ** subscribers);
  const receives = events + retriedMessages;
  const requests = a.providerMix.reduce((sum, mix) => sum + (events * mix.share) / mix.eventsPerRequest, 0);
  const untimedEvents = a.providerMix.reduce((sum, mix) => sum + (mix.untimed ? events * mix.share : 0), 0);
  const deliveryInvocations = receives / a.deliveryBatchSize;
  const lines: CostLine[] = [];
  const line = (service: CostLine['service'], item: string, quantity: number, unit: string, price: number) =>
    lines.push({ service, item, quantity, unit, cost: quantity * price });

  line(
    'API Gateway',
    'HTTP API requests from providers',
    requests,
    'requests',
    PRICES.apiGatewayHttpPerRequest,
  );

  // Inbound function: per request, plus a little per event (parse, normalize, query, put).
  const inboundSeconds = (requests * a.inbound.msPerRequest + events * a.inbound.msPerEvent) / 1000;
  line('Lambda', 'inbound invocations', requests, 'requests', PRICES.lambdaPerRequest);
  line(
    'Lambda',
    `inbound duration (${a.inbound.memoryMB} MB arm64)`,
    inboundSeconds * (a.inbound.memoryMB / 1024),
    'GB-s',
    PRICES.lambdaArmPerGbSecond,
  );

  // EventBridge: one entry per event, naming its subscriptions; well under one 64 KB chunk.
  line('EventBridge', 'custom events (one per event)', events, 'events', PRICES.eventBridgePerEvent);

  // SQS: the rule target sends each message; the event source mapping receives and deletes per batch;
  // a message with a failed delivery changes its visibility and is received again.
  line('SQS', 'SendMessage by the EventBridge rule target', events, 'requests', PRICES.sqsPerRequest);
  line(
    'SQS',
    `ReceiveMessage (batches of ${a.deliveryBatchSize})`,
    deliveryInvocations,
    'requests',
    PRICES.sqsPerRequest,
  );
  line('SQS', 'DeleteMessageBatch', events / a.deliveryBatchSize, 'requests', PRICES.sqsPerRequest);
  line(
    'SQS',
    `ChangeMessageVisibility (messages with a retried delivery)`,
    retriedMessages,
    'requests',
    PRICES.sqsPerRequest,
  );

  // The slow lane: a message for a slow endpoint is handed off by the fast lane (10 per SendMessageBatch,
  // one request), then received, attempted with the full time limit and deleted there, in batches of its
  // own; its log round replaces the fast lane's (counted above), its state read is one more per batch.
  const slowMessages = events * (1 - (1 - a.slowLane.share) ** subscribers);
  const slowBatches = slowMessages / a.deliveryBatchSize;
  line(
    'SQS',
    `slow lane: hand-off SendMessageBatch, ReceiveMessage and DeleteMessageBatch (${a.slowLane.share * 100}% of deliveries slow)`,
    3 * slowBatches,
    'requests',
    PRICES.sqsPerRequest,
  );

  // Delivery function: one invocation per batch; it waits for the slowest response of the batch, and
  // spends CPU per delivery at memoryMB/1769 of a vCPU.
  const vcpuShare = Math.min(1, a.delivery.memoryMB / 1769);
  const deliveriesPerBatch = (attempts / receives) * a.deliveryBatchSize;
  const batchSeconds =
    (a.delivery.waitMsPerBatch + (a.delivery.cpuMsPerDelivery * deliveriesPerBatch) / vcpuShare) / 1000;
  line('Lambda', 'delivery invocations', deliveryInvocations, 'requests', PRICES.lambdaPerRequest);
  line(
    'Lambda',
    `delivery duration (${a.delivery.memoryMB} MB arm64, ${Math.round(batchSeconds * 1000)} ms per batch)`,
    deliveryInvocations * batchSeconds * (a.delivery.memoryMB / 1024),
    'GB-s',
    PRICES.lambdaArmPerGbSecond,
  );
  line(
    'Lambda',
    `slow-lane delivery invocations and duration (${a.slowLane.waitMsPerBatch} ms per batch)`,
    slowBatches * (a.slowLane.waitMsPerBatch / 1000) * (a.delivery.memoryMB / 1024),
    'GB-s',
    PRICES.lambdaArmPerGbSecond,
  );
  lines.at(-1)!.cost += slowBatches * PRICES.lambdaPerRequest;

  // DynamoDB. Every index on the delivery log table would be written with the item (ALL projection),
  // multiplying the cost of each log write and of its storage; the table is read from its definition.
  const logCopies = 1 + DELIVERIES_TABLE.localIndexes.length + DELIVERIES_TABLE.globalIndexes.length;
  const subscriptionBytes = itemBytes(sampleSubscriptionItem());
  const logItemBytes = itemBytes(sampleDeliveryLogItem(subscribers));
  const logWriteUnits = logCopies * writeUnits(logItemBytes);
  const firstSeenWriteUnits = writeUnits(itemBytes(sampleFirstSeenItem()));
  line(
    'DynamoDB',
    'integration lookup (GetItem, per request)',
    requests * readUnits(600),
    'RRU',
    PRICES.dynamoPerReadUnit,
  );
  line(
    'DynamoDB',
    `first-arrival record of events with no time of their own (${firstSeenWriteUnits} WRU)`,
    untimedEvents * firstSeenWriteUnits,
    'WRU',
    PRICES.dynamoPerWriteUnit,
  );
  line(
    'DynamoDB',
    `subscription query per event (${subscribers} × ${subscriptionBytes} B read)`,
    events * readUnits(subscribers * subscriptionBytes),
    'RRU',
    PRICES.dynamoPerReadUnit,
  );
  // Every batch reads each subscription's state item (health + version, its own key) consistently:
  // 1 RRU per subscription per batch, here every batch naming all of the tenant's subscriptions.
  line(
    'DynamoDB',
    'subscription state read per batch (consistent BatchGetItem, 1 RRU per subscription)',
    (deliveryInvocations + slowBatches) * subscribers,
    'RRU',
    PRICES.dynamoPerReadUnit,
  );
  line(
    'DynamoDB',
    'delivery log read per received message (consistent GetItem)',
    receives * consistentReadUnits(logItemBytes),
    'RRU',
    PRICES.dynamoPerReadUnit,
  );
  line(
    'DynamoDB',
    `delivery log write per received message (${logItemBytes} B item → ${writeUnits(logItemBytes)} WRU${logCopies > 1 ? `, ×${logCopies} with the table's indexes` : ', no index'})`,
    receives * logWriteUnits,
    'WRU',
    PRICES.dynamoPerWriteUnit,
  );
  // The portal's delivery counters: one ADD per tenant and hour per delivery batch (not per delivery);
  // the items are a few per tenant and hour, so their storage is negligible.
  const counterBytes = itemBytes(sampleCounterItem(subscribers));
  line(
    'DynamoDB',
    `delivery counters for the portal (one ${counterBytes} B item per tenant and hour, one ADD per batch)`,
    deliveryInvocations * writeUnits(counterBytes),
    'WRU',
    PRICES.dynamoPerWriteUnit,
  );
  // Storage: a month of events at steady state (items expire after the TTL), item and index copies
  // with 100 bytes of overhead each.
  const storedGb =
    (events * Math.min(1, a.deliveryLogTtlDays / 30) * logCopies * (logItemBytes + 100)) / 1024 ** 3;
  line(
    'DynamoDB',
    `delivery log storage (${a.deliveryLogTtlDays}-day TTL, steady state)`,
    storedGb,
    'GB-month',
    PRICES.dynamoStoragePerGbMonth,
  );

  const logBytes =
    requests * a.inbound.logBytesPerRequest +
    attempts * a.delivery.logBytesPerDelivery +
    (requests + deliveryInvocations) * a.platformLogBytesPerInvocation;
  line(
    'CloudWatch',
    'log ingestion (JSON logs, EMF metrics, platform lines)',
    logBytes / 1024 ** 3,
    'GB',
    PRICES.cloudWatchLogsIngestPerGb,
  );

  line(
    'Data transfer',
    'webhook POSTs out to the internet',
    (attempts * a.deliveryWireBytes) / 1024 ** 3,
    'GB',
    PRICES.dataTransferOutPerGb,
  );

  const byService: Record<string, number> = {};
  for (const entry of lines) byService[entry.service] = (byService[entry.service] ?? 0) + entry.cost;
  const total = lines.reduce((sum, entry) => sum + entry.cost, 0);
  const [service, cost] = Object.entries(byService).sort((x, y) => y[1] - x[1])[0]!;
  return { subscribers, lines, byService, total, dominant: { service, cost, share: cost / total } };
}

export const TARGETS: Record<number, number> = { 1: 4.0, 5: 6.5 };

const usd = (value: number): string => `$${value.toFixed(value < 0.01 && value > 0 ? 4 : 2)}`;

export function summaryLine(a: CostAssumptions = DEFAULT_ASSUMPTIONS): string {
  return [1, 5]
    .map((subscribers) => {
      const cost = costPerMillion(subscribers, a);
      const target = TARGETS[subscribers]!;
      return `${usd(cost.total)} per 1M events with ${subscribers} subscriber${subscribers > 1 ? 's' : ''} (target ≤ ${usd(target)}, largest: ${cost.dominant.service} ${Math.round(cost.dominant.share * 100)}%) ${cost.total <= target ? 'PASS' : 'FAIL'}`;
    })
    .join('; ');
}

function formatQuantity(quantity: number, unit: string): string {
  const text =
    quantity >= 100
      ? Math.round(quantity).toLocaleString('en-US')
      : quantity >= 1
        ? quantity.toFixed(2)
        : quantity.toPrecision(2);
  return `${text} ${unit}`;
}

/** The long-tail example of docs/delivery.md: the seed's delays, then Svix's, ±20 %. */
export const LONG_TAIL_EXAMPLE = '1m,5m,30m,2h,5h,10h,10h ±20%';
/** Wall time a batch waits for its CreateSchedule calls (made concurrently): one round trip, assumed. */
const CREATE_SCHEDULE_WAIT_MS = 30;

/**
 * What one retry costs by where it waits, per million retries: in its queue (one visibility change,
 * counted as one request as in the model above, though the function batches them) or in EventBridge
 * Scheduler (a scheduled invocation, the Scheduler's SendMessage back to the queue, the original
 * message's deletion as one entry of the batch's DeleteMessageBatch, and the delivery function's wait
 * for CreateSchedule). The receive of the returning message is the same either way, so it is left out.
 */
export function retryCostPerMillion(a: CostAssumptions = DEFAULT_ASSUMPTIONS): {
  queue: CostLine[];
  scheduler: CostLine[];
} {
  const retries = MILLION;
  const queue: CostLine[] = [
    {
      service: 'SQS',
      item: 'ChangeMessageVisibility',
      quantity: retries,
      unit: 'requests',
      cost: retries * PRICES.sqsPerRequest,
    },
  ];
  const batches = retries / a.deliveryBatchSize;
  const waitGbSeconds = batches * (CREATE_SCHEDULE_WAIT_MS / 1000) * (a.delivery.memoryMB / 1024);
  const scheduler: CostLine[] = [
    {
      service: 'EventBridge',
      item: 'Scheduler invocations (one per retry)',
      quantity: retries,
      unit: 'invocations',
      cost: retries * PRICES.schedulerPerInvocation,
    },
    {
      service: 'SQS',
      item: 'SendMessage by the Scheduler',
      quantity: retries,
      unit: 'requests',
      cost: retries * PRICES.sqsPerRequest,
    },
    {
      service: 'SQS',
      item: `the original message deleted (DeleteMessageBatch, ${a.deliveryBatchSize} a request)`,
      quantity: batches,
      unit: 'requests',
      cost: batches * PRICES.sqsPerRequest,
    },
    {
      service: 'Lambda',
      item: `delivery function waits for CreateSchedule (${CREATE_SCHEDULE_WAIT_MS} ms a batch, assumed)`,
      quantity: waitGbSeconds,
      unit: 'GB-s',
      cost: waitGbSeconds * PRICES.lambdaArmPerGbSecond,
    },
  ];
  return { queue, scheduler };
}

/** Of a delivery's retries under `schedule`, how many wait in the Scheduler on average (jitter spread evenly). */
export function schedulerRetriesPerDelivery(schedule: RetrySchedule): number {
  return schedule.delays.reduce((sum, _, index) => {
    const [low, high] = jitterRange(schedule, index);
    const beyond = Math.max(0, high - Math.max(low - 1, schedule.schedulerAfterSeconds));
    return sum + (waitsInScheduler(schedule, high) ? beyond / (high - low + 1) : 0);
  }, 0);
}

export function renderMarkdown(a: CostAssumptions = DEFAULT_ASSUMPTIONS): string {
  const one = costPerMillion(1, a);
  const five = costPerMillion(5, a);
  const out: string[] = [];
  out.push('# Cost per million events');
  out.push('');
  out.push(
    'AWS list prices (us-east-1, arm64) for **1 million provider events forwarded**, every event matching one subscription and then five. ' +
      'Generated by `npx tsx bench/cost.ts --markdown > docs/cost.md` from the assumptions below; the delivery CPU time and log bytes per delivery are measured by `npm run bench`.',
  );
  out.push('');
  out.push('| | 1 subscriber | 5 subscribers |');
  out.push('|---|---:|---:|');
  for (const service of Object.keys(one.byService)) {
    out.push(`| ${service} | ${usd(one.byService[service]!)} | ${usd(five.byService[service]!)} |`);
  }
  out.push(`| **Total** | **${usd(one.total)}** | **${usd(five.total)}** |`);
  out.push(
    `| Target | ≤ ${usd(TARGETS[1]!)} ${one.total <= TARGETS[1]! ? '(met)' : '(missed)'} | ≤ ${usd(TARGETS[5]!)} ${five.total <= TARGETS[5]! ? '(met)' : '(missed)'} |`,
  );
  out.push('');
  for (const breakdown of [one, five]) {
    out.push(`## Itemised, ${breakdown.subscribers} subscriber${breakdown.subscribers > 1 ? 's' : ''}`);
    out.push('');
    out.push('| Service | Item | Quantity per 1M events | Cost |');
    out.push('|---|---|---:|---:|');
    for (const entry of breakdown.lines) {
      out.push(
        `| ${entry.service} | ${entry.item} | ${formatQuantity(entry.quantity, entry.unit)} | ${usd(entry.cost)} |`,
      );
    }
    out.push(`| | **Total** | | **${usd(breakdown.total)}** |`);
    out.push('');
    out.push(
      `Largest line: **${breakdown.dominant.service}**, ${usd(breakdown.dominant.cost)} (${Math.round(breakdown.dominant.share * 100)}% of the total).`,
    );
    out.push('');
  }
  out.push('## Assumptions');
  out.push('');
  const requestsPerMillion = a.providerMix.reduce(
    (sum, mix) => sum + (MILLION * mix.share) / mix.eventsPerRequest,
    0,
  );
  out.push(
    `- Provider mix: ${a.providerMix.map((mix) => `${Math.round(mix.share * 100)}% ${mix.provider} (${mix.eventsPerRequest} event${mix.eventsPerRequest > 1 ? 's' : ''} per request)`).join(', ')}: ${Math.round(requestsPerMillion).toLocaleString('en-US')} API requests per million events. SendGrid posts events in batches; 10 per request is an assumed average (busier senders see larger batches, which only lowers the API Gateway and inbound Lambda lines).`,
  );
  out.push(
    `- Memory sizes and batching as lib/ configures them (inbound 1,024 MB, delivery 512 MB, batch size 10 with a 1 s batching window). Delivery queues: full batches of ${a.deliveryBatchSize} (a steady flow; a trickle of single messages raises the delivery Lambda and SQS receive lines, see the sensitivity table). ${a.retryRate * 100}% of attempts fail and are retried once.`,
  );
  out.push(
    `- Lambda: inbound ${a.inbound.memoryMB} MB, ${a.inbound.msPerRequest} ms per request + ${a.inbound.msPerEvent} ms per event (I/O bound: DynamoDB and EventBridge calls); delivery ${a.delivery.memoryMB} MB, ${a.delivery.waitMsPerBatch} ms per batch waiting on the slowest subscriber and the DynamoDB writes (assumed), plus ${a.delivery.cpuMsPerDelivery.toFixed(2)} ms CPU per delivery (measured by the bench on a full core, scaled to the ${Math.round(Math.min(1, a.delivery.memoryMB / 1769) * 100)}% of a vCPU Lambda gives ${a.delivery.memoryMB} MB).`,
  );
  out.push(
    `- DynamoDB item sizes are computed from real items: an event's delivery log item after one round is ${itemBytes(sampleDeliveryLogItem(1))} B with one subscriber and ${itemBytes(sampleDeliveryLogItem(5))} B with five (the event, and each subscription's status and attempt with a short response body), a subscription ${itemBytes(sampleSubscriptionItem())} B, a first-arrival record ${itemBytes(sampleFirstSeenItem())} B. The log keeps 256 B of a successful response and 1 KB of a failed one; long responses to every one of five subscribers would add a WRU or two per write.`,
  );
  out.push(
    `- Reads: the integration lookup is one eventually consistent GetItem per request; the subscription query reads the tenant's subscriptions once per event; every delivery batch reads the state item (endpoint health and version) of each subscription it names, consistently (1 RRU each; the subscriptions themselves come from the container's cache while their version holds, so re-reads after a change round to zero per million); the delivery function reads the event's log item (consistent) before each round, which is how a provider's retry of an event is not posted twice.`,
  );
  out.push(
    `- Slow endpoints: ${a.slowLane.share * 100}% of deliveries go to an endpoint slower than the fast lane's limit, so through the slow lane: a hand-off (10 messages per SendMessageBatch), a receive and a delete per slow-lane batch of ${a.deliveryBatchSize}, one more state read per subscription and batch, and a slow-lane invocation waiting ${a.slowLane.waitMsPerBatch} ms per batch (assumed). Hanging endpoints past the breaker cost a deferral per slot (a log round, no connection), as a retry does.`,
  );
  out.push(
    `- Logs: ${Math.round(a.delivery.logBytesPerDelivery)} B per delivery (measured: the Powertools "delivered" line and the batch's EMF metrics document, shared by the batch), ${a.inbound.logBytesPerRequest} B per inbound request (assumed), ${a.platformLogBytesPerInvocation} B of START/END/REPORT lines per invocation.`,
  );
  out.push(
    `- Not per event, so not above: CloudWatch custom metrics from EMF ($0.30 per metric per month for the metric × dimension combinations, about 30), the event source mappings' empty long polls (about 650k requests = $0.26 per queue per month), DynamoDB storage of subscriptions and integrations, and free tiers (which would lower every line).`,
  );
  out.push('');
  out.push('## Sensitivity (1 subscriber)');
  out.push('');
  out.push('| Change | Total |');
  out.push('|---|---:|');
  const variants: [string, CostAssumptions][] = [
    ['As above', a],
    ['Delivery batches of 1 (trickle traffic)', { ...a, deliveryBatchSize: 1 }],
    [
      'Every provider request carries 1 event',
      { ...a, providerMix: a.providerMix.map((mix) => ({ ...mix, eventsPerRequest: 1 })) },
    ],
    [
      'Subscriber answers in 1 s (wait 1,000 ms per batch)',
      { ...a, delivery: { ...a.delivery, waitMsPerBatch: 1000 } },
    ],
    ['10% of attempts retried', { ...a, retryRate: 0.1 }],
    ['10% of deliveries to slow endpoints (slow lane)', { ...a, slowLane: { ...a.slowLane, share: 0.1 } }],
  ];
  for (const [label, variant] of variants)
    out.push(`| ${label} | ${usd(costPerMillion(1, variant).total)} |`);
  out.push('');
  out.push('## What dominates, and what the design does about it');
  out.push('');
  const dynamoFive = five.byService.DynamoDB ?? 0;
  out.push(
    `- **DynamoDB** is the largest line (${usd(one.byService.DynamoDB ?? 0)} with one subscriber, ${usd(dynamoFive)} with five): above all the delivery log. It is one item per event, written once per round of attempts (one UpdateItem appends every subscription's attempt, no read of its own), so five subscribers cost one write of a larger item instead of five writes. No secondary index: delivery ids begin with the event time, so the table's own key order lists deliveries in time order within each of a tenant's 32 partition keys (write sharding, docs/capacity.md), and a page of logs merges them. Records expire through TTL (deletes are free), and the item stays small by keeping only the start of a response.`,
  );
  out.push(
    `- **Fan-out after the queue.** One EventBridge entry, one queue message and one log item per event, whatever the number of subscribers: the delivery function posts the event to each of them. A failing subscriber does not hold the others back: they are recorded as delivered, and the message's retries post only to the one still failing. So what grows with subscribers is only the POSTs themselves (Lambda time, log lines, data transfer). Events that match no subscription stop at ingest (no EventBridge entry, no queue message, no delivery), and only the subscription query is paid for them.`,
  );
  out.push(
    '- **No dedupe write at ingest.** Ids are deterministic, so a provider retry publishes the same delivery again and the delivery function, which reads the log item anyway, skips the subscriptions already done: a read at $0.125 per million instead of a write at $0.625. Only events with no time of their own (Twilio callbacks) need a first-arrival record.',
  );
  out.push(
    '- **Lambda** stays small because of batching: providers batch (SendGrid), the delivery function takes 10 records per invocation and sends them concurrently over keep-alive connections, and both functions run on arm64 (20% cheaper per GB-s than x86).',
  );
  out.push(
    '- **API Gateway** is an HTTP API ($1.00 per million) rather than a REST API ($3.50 per million); inbound requests need no authorizer invocation (they are verified by the provider signature).',
  );
  out.push(
    '- **CloudWatch** metrics are embedded-metric-format log lines (no PutMetricData calls at $0.01 per 1,000), one document per batch and status, and logs are one line per delivery at INFO.',
  );
  out.push('');
  const missed = [one, five].filter((breakdown) => breakdown.total > TARGETS[breakdown.subscribers]!);
  if (missed.length) {
    out.push('## Targets missed');
    out.push('');
    out.push(
      `With these assumptions the design misses ${missed.map((breakdown) => `the ${breakdown.subscribers}-subscriber target (${usd(breakdown.total)} > ${usd(TARGETS[breakdown.subscribers]!)})`).join(' and ')}; the sensitivity table shows which assumption moves it.`,
    );
    out.push('');
  }
  out.push(...lifecycleSection(a));
  const retry = retryCostPerMillion(a);
  const total = (lines: CostLine[]) => lines.reduce((sum, entry) => sum + entry.cost, 0);
  const longTail = parseRetrySchedule(LONG_TAIL_EXAMPLE);
  const viaScheduler = schedulerRetriesPerDelivery(longTail);
  const retriesPerFailure = longTail.delays.length;
  const perMillionFailures =
    (retriesPerFailure - viaScheduler) * total(retry.queue) + viaScheduler * total(retry.scheduler);
  out.push('## Long-tail retries: where a retry waits');
  out.push('');
  out.push(
    `A retry waits in its queue up to SQS's limit (11 h 55 min) and beyond it in EventBridge Scheduler (docs/delivery.md, "The long tail"). Per **1 million retries**; the receive of the message that comes back is the same either way and is left out. The Scheduler line is ${usd(PRICES.schedulerPerInvocation * MILLION)} per million only past the free 14 million invocations a month.`,
  );
  out.push('');
  out.push('| Where the retry waits | Item | Quantity per 1M retries | Cost |');
  out.push('|---|---|---:|---:|');
  for (const [label, lines] of [
    ['In its queue', retry.queue],
    ['In EventBridge Scheduler', retry.scheduler],
  ] as const) {
    for (const entry of lines) {
      out.push(
        `| ${label} | ${entry.service}: ${entry.item} | ${formatQuantity(entry.quantity, entry.unit)} | ${usd(entry.cost)} |`,
      );
    }
    out.push(`| ${label} | **Total** | | **${usd(total(lines))}** |`);
  }
  out.push('');
  out.push(
    `With \`retrySchedule: "${LONG_TAIL_EXAMPLE}"\`, a delivery that fails every attempt is retried ${retriesPerFailure} times, and only the top of the two 10-hour steps' spread is beyond SQS's limit: on average ${viaScheduler.toFixed(3)} of its retries wait in the Scheduler. A million such deliveries cost ${usd(perMillionFailures)} in retry waits, against ${usd(retriesPerFailure * total(retry.queue))} if SQS could hold them all. The attempts themselves (Lambda, log writes, POSTs) are the same under any schedule and are in the retry lines above.`,
  );
  out.push('');
  out.push('## Hosted services');
  out.push('');
  out.push('| Service | Per 1M events | Basis |');
  out.push('|---|---|---|');
  out.push(
    `| event-relay on AWS (this stack) | ${usd(one.total)} (1 subscriber), ${usd(five.total)} (5) | AWS list prices above, no platform fee |`,
  );
  for (const peer of HOSTED_PEERS)
    out.push(
      `| ${peer.name} | ${peer.perMillion} | ${peer.basis}; list price as of 2026-09-20 per [their pricing page](${peer.source}) |`,
    );
  out.push('');
  out.push('## Price sources');
  out.push('');
  for (const source of PRICE_SOURCES) out.push(`- ${source}`);
  out.push('');
  return out.join('\n');
}

// --- Parking, catch-up and replay (docs/lifecycle.md) ----------------------------------------------

/** A parked delivery's marker as `recordAttempts` writes it (shared/deliveries.ts), one subscription. */
export function sampleParkedMarkerItem(): Record<string, unknown> {
  const subscriptionId = 'sub_01JH8Z3K4Q9V7W2X5Y6Z8A1B20';
  const request = benchDeliveryRequest([subscriptionId], 'evt_Jq3sV0Yx8bPp2M1cW4nT7rLk9A');
  return {
    pk: `PARKED#${request.tenantId}#${subscriptionId}#07`,
    sk: `DLV#${request.deliveryId}`,
    eventType: request.eventType,
    payload: request.payload,
    parkedAt: '2025-01-15T10:30:06.123Z',
    expiresAt: 1739529006,
  };
}

/** A parked delivery's log item: the event and the subscription's status, no attempt yet. */
function sampleParkedLogItem(): Record<string, unknown> {
  const item = sampleDeliveryLogItem(1);
  for (const name of Object.keys(item)) {
    if (name.startsWith('status#')) item[name] = 'parked';
    if (name.startsWith('attempts#')) item[name] = [];
  }
  return item;
}

export interface LifecycleCosts {
  /** What parking adds per 1M events that arrive for a disabled subscription (beyond ingest and the log). */
  parking: CostLine[];
  /** What re-sending adds per 1M deliveries, for a catch-up (markers) and a replay (the log's window). */
  catchUp: CostLine[];
  replay: CostLine[];
  /** The re-sent delivery itself, as any delivery: queue, delivery function, log, logs, the POST. */
  resentDelivery: CostLine[];
}

/** Replay steps: a page is 10 s of sending at the rate (100 deliveries at the default 10/s). */
const REPLAY_PAGE = 100;
/** The replay function's time per step (read a page, claim, queue): assumed, I/O bound. */
const REPLAY_MS_PER_STEP = 800;
const REPLAY_MEMORY_MB = 512;

/**
 * The cost of parking and of re-sending per 1M deliveries to one subscription. Parking a delivery
 * costs its marker and a share of the batch's activity counter; the event's ingest, queue message and
 * log write are paid as for any event (and the POST is not). Re-sending costs reading the page (the
 * markers, or the log items of the window), the claim (a conditional write of the log item), a tenth
 * of a SendMessageBatch, the step messages and the replay function, and for a catch-up the marker's
 * delete; then the delivery itself.
 */
export function lifecycleCosts(a: CostAssumptions = DEFAULT_ASSUMPTIONS): LifecycleCosts {
  const deliveries = MILLION;
  const cost = (
    service: CostLine['service'],
    item: string,
    quantity: number,
    unit: string,
    price: number,
  ) => ({
    service,
    item,
    quantity,
    unit,
    cost: quantity * price,
  });
  const markerBytes = itemBytes(sampleParkedMarkerItem());
  const parkedLogBytes = itemBytes(sampleParkedLogItem());
  const logBytes = itemBytes(sampleDeliveryLogItem(1));
  const batches = deliveries / a.deliveryBatchSize;
  const parking: CostLine[] = [
    cost(
      'DynamoDB',
      `parked marker (PutItem, ${markerBytes} B → ${writeUnits(markerBytes)} WRU)`,
      deliveries * writeUnits(markerBytes),
      'WRU',
      PRICES.dynamoPerWriteUnit,
    ),
    cost(
      'DynamoDB',
      'parked count in the activity feed (one ADD per subscription and batch)',
      batches,
      'WRU',
      PRICES.dynamoPerWriteUnit,
    ),
    cost(
      'DynamoDB',
      `marker storage (${a.deliveryLogTtlDays}-day TTL at most; deleted on catch-up)`,
      (deliveries * Math.min(1, a.deliveryLogTtlDays / 30) * (markerBytes + 100)) / 1024 ** 3,
      'GB-month',
      PRICES.dynamoStoragePerGbMonth,
    ),
  ];
  const steps = deliveries / REPLAY_PAGE;
  const common = (readLine: CostLine): CostLine[] => [
    readLine,
    cost(
      'DynamoDB',
      `claim: conditional UpdateItem of the log item (${writeUnits(Math.max(parkedLogBytes, logBytes))} WRU)`,
      deliveries * writeUnits(Math.max(parkedLogBytes, logBytes)),
      'WRU',
      PRICES.dynamoPerWriteUnit,
    ),
    cost(
      'SQS',
      'SendMessageBatch to the status queue (10 per request)',
      deliveries / 10,
      'requests',
      PRICES.sqsPerRequest,
    ),
    cost(
      'SQS',
      `replay steps: send, receive, delete (one step per ${REPLAY_PAGE})`,
      steps * 3,
      'requests',
      PRICES.sqsPerRequest,
    ),
    cost(
      'DynamoDB',
      'settled count on the job (one ADD per job and delivery batch)',
      deliveries / a.deliveryBatchSize,
      'WRU',
      PRICES.dynamoPerWriteUnit,
    ),
    cost(
      'DynamoDB',
      'job progress and lock heartbeat (two writes per step)',
      steps * 2,
      'WRU',
      PRICES.dynamoPerWriteUnit,
    ),
    cost('Lambda', 'replay invocations (one per step)', steps, 'requests', PRICES.lambdaPerRequest),
    cost(
      'Lambda',
      `replay duration (${REPLAY_MEMORY_MB} MB arm64, ${REPLAY_MS_PER_STEP} ms per step, assumed)`,
      (steps * REPLAY_MS_PER_STEP * (REPLAY_MEMORY_MB / 1024)) / 1000,
      'GB-s',
      PRICES.lambdaArmPerGbSecond,
    ),
  ];
  const catchUp = [
    ...common(
      cost(
        'DynamoDB',
        `marker read (Query, ${markerBytes} B each, eventually consistent)`,
        (deliveries * markerBytes) / 4096 / 2,
        'RRU',
        PRICES.dynamoPerReadUnit,
      ),
    ),
    cost(
      'DynamoDB',
      'marker delete (BatchWriteItem, 1 WRU each)',
      deliveries,
      'WRU',
      PRICES.dynamoPerWriteUnit,
    ),
  ];
  const replay = common(
    cost(
      'DynamoDB',
      `log window read (Query, ${logBytes} B per event of the tenant's window, eventually consistent)`,
      (deliveries * logBytes) / 4096 / 2,
      'RRU',
      PRICES.dynamoPerReadUnit,
    ),
  );
  // The delivery itself, from the main model: everything after the queue message is sent.
  const afterQueue = (line: CostLine) =>
    (line.service === 'SQS' && !line.item.startsWith('SendMessage')) ||
    (line.service === 'Lambda' && line.item.startsWith('delivery')) ||
    (line.service === 'DynamoDB' &&
      (line.item.startsWith('delivery log read') ||
        line.item.startsWith('delivery log write') ||
        line.item.startsWith('delivery counters'))) ||
    line.service === 'Data transfer';
  const resentDelivery = costPerMillion(1, a).lines.filter(afterQueue);
  const invocations = (deliveries * (1 + a.retryRate)) / a.deliveryBatchSize;
  resentDelivery.push(
    cost(
      'CloudWatch',
      'delivery log lines and platform lines',
      (deliveries * (1 + a.retryRate) * a.delivery.logBytesPerDelivery +
        invocations * a.platformLogBytesPerInvocation) /
        1024 ** 3,
      'GB',
      PRICES.cloudWatchLogsIngestPerGb,
    ),
  );
  return { parking, catchUp, replay, resentDelivery };
}

const sumOf = (lines: readonly CostLine[]) => lines.reduce((sum, line) => sum + line.cost, 0);

/** The docs section on parking and re-sending (docs/cost.md). */
function lifecycleSection(a: CostAssumptions): string[] {
  const { parking, catchUp, replay, resentDelivery } = lifecycleCosts(a);
  const out: string[] = ['## Parking, catch-up and replay', ''];
  const delivered = costPerMillion(1, a);
  const post = delivered.lines.filter(
    (line) => line.service === 'Data transfer' || line.item.startsWith('delivery duration'),
  );
  out.push(
    `Per **1 million deliveries** to one subscription ([lifecycle](lifecycle.md)). A parked event is ingested, queued and logged like a delivered one (the first table's lines); parking adds ${usd(sumOf(parking))}, and saves at most the POST's share of the delivery time and the data transfer (${usd(sumOf(post))}). Re-sending adds ${usd(sumOf(catchUp))} for a catch-up and ${usd(sumOf(replay))} for a replay, on top of the re-sent delivery itself (${usd(sumOf(resentDelivery))}: the queue, the delivery function, the log, its log lines and the POST, as in the first table). So an event parked and caught up costs about ${usd(delivered.total - sumOf(post) + sumOf(parking) + sumOf(catchUp) + sumOf(resentDelivery))} per million, against ${usd(delivered.total)} delivered at once. The \`Deliveries Parked\` events are put on the bus at 1, 10, 100, … parked per disabled period: a handful per period, not per event.`,
  );
  out.push('');
  out.push('| Service | Item | Quantity per 1M deliveries | Cost |');
  out.push('|---|---|---:|---:|');
  for (const [title, lines] of [
    ['Parking', parking],
    ['Catch-up', catchUp],
    ['Replay of a window', replay],
    ['The re-sent delivery', resentDelivery],
  ] as const) {
    for (const entry of lines)
      out.push(
        `| ${entry.service} | ${title}: ${entry.item} | ${formatQuantity(entry.quantity, entry.unit)} | ${usd(entry.cost)} |`,
      );
    out.push(`| | **${title}** | | **${usd(sumOf(lines))}** |`);
  }
  out.push('');
  out.push(
    `A replay reads every log item of the tenant's window and keeps this subscription's: the read line is for a subscription that matches all of the tenant's events, and grows by the inverse of its share otherwise (a subscription that gets a tenth of the events reads ten items per delivery re-sent, ${usd(sumOf(replay.slice(0, 1)) * 10)} per million). Deliveries still pending, or no longer parked, are read and skipped without a claim.`,
  );
  out.push('');
  return out;
}

if (require.main === module) {
  const resultsAt = process.argv.indexOf('--results');
  const assumptions = assumptionsFromResults(resultsAt >= 0 ? process.argv[resultsAt + 1] : undefined);
  process.stdout.write(
    process.argv.includes('--markdown') ? renderMarkdown(assumptions) : `${summaryLine(assumptions)}\n`,
  );
}
