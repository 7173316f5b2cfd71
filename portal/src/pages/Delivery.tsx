import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, errorOf, type ApiError, type Schemas } from '../api/client';
import { DeliveryStatusBadge } from '../components/DeliveryStatus';
import { ErrorMessage, Loaded } from '../components/Status';
import { useLoad } from '../components/useLoad';
import { canManage, sessionInfo } from '../session';

export function DeliveryPage() {
  const { id = '', deliveryId = '' } = useParams();
  const delivery = useLoad(async () => {
    const result = await api.GET('/v1/webhooks/{id}/deliveries/{deliveryId}', {
      params: { path: { id, deliveryId } },
    });
    return { data: result.data, error: errorOf(result) };
  }, [id, deliveryId]);
  return (
    <>
      <p>
        <Link to={`/endpoints/${id}`}>← Back to the endpoint</Link>
      </p>
      <Loaded state={delivery} what="Delivery">
        {(data) => <Delivery endpointId={id} delivery={data} reload={delivery.reload} />}
      </Loaded>
    </>
  );
}

function Delivery({
  endpointId,
  delivery,
  reload,
}: {
  endpointId: string;
  delivery: Schemas['DeliveryDetail'];
  reload(): void;
}) {
  const [error, setError] = useState<ApiError>();
  const [queued, setQueued] = useState(false);
  const retry = async () => {
    const result = await api.POST('/v1/webhooks/{id}/deliveries/{deliveryId}/retry', {
      params: { path: { id: endpointId, deliveryId: delivery.deliveryId } },
    });
    setError(errorOf(result));
    if (result.data) {
      setQueued(true);
      reload();
    }
  };
  return (
    <>
      <div className="page-head">
        <div>
          <h1>
            Delivery <code>{delivery.deliveryId}</code>
          </h1>
          <p>
            <DeliveryStatusBadge status={delivery.status} /> <code>{delivery.eventType}</code> ·{' '}
            {new Date(delivery.createdAt).toLocaleString()}
          </p>
        </div>
        <div className="actions">
          <button type="button" className="secondary" onClick={reload}>
            Refresh
          </button>
          {canManage(sessionInfo()) && (
            <button type="button" onClick={() => void retry()} disabled={delivery.status === 'pending'}>
              Retry delivery
            </button>
          )}
        </div>
      </div>
      {queued && (
        <p className="notice" role="status">
          Queued again: a new attempt follows shortly. Refresh to see it.
        </p>
      )}
      {error && <ErrorMessage error={error} title="Could not retry" />}
      <section className="card" aria-labelledby="attempts-title">
        <h2 id="attempts-title">Attempts</h2>
        {delivery.attempts.length === 0 ? (
          <p>No attempt yet.</p>
        ) : (
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">Time</th>
                  <th scope="col">Status code</th>
                  <th scope="col">Latency</th>
                  <th scope="col">Response or error</th>
                </tr>
              </thead>
              <tbody>
                {delivery.attempts.map((attempt, index) => (
                  <tr key={index}>
                    <td>{index + 1}</td>
                    <td>{new Date(attempt.at).toLocaleString()}</td>
                    <td>{attempt.statusCode ?? '–'}</td>
                    <td>{Math.round(attempt.durationMs)} ms</td>
                    <td>
                      {attempt.error && <p className="attempt-error">{attempt.error}</p>}
                      {attempt.responseBody && <pre className="excerpt">{attempt.responseBody}</pre>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="request-title">
        <h2 id="request-title">Request</h2>
        <p>
          <code>POST {delivery.request.url}</code>
        </p>
        <h3>Headers</h3>
        <pre tabIndex={0} aria-label="Request headers">
          {Object.entries(delivery.request.headers)
            .map(([name, value]) => `${name}: ${value}`)
            .join('\n')}
        </pre>
        <h3>Body</h3>
        <pre tabIndex={0} aria-label="Request body">
          {JSON.stringify(delivery.event, null, 2)}
        </pre>
      </section>
    </>
  );
}
