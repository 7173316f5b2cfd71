import { slotThroughput } from '../../bench/catch-up';

describe('catch-up throughput (bench figure 9)', () => {
  it('divides the arrivals by the slots they took: first to last arrival, plus the last slot', () => {
    // 10 a second for 3 seconds: slots at 0, 1 and 2 s.
    const arrivals = [0, 1000, 2000].flatMap((slot) => Array.from({ length: 10 }, (_, i) => slot + i * 5));
    expect(slotThroughput(arrivals)).toBeCloseTo(30 / (2.045 + 1), 6);
    expect(slotThroughput(arrivals)).toBeLessThanOrEqual(10);
    expect(slotThroughput([])).toBe(0);
  });
});
