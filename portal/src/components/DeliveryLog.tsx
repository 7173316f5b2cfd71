import { useState } from 'react';
import { Link } from 'react-router';
import { api, errorOf, type Schemas } from '../api/client';
import { DeliveryStatusBadge } from './DeliveryStatus';
import { EmptyState, ErrorMessage, Loading } from './Status';
import { useLoad } from './useLoad';

const STATUSES = ['succeeded', 'failed', 'pending', 'skipped', 'parked'] as const;
const PAGE_SIZE = 20;

/** `datetime-local` value (local time) → ISO, or undefined when empty. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

export function DeliveryLog({ endpoint, version }: { endpoint: Schemas['Webhook']; version: number }) {
  const [status, setStatus] = useState<'' | (typeof STATUSES)[number]>('');
  const [eventType, setEventType] = useState<'' | Schemas['Webhook']['events'][number]>('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  // Cursors of the pages before this one, so "Previous" can go back.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const log = useLoad(async () => {
    const result = await api.GET('/v1/webhooks/{id}/logs', {
      params: {
        path: { id: endpoint.id },
        query: {
          limit: PAGE_SIZE,
          ...(cursor && { cursor }),
          ...(status && { status }),
          ...(eventType && { eventType }),
          ...(since && { since: toIso(since) }),
          ...(until && { until: toIso(until) }),
        },
      },
    });
    return { data: result.data, error: errorOf(result) };
  }, [endpoint.id, cursor, status, eventType, since, until, version]);
  const filter =
    <T,>(setter: (value: T) => void) =>
    (value: T) => {
      setCursors([undefined]);
      setter(value);
    };

  return (
    <section className="card" aria-labelledby="log-title">
      <div className="section-head">
        <h2 id="log-title">Delivery log</h2>
        <button type="button" className="secondary" onClick={log.reload}>
          Refresh
        </button>
      </div>
      <div className="filters">
        <div className="field">
          <label htmlFor="log-status">Status</label>
          <select
            id="log-status"
            value={status}
            onChange={(e) => filter(setStatus)(e.target.value as typeof status)}
          >
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="log-type">Event type</label>
          <select
            id="log-type"
            value={eventType}
            onChange={(e) => filter(setEventType)(e.target.value as typeof eventType)}
          >
            <option value="">Any event type</option>
            {endpoint.events.map((type) => (
              <option key={type}>{type}</option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="log-since">From</label>
          <input
            id="log-since"
            type="datetime-local"
            value={since}
            onChange={(e) => filter(setSince)(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="log-until">To</label>
          <input
            id="log-until"
            type="datetime-local"
            value={until}
            onChange={(e) => filter(setUntil)(e.target.value)}
          />
        </div>
      </div>
      {log.error ? (
        <ErrorMessage error={log.error} />
      ) : !log.data ? (
        <Loading label="Loading deliveries…" />
      ) : log.data.items.length === 0 ? (
        <EmptyState
          title={status || eventType || since || until ? 'No deliveries match' : 'No deliveries yet'}
        >
          <p>
            {status || eventType || since || until
              ? 'Try other filters.'
              : 'Send a test event to see your first delivery here.'}
          </p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">Deliveries, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event type</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last response</th>
              </tr>
            </thead>
            <tbody>
              {log.data.items.map((delivery) => {
                const last = delivery.attempts.at(-1);
                return (
                  <tr key={delivery.deliveryId}>
                    <td>
                      <Link to={`/endpoints/${endpoint.id}/deliveries/${delivery.deliveryId}`}>
                        {new Date(delivery.createdAt).toLocaleString()}
                      </Link>
                    </td>
                    <td>
                      <code>{delivery.eventType}</code>
                    </td>
                    <td>
                      <DeliveryStatusBadge status={delivery.status} />
                    </td>
                    <td>{delivery.attempts.length}</td>
                    <td>
                      {last
                        ? last.statusCode !== undefined
                          ? `HTTP ${last.statusCode}`
                          : (last.error ?? '–')
                        : '–'}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <nav className="pager" aria-label="Delivery log pages">
        <button
          type="button"
          className="secondary"
          disabled={cursors.length < 2}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          Previous page
        </button>
        <button
          type="button"
          className="secondary"
          disabled={!log.data?.nextCursor}
          onClick={() => setCursors((c) => [...c, log.data?.nextCursor])}
        >
          Next page
        </button>
      </nav>
    </section>
  );
}
