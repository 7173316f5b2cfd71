import { useCallback, useEffect, useState } from 'react';
import type { ApiError } from '../api/client';

export interface Loaded<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  reload(): void;
}

/** Runs `load` when `deps` change (and on `reload`); the latest answer wins. */
export function useLoad<T>(
  load: () => Promise<{ data?: T; error?: ApiError }>,
  deps: readonly unknown[],
): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  const run = useCallback(load, deps);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    run().then(
      (result) => current && setState({ ...result, loading: false }),
      (error: unknown) =>
        current &&
        setState({
          error: { code: 'network_error', message: `Could not reach the API: ${String(error)}` },
          loading: false,
        }),
    );
    return () => {
      current = false;
    };
  }, [run, generation]);
  return { ...state, reload: () => setGeneration((value) => value + 1) };
}
