import { boundedMemo } from '../../lambdas/shared/memo';

describe('boundedMemo', () => {
  it('computes each key once, undefined results included, and drops the oldest beyond the limit', () => {
    const calls: string[] = [];
    const memo = boundedMemo(2, (key: string) => {
      calls.push(key);
      return key === 'bad' ? undefined : key.toUpperCase();
    });
    expect([memo('a'), memo('a'), memo('bad'), memo('bad')]).toEqual(['A', 'A', undefined, undefined]);
    expect(calls).toEqual(['a', 'bad']);
    memo('c'); // evicts 'a', the oldest
    expect([memo('bad'), memo('c'), memo('a')]).toEqual([undefined, 'C', 'A']);
    expect(calls).toEqual(['a', 'bad', 'c', 'a']);
  });
});
