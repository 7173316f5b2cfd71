import { useEffect, useState } from 'react';
import { api, errorOf, type ApiError, type Schemas } from '../api/client';
import { EmptyState, ErrorMessage, Loading } from './Status';

type Entry = Schemas['Activity'];
const PAGE_SIZE = 10;

const when = (iso: string | undefined) => (iso ? new Date(iso).toLocaleString() : '?');
const BY = { system: 'by the system', api: 'through the API', portal: 'in the portal' } as const;
const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** One operational event, said in a sentence. */
function describe(entry: Entry): { title: string; detail?: string } {
  const by = entry.by ? ` ${BY[entry.by]}` : '';
  const what = entry.kind === 'catch-up' ? 'Catch-up' : 'Replay';
  switch (entry.type) {
    case 'Subscription Disabled':
      return { title: `Disabled${by}`, detail: entry.reason };
    case 'Subscription Re-enabled':
      return {
        title: `Re-enabled${by}`,
        detail:
          entry.parked === undefined
            ? undefined
            : entry.catchUp
              ? `${plural(entry.parked, 'parked delivery', 'parked deliveries')}, delivered by a catch-up`
              : `${plural(entry.parked, 'parked delivery', 'parked deliveries')} left parked`,
      };
    case 'Deliveries Parked':
      return {
        title: `${plural(entry.parked ?? 0, 'delivery', 'deliveries')} parked while disabled`,
        detail: entry.lastParkedAt && `the latest at ${when(entry.lastParkedAt)}`,
      };
    case 'Replay Started':
      return {
        title: `${what} started`,
        detail:
          entry.kind === 'catch-up'
            ? `${plural(entry.total ?? 0, 'parked delivery', 'parked deliveries')}, oldest first, at ${entry.ratePerSecond ?? '?'} a second`
            : `${entry.status === 'failed' ? 'failed deliveries' : 'every delivery'} from ${when(entry.since)} to ${when(entry.until)}`,
      };
    case 'Replay Finished':
      return {
        title: `${what} finished`,
        detail: `${plural(entry.queued ?? 0, 'delivery', 'deliveries')} queued again${entry.skipped ? `, ${entry.skipped} left alone` : ''}`,
      };
  }
}

/**
 * The endpoint's lifecycle, newest first (disabled, re-enabled, parked, replays started and finished),
 * from its activity feed; `version` changes reload it from the top.
 */
export function Timeline({ id, version }: { id: string; version: string }) {
  const [entries, setEntries] = useState<Entry[]>();
  const [cursor, setCursor] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [loadingMore, setLoadingMore] = useState(false);

  const load = async (after?: string) => {
    const result = await api.GET('/v1/webhooks/{id}/activity', {
      params: { path: { id }, query: { limit: PAGE_SIZE, ...(after && { cursor: after }) } },
    });
    return { page: result.data, error: errorOf(result) };
  };
  useEffect(() => {
    let live = true;
    void load().then(
      ({ page, error }) => {
        if (!live) return;
        setError(error);
        if (page) {
          setEntries(page.items);
          setCursor(page.nextCursor);
        }
      },
      (failure: unknown) =>
        live && setError({ code: 'network_error', message: `Could not reach the API: ${String(failure)}` }),
    );
    return () => {
      live = false;
    };
  }, [id, version]);

  const more = async () => {
    setLoadingMore(true);
    const { page, error } = await load(cursor).catch((failure: unknown) => ({
      page: undefined,
      error: { code: 'network_error', message: `Could not reach the API: ${String(failure)}` },
    }));
    setLoadingMore(false);
    setError(error);
    if (page) {
      setEntries((current) => [...(current ?? []), ...page.items]);
      setCursor(page.nextCursor);
    }
  };

  return (
    <section className="card" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <p className="hint">
        Disabled, re-enabled, parked, replayed: what happened to this endpoint, newest first.
      </p>
      {error && <ErrorMessage error={error} />}
      {!entries ? (
        !error && <Loading />
      ) : entries.length === 0 ? (
        <EmptyState title="Nothing yet">
          <p>When this endpoint is disabled, re-enabled or replayed, it shows here.</p>
        </EmptyState>
      ) : (
        <ol className="timeline">
          {entries.map((entry) => {
            const { title, detail } = describe(entry);
            return (
              <li key={entry.activityId}>
                <time dateTime={entry.at}>{when(entry.at)}</time>
                <strong>{title}</strong>
                {detail && <span className="muted">{detail}</span>}
              </li>
            );
          })}
        </ol>
      )}
      {cursor && (
        <div className="pager">
          <button type="button" className="secondary" onClick={() => void more()} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Show older'}
          </button>
        </div>
      )}
    </section>
  );
}
