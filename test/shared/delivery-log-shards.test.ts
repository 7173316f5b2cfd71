import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamo } from '../../lambdas/shared/aws';
import {
  LOG_SHARDS,
  listDeliveries,
  logPartitionOf,
  logShardOf,
  MAX_EVALUATED_PER_READ,
  readLog,
  recordAttempts,
  type DeliveryStatus,
} from '../../lambdas/shared/deliveries';
import { deliveryIdOf, type DeliveryRequest } from '../../lambdas/shared/events';
import { samplePayload } from '../../lambdas/api/samples';
import { capacityModel, shardSkew } from '../../bench/capacity';
import { useEmulators } from '../support/emulators';

describe('key spread of the delivery log', () => {
  it('spreads one tenant’s deliveries evenly over its shards, whatever the ids look like', () => {
    const start = Date.parse('2025-01-15T10:30:00.000Z');
    const samples: Record<string, string[]> = {
      // One busy second of one tenant: the same time prefix on every id.
      'events of one second': Array.from({ length: 50_000 }, (_, n) =>
        deliveryIdOf('tn_big', `evt_${n}`, new Date(start + (n % 1000)).toISOString()),
      ),
      // A day of events, some milliseconds apart.
      'events of a day': Array.from({ length: 50_000 }, (_, n) =>
        deliveryIdOf('tn_big', `evt_${n}`, new Date(start + n * 1728).toISOString()),
      ),
      'sequential ids': Array.from({ length: 50_000 }, (_, n) => `msg_${n}`),
    };
    for (const [name, ids] of Object.entries(samples)) {
      const counts = new Array<number>(LOG_SHARDS).fill(0);
      for (const id of ids) counts[logShardOf(id)]!++;
      const mean = ids.length / LOG_SHARDS;
      const spread = { name, busiest: Math.max(...counts) / mean, quietest: Math.min(...counts) / mean };
      expect([name, spread.busiest < 1.1 && spread.quietest > 0.9]).toEqual([name, true]);
    }
  });

  it('gives the same shard for the same delivery, and keeps tenants apart', () => {
    expect(logPartitionOf('tn_a', 'msg_1')).toBe(logPartitionOf('tn_a', 'msg_1'));
    expect(logPartitionOf('tn_a', 'msg_1')).toMatch(/^TENANT#tn_a#\d\d$/);
    expect(logPartitionOf('tn_a', 'msg_1').replace('tn_a', 'tn_b')).toBe(logPartitionOf('tn_b', 'msg_1'));
  });

  it('keeps every partition of a 10,000 events/s tenant below its write and read limits', () => {
    // With the shipped batchSize of 10: the per-batch state reads are on each subscription's own key.
    const model = capacityModel({ subscribers: 5, skew: shardSkew() });
    expect(model.inputs.batchSize).toBe(10);
    expect(model.perTenantEventsPerSecond).toBeGreaterThanOrEqual(10_000);
    const atTenThousand = model.atRate(10_000);
    expect(atTenThousand.busiestLogPartition.writeUnitsPerSecond).toBeLessThan(1_000);
    expect(atTenThousand.busiestLogPartition.readUnitsPerSecond).toBeLessThan(3_000);
    expect(atTenThousand.subscriptionsPartition.readUnitsPerSecond).toBeLessThan(3_000);
    expect(atTenThousand.statePartition.readUnitsPerSecond).toBeLessThan(3_000);
  });
});

describe('delivery log across shards (dynalite)', () => {
  let emulators: Awaited<ReturnType<typeof useEmulators>>;
  beforeAll(async () => {
    emulators = await useEmulators();
  });
  afterAll(() => emulators.stop());

  const request = (tenantId: string, deliveryId: string, subscriptionIds: string[]): DeliveryRequest => ({
    deliveryId,
    tenantId,
    subscriptionIds,
    eventType: 'EMAIL_OPEN',
    payload: samplePayload('EMAIL_OPEN', { id: `evt_${deliveryId}` }),
  });
  const record = (req: DeliveryRequest, status: (subscriptionId: string) => DeliveryStatus) =>
    recordAttempts(
      req,
      `m-${req.deliveryId}:1`,
      req.subscriptionIds.map((subscriptionId) => ({
        subscriptionId,
        status: status(subscriptionId),
        attempt: { at: '2025-01-15T10:30:00.000Z', durationMs: 3, statusCode: 200 },
      })),
      86_400,
    );
  /** Delivery ids that sort by n: `msg_0007`. */
  const idOf = (n: number) => `msg_${String(n).padStart(4, '0')}`;

  /** Every page of a subscription's log, following the cursor. */
  async function allPages(
    tenantId: string,
    subscriptionId: string,
    options: { limit: number; status?: DeliveryStatus },
  ): Promise<{ ids: string[]; pages: number }> {
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listDeliveries(tenantId, subscriptionId, { ...options, cursor });
      ids.push(...page.items.map((item) => item.deliveryId));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 1_000);
    return { ids, pages };
  }

  it('writes a tenant’s deliveries to all its partition keys, and pages them exactly in order', async () => {
    const tenantId = 'tn_sharded';
    // sub_a gets every event; sub_b every third, failed every second time it gets one.
    for (let n = 0; n < 300; n += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, k) => n + k).map((i) =>
          record(request(tenantId, idOf(i), i % 3 === 0 ? ['sub_a', 'sub_b'] : ['sub_a']), (sub) =>
            sub === 'sub_b' && i % 2 === 0 ? 'failed' : 'succeeded',
          ),
        ),
      );
    }
    await record(request('tn_other', idOf(1), ['sub_a']), () => 'succeeded');

    const { Items = [] } = await dynamo().send(
      new ScanCommand({ TableName: process.env.DELIVERIES_TABLE, ProjectionExpression: 'pk, tenantId' }),
    );
    const keys = new Set(Items.filter((item) => item.tenantId === tenantId).map((item) => item.pk));
    expect(keys.size).toBe(LOG_SHARDS);

    const newestFirst = (ids: number[]) => ids.sort((x, y) => y - x).map(idOf);
    const all = Array.from({ length: 300 }, (_, i) => i);
    for (const limit of [7, 100]) {
      const { ids } = await allPages(tenantId, 'sub_a', { limit });
      expect({ limit, ids }).toEqual({ limit, ids: newestFirst([...all]) });
    }
    expect((await allPages(tenantId, 'sub_b', { limit: 9 })).ids).toEqual(
      newestFirst(all.filter((i) => i % 3 === 0)),
    );
    expect((await allPages(tenantId, 'sub_b', { limit: 1, status: 'failed' })).ids).toEqual(
      newestFirst(all.filter((i) => i % 6 === 0)),
    );
    // Another tenant's delivery with the same id is not in this log, nor this tenant's in that one.
    expect((await allPages('tn_other', 'sub_a', { limit: 20 })).ids).toEqual([idOf(1)]);
  }, 60_000);

  it('reads a time window oldest first, and resumes after the last item', async () => {
    const first = await readLog('tn_sharded', {
      after: idOf(99),
      before: idOf(160),
      newestFirst: false,
      limit: 25,
    });
    expect(first.items.map((log) => log.deliveryId)).toEqual(
      Array.from({ length: 25 }, (_, k) => idOf(100 + k)),
    );
    const rest = await readLog('tn_sharded', {
      after: first.next,
      before: idOf(160),
      newestFirst: false,
      limit: 100,
    });
    expect(rest.items.map((log) => log.deliveryId)).toEqual(
      Array.from({ length: 35 }, (_, k) => idOf(125 + k)),
    );
    expect(rest.next).toBeUndefined();
  });

  it('bounds what one page reads: a rare subscription’s log comes in short pages, none lost', async () => {
    const tenantId = 'tn_rare';
    const total = MAX_EVALUATED_PER_READ + 600;
    const rare = new Set([5, 900, 1500, 2100, total - 3]);
    for (let n = 0; n < total; n += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, total - n) }, (_, k) => n + k).map((i) =>
          record(
            request(tenantId, idOf(i), rare.has(i) ? ['sub_common', 'sub_rare'] : ['sub_common']),
            () => 'succeeded',
          ),
        ),
      );
    }
    const { ids, pages } = await allPages(tenantId, 'sub_rare', { limit: 20 });
    expect(ids).toEqual([...rare].sort((x, y) => y - x).map(idOf));
    // 2,600 items to look through at most 2,000 a page: at least two pages.
    expect(pages).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
