/**
 * The capacity model: how many events per second one tenant, and one stack, can forward before
 * DynamoDB (or another service quota) throttles, from the per-partition limits, what each event reads
 * and writes, and the measured spread of the delivery log's keys.
 *
 *   npx tsx bench/capacity.ts              # the summary
 *   npx tsx bench/capacity.ts --markdown   # docs/capacity.md
 */
import { DEFAULT_CONFIG } from '../lib/config';
import { LOG_SHARDS, logShardOf } from '../lambdas/shared/deliveries';
import { deliveryIdOf } from '../lambdas/shared/events';
import {
  consistentReadUnits,
  DEFAULT_ASSUMPTIONS,
  dynamoItemBytes,
  readUnits,
  sampleDeliveryLogItem,
  sampleSubscriptionItem,
  writeUnits,
} from './cost';

/** What one partition (one partition key value, in practice) serves per second. */
export const PARTITION_LIMITS = { writeUnits: 1_000, readUnits: 3_000 } as const;

/** Default quotas (us-east-1) that bound a whole stack, with where they are stated. */
export const QUOTAS = {
  /** Per table, on-demand, adjustable (DynamoDB "table-level read/write throughput" quota). */
  tableWriteUnits: 40_000,
  tableReadUnits: 40_000,
  /** A new on-demand table's warm throughput; it doubles with traffic, at most twice the last peak in 30 minutes. */
  newTableWriteUnits: 4_000,
  newTableReadUnits: 12_000,
  /** EventBridge PutEvents, per account and region (us-east-1; 2,400 in us-east-2, less elsewhere). */
  putEventsPerSecond: 10_000,
  /** EventBridge rule invocations (one per event here), us-east-1. */
  eventBridgeInvocationsPerSecond: 18_750,
  /** API Gateway, per account and region, across all APIs. */
  apiGatewayRequestsPerSecond: 10_000,
  /** Lambda concurrent executions per account and region (adjustable). */
  lambdaConcurrency: 1_000,
} as const;

export const QUOTA_SOURCES = [
  'DynamoDB partitions: 1,000 write units and 3,000 read units per second each; new on-demand tables start at 4,000 writes and 12,000 reads per second of warm throughput; 40,000 read and write units per table by default, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html and https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/warm-throughput-scenarios.html',
  'EventBridge: PutEvents 10,000 per second and invocations 18,750 per second in us-east-1, https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html',
  'Lambda with SQS: up to 1,000 concurrent batches per event source mapping, scaling by up to 300 a minute, https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html',
  'API Gateway: 10,000 requests per second per account and region, https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html',
];

/**
 * How unevenly a busy tenant's deliveries fall on its shards: the busiest shard's share over the
 * mean, for `sampleSize` events of one tenant within one second (so every id has the same time part).
 */
export function shardSkew(sampleSize = 20_000): number {
  const counts = new Array<number>(LOG_SHARDS).fill(0);
  const start = Date.parse('2025-01-15T10:30:00.000Z');
  for (let n = 0; n < sampleSize; n++) {
    counts[logShardOf(deliveryIdOf('tn_big', `evt_${n}`, new Date(start + (n % 1000)).toISOString()))]!++;
  }
  return Math.max(...counts) / (sampleSize / LOG_SHARDS);
}

export interface CapacityInputs {
  subscribers: number;
  /** Busiest shard over the mean (`shardSkew()`). */
  skew: number;
  /** Share of attempts that fail and are retried (each retry is another round on the log item). */
  retryRate?: number;
  /** Provider events per inbound request, and distinct (event type, product) pairs per request. */
  eventsPerRequest?: number;
  subscriptionQueriesPerRequest?: number;
  /** Messages per delivery batch (cdk.json batchSize), all of this tenant's at volume. */
  batchSize?: number;
}

export interface PartitionLoad {
  writeUnitsPerSecond: number;
  readUnitsPerSecond: number;
}

const SUBSCRIPTION_LOOKUPS = 'subscription lookups at ingest';
const STATE_READS = 'subscription state reads (delivery, per batch)';

export function capacityModel(inputs: CapacityInputs) {
  const { subscribers, skew } = inputs;
  const retryRate = inputs.retryRate ?? DEFAULT_ASSUMPTIONS.retryRate;
  const eventsPerRequest = inputs.eventsPerRequest ?? 10;
  const queriesPerRequest = Math.min(eventsPerRequest, inputs.subscriptionQueriesPerRequest ?? 3);
  const logItemBytes = dynamoItemBytes(sampleDeliveryLogItem(subscribers)) - 3;
  // A round of attempts: one consistent GetItem of the event's log item, one UpdateItem of it. A
  // message comes back for another round when any of its deliveries failed.
  const roundsPerEvent = 1 + (1 - (1 - retryRate) ** subscribers);
  const logWriteUnits = writeUnits(logItemBytes) * roundsPerEvent;
  const logReadUnits = consistentReadUnits(logItemBytes) * roundsPerEvent;
  const subscriptionsBytes = subscribers * (dynamoItemBytes(sampleSubscriptionItem()) - 3);
  // The delivery function reads each subscription's state item (health + version) consistently once
  // per batch, each on a partition key of its own (lambdas/delivery/subscription-state.ts): 1 RRU per
  // subscription per batch, none on the tenant's key. The subscription itself comes from the
  // container's cache (re-read only after a change or in a cold container: not counted).
  const batchSize = inputs.batchSize ?? DEFAULT_CONFIG.batchSize;
  const stateReadUnitsPerBatch = 1;
  const stateReadUnitsPerEvent = (subscribers * stateReadUnitsPerBatch) / batchSize;
  const subscriptionReadUnitsPerEvent =
    (queriesPerRequest * readUnits(subscriptionsBytes)) / eventsPerRequest;

  // Per tenant: its log shards (each one partition key), and its one Subscriptions partition key.
  const logWriteLimited = (LOG_SHARDS * PARTITION_LIMITS.writeUnits) / (skew * logWriteUnits);
  const logReadLimited = (LOG_SHARDS * PARTITION_LIMITS.readUnits) / (skew * logReadUnits);
  const subscriptionsLimited = PARTITION_LIMITS.readUnits / subscriptionReadUnitsPerEvent;
  // Each subscription's state key: one read per batch, whatever the number of subscribers.
  const stateLimited = (PARTITION_LIMITS.readUnits * batchSize) / stateReadUnitsPerBatch;
  const perTenant = [
    { limit: 'delivery log writes', eventsPerSecond: logWriteLimited },
    { limit: 'delivery log reads', eventsPerSecond: logReadLimited },
    { limit: SUBSCRIPTION_LOOKUPS, eventsPerSecond: subscriptionsLimited },
    { limit: STATE_READS, eventsPerSecond: stateLimited },
  ].sort((x, y) => x.eventsPerSecond - y.eventsPerSecond);

  // Per stack, default quotas and cdk.json settings.
  const config = DEFAULT_CONFIG;
  const batchSeconds = DEFAULT_ASSUMPTIONS.delivery.waitMsPerBatch / 1000;
  const perStack = [
    {
      limit: 'Deliveries table, default table quota',
      eventsPerSecond: Math.min(QUOTAS.tableWriteUnits / logWriteUnits, QUOTAS.tableReadUnits / logReadUnits),
      setting: 'adjustable (Service Quotas)',
    },
    {
      limit: 'Deliveries table, warm throughput of a new on-demand table',
      eventsPerSecond: Math.min(
        QUOTAS.newTableWriteUnits / logWriteUnits,
        QUOTAS.newTableReadUnits / logReadUnits,
      ),
      setting: 'grows with traffic (twice the previous peak within 30 minutes), or pre-warmed',
    },
    {
      limit: 'Subscriptions table, default table quota (ingest lookups and per-batch state reads)',
      eventsPerSecond: QUOTAS.tableReadUnits / (subscriptionReadUnitsPerEvent + stateReadUnitsPerEvent),
      setting: 'adjustable (Service Quotas)',
    },
    {
      limit: 'EventBridge PutEvents (counted per entry, one entry per event)',
      eventsPerSecond: QUOTAS.putEventsPerSecond,
      setting: 'adjustable',
    },
    {
      limit: 'EventBridge rule invocations',
      eventsPerSecond: QUOTAS.eventBridgeInvocationsPerSecond,
      setting: 'adjustable',
    },
    {
      limit: `API stage throttle (cdk.json throttlingRateLimit ${config.throttlingRateLimit}/s × ${eventsPerRequest} events per request)`,
      eventsPerSecond: config.throttlingRateLimit * eventsPerRequest,
      setting: 'throttlingRateLimit, up to the account quota of 10,000 requests/s',
    },
    {
      limit: `Delivery functions (cdk.json maxConcurrency ${config.maxConcurrency} per status queue × batches of ${config.batchSize} in ${batchSeconds} s, one queue busy)`,
      eventsPerSecond: (config.maxConcurrency * config.batchSize) / batchSeconds,
      setting: `maxConcurrency (up to 1,000 per queue, within the account's ${QUOTAS.lambdaConcurrency.toLocaleString('en-US')} concurrent executions)`,
    },
  ];

  const atRate = (eventsPerSecond: number) => {
    const busiest = (eventsPerSecond / LOG_SHARDS) * skew;
    return {
      busiestLogPartition: {
        writeUnitsPerSecond: busiest * logWriteUnits,
        readUnitsPerSecond: busiest * logReadUnits,
      } satisfies PartitionLoad,
      subscriptionsPartition: { readUnitsPerSecond: eventsPerSecond * subscriptionReadUnitsPerEvent },
      /** Each subscription's state key. */
      statePartition: { readUnitsPerSecond: (eventsPerSecond / batchSize) * stateReadUnitsPerBatch },
    };
  };

  return {
    inputs: { subscribers, skew, retryRate, eventsPerRequest, queriesPerRequest, batchSize },
    logItemBytes,
    subscriptionsBytes,
    perEvent: {
      roundsPerEvent,
      logWriteUnits,
      logReadUnits,
      subscriptionReadUnitsPerEvent,
      stateReadUnitsPerEvent,
    },
    perTenant,
    perTenantEventsPerSecond: perTenant[0]!.eventsPerSecond,
    perStack,
    atRate,
  };
}

const fmt = (value: number) => Math.floor(value).toLocaleString('en-US');
const units = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(2));

export function summaryLine(skew = shardSkew()): string {
  return [1, 5]
    .map((subscribers) => {
      const model = capacityModel({ subscribers, skew });
      return `${fmt(model.perTenantEventsPerSecond)} events/s per tenant at ${subscribers} subscriber${subscribers > 1 ? 's' : ''} (limited by ${model.perTenant[0]!.limit})`;
    })
    .join('; ');
}

export function renderMarkdown(skew = shardSkew()): string {
  const one = capacityModel({ subscribers: 1, skew });
  const five = capacityModel({ subscribers: 5, skew });
  const single = capacityModel({ subscribers: 5, skew, eventsPerRequest: 1 });
  const oneBig = capacityModel({ subscribers: 1, skew, batchSize: 100 });
  const fiveBig = capacityModel({ subscribers: 5, skew, batchSize: 100 });
  const out: string[] = [];
  const p = (line = '') => out.push(line);
  p('# Capacity: events per second before throttling');
  p();
  p(
    'Generated by `npx tsx bench/capacity.ts --markdown > docs/capacity.md` from the delivery log item sizes of the cost model (bench/cost.ts), the key spread measured over real delivery ids, and the default AWS quotas below. `test/shared/delivery-log-shards.test.ts` checks the key spread and that one tenant reaches 10,000 events/s.',
  );
  p();
  p('## Summary');
  p();
  p('| | 1 subscriber | 5 subscribers |');
  p('|---|---:|---:|');
  p(
    `| One tenant, before any of its partitions throttles | ${fmt(one.perTenantEventsPerSecond)} events/s | ${fmt(five.perTenantEventsPerSecond)} events/s |`,
  );
  p(
    `| The same with batchSize 100 (and a batching window of 1 s or more) | ${fmt(oneBig.perTenantEventsPerSecond)} events/s | ${fmt(fiveBig.perTenantEventsPerSecond)} events/s |`,
  );
  p(`| Limited by (batchSize 100) | ${oneBig.perTenant[0]!.limit} | ${fiveBig.perTenant[0]!.limit} |`);
  p(`| Limited by | ${one.perTenant[0]!.limit} | ${five.perTenant[0]!.limit} |`);
  p(
    `| Before this design (one partition key per tenant) | ${fmt(PARTITION_LIMITS.writeUnits / one.perEvent.logWriteUnits)} events/s | ${fmt(PARTITION_LIMITS.writeUnits / five.perEvent.logWriteUnits)} events/s |`,
  );
  p();
  p('## Per-partition limits');
  p();
  p(
    `A DynamoDB partition serves at most ${fmt(PARTITION_LIMITS.writeUnits)} write units and ${fmt(PARTITION_LIMITS.readUnits)} read units a second, in on-demand mode too. All items under one partition key value live in one partition until DynamoDB splits it by sort key range, and a split does not help when every new write goes to the end of the range, as time-ordered sort keys do. So one partition key value is the unit that throttles: a tenant's hot keys, below, decide how far one tenant goes.`,
  );
  p();
  p('## What each event reads and writes');
  p();
  p('| Per event | 1 subscriber | 5 subscribers |');
  p('|---|---:|---:|');
  p(`| Delivery log item after one round | ${one.logItemBytes} B | ${five.logItemBytes} B |`);
  p(
    `| Rounds per event (${DEFAULT_ASSUMPTIONS.retryRate * 100}% of attempts retried) | ${one.perEvent.roundsPerEvent.toFixed(3)} | ${five.perEvent.roundsPerEvent.toFixed(3)} |`,
  );
  p(
    `| Log writes (one UpdateItem per round) | ${units(one.perEvent.logWriteUnits)} WRU | ${units(five.perEvent.logWriteUnits)} WRU |`,
  );
  p(
    `| Log reads (one consistent GetItem per round) | ${units(one.perEvent.logReadUnits)} RRU | ${units(five.perEvent.logReadUnits)} RRU |`,
  );
  p(
    `| Subscription lookup at ingest (${one.inputs.queriesPerRequest} queries per request of ${one.inputs.eventsPerRequest} events) | ${units(one.perEvent.subscriptionReadUnitsPerEvent)} RRU | ${units(five.perEvent.subscriptionReadUnitsPerEvent)} RRU |`,
  );
  p(
    `| Subscription state reads (one consistent read per subscription per batch of ${one.inputs.batchSize}, each on its own key) | ${units(one.perEvent.stateReadUnitsPerEvent)} RRU | ${units(five.perEvent.stateReadUnitsPerEvent)} RRU |`,
  );
  p();
  p('## The delivery log key design');
  p();
  p(
    `- **Write sharding.** An event's log item is keyed \`pk = TENANT#<tenant>#<shard>\`, \`sk = DLV#<deliveryId>\`, with \`shard\` = FNV-1a of the delivery id modulo ${LOG_SHARDS} (\`logShardOf\` in lambdas/shared/deliveries.ts). The shard follows from the delivery id, so the delivery function still reads and writes an event's item with one GetItem and one UpdateItem, and the API's single-delivery reads (retry) find it directly. Delivery ids begin with the event time, so each shard is in time order.`,
  );
  p(
    `- **Key spread.** Over ${fmt(20_000)} deliveries of one tenant within one second (every id with the same time part), the busiest of the ${LOG_SHARDS} shards gets ${skew.toFixed(3)}× the mean; the model uses that factor. At 10,000 events/s with five subscribers the busiest log partition takes ${fmt(five.atRate(10_000).busiestLogPartition.writeUnitsPerSecond)} WRU/s and ${fmt(five.atRate(10_000).busiestLogPartition.readUnitsPerSecond)} RRU/s (limits ${fmt(PARTITION_LIMITS.writeUnits)} and ${fmt(PARTITION_LIMITS.readUnits)}).`,
  );
  p(
    `- **Logs API.** A subscription's log merges the tenant's ${LOG_SHARDS} shards: each shard is queried newest first (a couple of items each to start, doubling for the shards that hold the page back) and an item is returned only once every shard that could still hold a newer one has been read past it. The cursor is the id of the last item returned, so paging is exact (no item skipped or repeated) whatever the shards hold. Cost bound: one page evaluates at most 2,000 items (about 250 RRU at 1 KB items) in at most 10 rounds of parallel queries; a selective filter (a rare subscription, a status) may give a short or empty page with a cursor. An unfiltered page of 20 reads about ${LOG_SHARDS * 2} items (${LOG_SHARDS} queries of 0.5 RRU minimum: about ${LOG_SHARDS / 2} RRU, $0.000002).`,
  );
  p(
    '- **Time windows.** A window (for replay) is a sort key range in each shard, read oldest first with the same merge, so it reads the window and nothing outside it.',
  );
  p(
    `- **Fixed shard count.** ${LOG_SHARDS} for every tenant: a small tenant pays ${LOG_SHARDS} small queries per page of logs instead of one, which costs nothing that shows; changing the count re-keys every item. Items written before this design (under \`TENANT#<tenant>\`) are not listed; they expire with the log's TTL.`,
  );
  p();
  p('## One tenant');
  p();
  p('| Hot key | Limit | 1 subscriber | 5 subscribers | 5 subscribers, 1 event per request |');
  p('|---|---|---:|---:|---:|');
  const row = (name: string, limitText: string) => {
    const of = (model: typeof one) =>
      fmt(model.perTenant.find((entry) => entry.limit === name)!.eventsPerSecond);
    p(`| ${name} | ${limitText} | ${of(one)} events/s | ${of(five)} events/s | ${of(single)} events/s |`);
  };
  row('delivery log writes', `${LOG_SHARDS} keys × ${fmt(PARTITION_LIMITS.writeUnits)} WRU/s`);
  row('delivery log reads', `${LOG_SHARDS} keys × ${fmt(PARTITION_LIMITS.readUnits)} RRU/s`);
  row(
    SUBSCRIPTION_LOOKUPS,
    `1 key (\`TENANT#<tenant>\` in Subscriptions) × ${fmt(PARTITION_LIMITS.readUnits)} RRU/s`,
  );
  row(
    STATE_READS,
    `1 key per subscription (\`TENANT#<tenant>#SUB#<id>\`) × ${fmt(PARTITION_LIMITS.readUnits)} RRU/s, 1 RRU per batch of ${one.inputs.batchSize}`,
  );
  p();
  p(
    `The subscription lookup is the next hot key: the inbound function queries the tenant's subscriptions once per distinct (event type, product) in a request, reading all of them (${five.inputs.subscribers} subscriptions are ${five.subscriptionsBytes} B: 0.5 RRU per query, eventually consistent). Batching providers stay below it from 5 events a request (SendGrid posts hundreds a request at volume); a provider posting one event per request (SES through SNS, Twilio) reaches it at ${fmt(single.perTenant.find((entry) => entry.limit === SUBSCRIPTION_LOOKUPS)!.eventsPerSecond)} events/s, which is this design's limit for such a tenant. Past it, the subscription set would need copies under several keys (written on every change, read from one at random); not built.`,
  );
  p();
  p(
    `The delivery function reads, once per batch and strongly consistently, each named subscription's state item: its endpoint health and its \`version\`, on a partition key of its own (\`pk = TENANT#<tenant>#SUB#<id>\`, \`sk = STATE\`), 1 RRU per subscription per batch (${units(five.perEvent.stateReadUnitsPerEvent)} RRU per event at five subscribers and batches of ${five.inputs.batchSize}). The subscription itself comes from the container's cache while the stored version is the one it was read at; every change through the API writes a fresh version after the subscription, so the next batch reads the new subscription from the tenant's key, once per container and change. So no per-batch read lands on the tenant's key, and each subscription's key takes one read per batch: ${fmt(PARTITION_LIMITS.readUnits * DEFAULT_CONFIG.batchSize)} events/s per subscription at batchSize ${DEFAULT_CONFIG.batchSize}. (Before, the subscription and its health item were both read per batch under \`TENANT#<tenant>\`: 2 RRU per subscription per batch on one key, ${fmt(PARTITION_LIMITS.readUnits / ((five.inputs.queriesPerRequest * readUnits(five.subscriptionsBytes)) / five.inputs.eventsPerRequest + (2 * 5) / DEFAULT_CONFIG.batchSize))} events/s for a tenant at five subscribers.) The state item is written only when an endpoint fails, changes state, recovers, or waits past the fast lane's patience (at most once per batch, and only until the endpoint is marked slow), and when the subscription changes. Items of the old layout are migrated lazily: a subscription whose state item has no version yet is read from the tenant's key and its state item is written then, with the old health item's fields.`,
  );
  p();
  p('## One stack');
  p();
  p('| Limit | Events/s (5 subscribers) | How to raise it |');
  p('|---|---:|---|');
  for (const entry of five.perStack)
    p(`| ${entry.limit} | ${fmt(entry.eventsPerSecond)} | ${entry.setting} |`);
  p();
  p(
    `With the shipped cdk.json the stack's own settings bind first: the API stage's throttle and the delivery functions' concurrency. For 10,000 events/s through one stack: throttlingRateLimit ≥ 10,000 ÷ events per request (1,000 at 10 events a request), maxConcurrency ≥ ${fmt((10_000 * (DEFAULT_ASSUMPTIONS.delivery.waitMsPerBatch / 1000)) / DEFAULT_CONFIG.batchSize)} on the queue that carries the traffic (${DEFAULT_CONFIG.batchSize}-message batches of ${DEFAULT_ASSUMPTIONS.delivery.waitMsPerBatch} ms; more if subscribers answer slowly), the account's Lambda concurrency raised above that, and the Deliveries table pre-warmed (or ramped over an hour) past the new table's ${fmt(QUOTAS.newTableWriteUnits)} WRU/s. The table's default 40,000-unit quota then carries ${fmt(five.perStack[0]!.eventsPerSecond)} events/s at five subscribers; the account's EventBridge PutEvents quota (${fmt(QUOTAS.putEventsPerSecond)}/s in us-east-1) is the first AWS quota above 10,000 to raise for more.`,
  );
  p();
  p('## Sources');
  p();
  for (const source of QUOTA_SOURCES) p(`- ${source}`);
  p();
  return out.join('\n');
}

if (require.main === module) {
  process.stdout.write(process.argv.includes('--markdown') ? renderMarkdown() : `${summaryLine()}\n`);
}
