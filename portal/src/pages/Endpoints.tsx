import { Link } from 'react-router';
import { api, errorOf, type Schemas } from '../api/client';
import { EndpointActivity } from '../components/Activity';
import { Badge, EmptyState, ErrorMessage, Loading } from '../components/Status';
import { useLoad } from '../components/useLoad';
import { canManage, sessionInfo } from '../session';

export function EndpointsPage() {
  const endpoints = useLoad(async () => {
    const result = await api.GET('/v1/webhooks', { params: { query: { limit: 100 } } });
    return { data: result.data?.items, error: errorOf(result) };
  }, []);
  const manage = canManage(sessionInfo());
  return (
    <>
      <div className="page-head">
        <h1>Endpoints</h1>
        {manage && (
          <Link className="button" to="/endpoints/new">
            Add endpoint
          </Link>
        )}
      </div>
      <p className="lead">
        Where we send your events. Each endpoint receives the event types it subscribes to.
      </p>
      {endpoints.error ? (
        <ErrorMessage error={endpoints.error} />
      ) : !endpoints.data ? (
        <Loading />
      ) : endpoints.data.length === 0 ? (
        <EmptyState title="No endpoints yet">
          <p>Add the URL of your server and pick the events it should receive; then send it a test event.</p>
          {manage && (
            <Link className="button" to="/endpoints/new">
              Add your first endpoint
            </Link>
          )}
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">Your endpoints</caption>
            <thead>
              <tr>
                <th scope="col">URL</th>
                <th scope="col">Events</th>
                <th scope="col">Status</th>
                <th scope="col">Last 24 hours</th>
              </tr>
            </thead>
            <tbody>
              {endpoints.data.map((endpoint) => (
                <EndpointRow key={endpoint.id} endpoint={endpoint} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function EndpointRow({ endpoint }: { endpoint: Schemas['Webhook'] }) {
  return (
    <tr>
      <td>
        <Link to={`/endpoints/${endpoint.id}`} className="url">
          {endpoint.url}
        </Link>
        {endpoint.description && <div className="muted">{endpoint.description}</div>}
      </td>
      <td>
        <ul className="tags" aria-label="Event types">
          {endpoint.events.map((type) => (
            <li key={type}>{type}</li>
          ))}
        </ul>
      </td>
      <td>
        <EndpointStatus endpoint={endpoint} />
      </td>
      <td>
        <EndpointActivity id={endpoint.id} compact />
      </td>
    </tr>
  );
}

export function EndpointStatus({ endpoint }: { endpoint: Schemas['Webhook'] }) {
  if (endpoint.status === 'active') return <Badge tone="good">Active</Badge>;
  return (
    <>
      <Badge tone="neutral">Disabled</Badge>
      {endpoint.disabledReason && <span className="muted"> {endpoint.disabledReason}</span>}
    </>
  );
}
