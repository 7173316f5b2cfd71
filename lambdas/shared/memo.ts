/**
 * `compute` memoized by its string argument, keeping at most `limit` results (the oldest goes first).
 * For pure work a warm function would otherwise repeat per delivery or per request: decoding a secret,
 * parsing a URL or a public key.
 */
export function boundedMemo<T>(limit: number, compute: (key: string) => T): (key: string) => T {
  const results = new Map<string, T>();
  return (key) => {
    if (results.has(key)) return results.get(key) as T;
    const value = compute(key);
    if (results.size >= limit) results.delete(results.keys().next().value!);
    results.set(key, value);
    return value;
  };
}
