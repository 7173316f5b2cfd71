import {
  costPerMillion,
  DEFAULT_ASSUMPTIONS,
  dynamoItemBytes,
  lifecycleCosts,
  readUnits,
  LONG_TAIL_EXAMPLE,
  renderMarkdown,
  retryCostPerMillion,
  schedulerRetriesPerDelivery,
  writeUnits,
  type CostAssumptions,
} from '../../bench/cost';
import { parseRetrySchedule } from '../../lambdas/shared/retry-schedule';

const assumptions: CostAssumptions = {
  ...DEFAULT_ASSUMPTIONS,
  providerMix: [{ provider: 'one event per request', share: 1, eventsPerRequest: 1 }],
  deliveryBatchSize: 10,
  retryRate: 0,
};

const lineCost = (subscribers: number, prefix: string) =>
  costPerMillion(subscribers, assumptions)
    .lines.filter((line) => line.item.startsWith(prefix))
    .reduce((sum, line) => sum + line.cost, 0);

describe('cost model arithmetic', () => {
  it('bills one API Gateway request and one inbound invocation per provider request', () => {
    const breakdown = costPerMillion(1, assumptions);
    expect(breakdown.byService['API Gateway']).toBeCloseTo(1.0, 10);
    expect(lineCost(1, 'inbound invocations')).toBeCloseTo(0.2, 10);
  });

  it('bills one EventBridge event, one SendMessage and one log write per event, whatever the subscribers', () => {
    expect(costPerMillion(1, assumptions).byService.EventBridge).toBeCloseTo(1.0, 10);
    expect(costPerMillion(5, assumptions).byService.EventBridge).toBeCloseTo(1.0, 10);
    expect(lineCost(5, 'SendMessage')).toBeCloseTo(0.4, 10);
    // One write per event: 1 WRU with one subscriber; the five-subscriber item is larger (2 WRU).
    expect(lineCost(1, 'delivery log write')).toBeCloseTo(0.625, 10);
    expect(lineCost(5, 'delivery log write')).toBeCloseTo(1.25, 10);
  });

  it("adds the portal's delivery counters once per batch, not per delivery: under $0.20 per million events", () => {
    // 100,000 batches of 10 events, one write unit each, with one subscriber or five.
    expect(lineCost(1, 'delivery counters')).toBeCloseTo(0.0625, 10);
    expect(lineCost(5, 'delivery counters')).toBeCloseTo(0.0625, 10);
    expect(
      costPerMillion(5, DEFAULT_ASSUMPTIONS).lines.find((line) => line.item.startsWith('delivery counters'))!
        .cost,
    ).toBeLessThan(0.2);
  });

  it('bills the POSTs themselves per subscriber: data transfer grows fivefold', () => {
    expect(lineCost(5, 'webhook POSTs')).toBeCloseTo(5 * lineCost(1, 'webhook POSTs'), 10);
  });

  it('retries a message when any of its deliveries failed', () => {
    const retried = { ...assumptions, retryRate: 0.1 };
    const visibility = (subscribers: number) =>
      costPerMillion(subscribers, retried)
        .lines.filter((line) => line.item.startsWith('ChangeMessageVisibility'))
        .reduce((sum, line) => sum + line.quantity, 0);
    expect(visibility(1)).toBeCloseTo(100_000, 6);
    expect(visibility(2)).toBeCloseTo(190_000, 6);
  });

  it('divides receive, delete and delivery invocations by the batch size', () => {
    expect(lineCost(1, 'ReceiveMessage')).toBeCloseTo(0.04, 10);
    expect(lineCost(1, 'DeleteMessageBatch')).toBeCloseTo(0.04, 10);
    expect(lineCost(1, 'delivery invocations')).toBeCloseTo(0.02, 10);
  });

  it('fewer events per provider request cost more at the edge', () => {
    const batched = costPerMillion(1, DEFAULT_ASSUMPTIONS).byService['API Gateway']!;
    expect(batched).toBeLessThan(costPerMillion(1, assumptions).byService['API Gateway']!);
  });

  it('totals are the sum of the lines and name the dominant service', () => {
    const breakdown = costPerMillion(5, DEFAULT_ASSUMPTIONS);
    const sum = breakdown.lines.reduce((total, line) => total + line.cost, 0);
    expect(breakdown.total).toBeCloseTo(sum, 10);
    const largest = Math.max(...Object.values(breakdown.byService));
    expect(breakdown.byService[breakdown.dominant.service]).toBe(largest);
  });
});

describe('parking and re-sending', () => {
  const costs = lifecycleCosts(assumptions);
  const quantity = (lines: { item: string; quantity: number }[], prefix: string) =>
    lines.filter((line) => line.item.startsWith(prefix)).reduce((sum, line) => sum + line.quantity, 0);

  it('parks with one marker write per delivery and one counter write per batch, not per delivery', () => {
    expect(quantity(costs.parking, 'parked marker')).toBe(1_000_000);
    expect(quantity(costs.parking, 'parked count')).toBe(100_000);
  });

  it('re-sends with a claim per delivery, a tenth of a SendMessageBatch, and a step per page', () => {
    for (const lines of [costs.catchUp, costs.replay]) {
      expect(quantity(lines, 'claim')).toBe(1_000_000);
      expect(quantity(lines, 'SendMessageBatch')).toBe(100_000);
      expect(quantity(lines, 'replay invocations')).toBe(10_000);
    }
    // A catch-up deletes its markers; a replay leaves the log as it is.
    expect(quantity(costs.catchUp, 'marker delete')).toBe(1_000_000);
    expect(quantity(costs.replay, 'marker delete')).toBe(0);
  });

  it('counts the re-sent delivery as a delivery after the queue: no ingest, no EventBridge', () => {
    const services = new Set(costs.resentDelivery.map((line) => line.service));
    expect(services.has('API Gateway')).toBe(false);
    expect(services.has('EventBridge')).toBe(false);
    expect(quantity(costs.resentDelivery, 'delivery log write')).toBe(1_000_000);
    expect(quantity(costs.resentDelivery, 'SendMessage')).toBe(0);
  });
});

describe('DynamoDB units', () => {
  it('rounds writes up per KB and eventually consistent reads to half a unit per 4 KB', () => {
    expect(writeUnits(1)).toBe(1);
    expect(writeUnits(1024)).toBe(1);
    expect(writeUnits(1025)).toBe(2);
    expect(readUnits(100)).toBe(0.5);
    expect(readUnits(4097)).toBe(1);
  });

  it('sizes items by attribute names and values', () => {
    expect(dynamoItemBytes('abc')).toBe(3);
    expect(dynamoItemBytes(true)).toBe(1);
    expect(dynamoItemBytes(12345)).toBe(4);
    expect(dynamoItemBytes({ ab: 'cd' })).toBe(3 + 2 + 1 + 2);
    expect(dynamoItemBytes(['a', 'b'])).toBe(3 + 2 + 2);
  });
});

describe('docs/cost.md', () => {
  it('renders both subscriber counts, the targets and the hosted peers', () => {
    const markdown = renderMarkdown(DEFAULT_ASSUMPTIONS);
    expect(markdown).toContain('| | 1 subscriber | 5 subscribers |');
    expect(markdown).toContain('≤ $4.00');
    expect(markdown).toContain('≤ $6.50');
    expect(markdown).toContain('Hookdeck');
    expect(markdown).toContain('$0.625 per million write request units');
    expect(markdown).toContain('## Parking, catch-up and replay');
  });
});

describe('long-tail retries', () => {
  const total = (lines: { cost: number }[]) => lines.reduce((sum, entry) => sum + entry.cost, 0);

  it('bills a retry that waits in the Scheduler one invocation and one SendMessage more than one in its queue', () => {
    const { queue, scheduler } = retryCostPerMillion(assumptions);
    expect(total(queue)).toBeCloseTo(0.4, 10);
    // $1.00 Scheduler + $0.40 SendMessage + $0.04 deletes + the CreateSchedule wait (about $0.02).
    expect(total(scheduler)).toBeGreaterThan(1.44);
    expect(total(scheduler)).toBeLessThan(1.5);
  });

  it('sends only the top of the 10-hour steps’ spread through the Scheduler in the long-tail example', () => {
    const schedule = parseRetrySchedule(LONG_TAIL_EXAMPLE);
    // Each 10-hour step waits 28,800–43,200 s; beyond 42,900 s is 300 of its 14,401 seconds.
    expect(schedulerRetriesPerDelivery(schedule)).toBeCloseTo((2 * 300) / 14_401, 10);
    expect(schedulerRetriesPerDelivery(parseRetrySchedule('1m,5m,30m'))).toBe(0);
    expect(schedulerRetriesPerDelivery(parseRetrySchedule('1h,1d'))).toBe(1);
    expect(renderMarkdown()).toContain('## Long-tail retries: where a retry waits');
  });
});
