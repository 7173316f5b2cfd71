import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { api, errorOf, type ApiError, type Schemas } from '../api/client';
import { EndpointActivity } from '../components/Activity';
import { CopyButton } from '../components/CopyButton';
import { DeliveryLog } from '../components/DeliveryLog';
import { ConfirmDialog } from '../components/Dialog';
import { EnableDialog, LifecycleStatus, replayDone, useLatestReplay } from '../components/Lifecycle';
import { ReplayDialog } from '../components/ReplayDialog';
import { Timeline } from '../components/Timeline';
import { VerificationSnippets } from '../components/Snippets';
import { ErrorMessage, Loaded } from '../components/Status';
import { useLoad } from '../components/useLoad';
import { canManage, sessionInfo } from '../session';
import { EndpointStatus } from './Endpoints';

export function EndpointPage() {
  const { id = '' } = useParams();
  const endpoint = useLoad(async () => {
    const result = await api.GET('/v1/webhooks/{id}', { params: { path: { id } } });
    return { data: result.data, error: errorOf(result) };
  }, [id]);
  return (
    <Loaded state={endpoint} what="Endpoint">
      {(data) => <Endpoint endpoint={data} reload={endpoint.reload} />}
    </Loaded>
  );
}

type Action = 'disable' | 'enable' | 'replay' | 'delete';

function Endpoint({ endpoint, reload }: { endpoint: Schemas['Webhook']; reload(): void }) {
  const manage = canManage(sessionInfo());
  const navigate = useNavigate();
  const saved = (useLocation().state as { saved?: string } | null)?.saved;
  const [error, setError] = useState<ApiError>();
  const [logVersion, setLogVersion] = useState(0);
  const [action, setAction] = useState<Action>();
  const parked = useLoad(async () => {
    const result = await api.GET('/v1/webhooks/{id}/parked', { params: { path: { id: endpoint.id } } });
    return { data: result.data?.parked, error: errorOf(result) };
  }, [endpoint.id, endpoint.status, logVersion]);
  const replay = useLatestReplay(endpoint.id);
  const done = replay.job ? replayDone(replay.job) : true;
  // When a replay or catch-up settles, the log and the parked count show where its deliveries went.
  const wasDone = useRef(done);
  useEffect(() => {
    if (done && !wasDone.current) setLogVersion((v) => v + 1);
    wasDone.current = done;
  }, [done]);

  const update = async (body: { status: 'active' | 'disabled'; catchUp?: boolean }) => {
    const result = await api.PUT('/v1/webhooks/{id}', { params: { path: { id: endpoint.id } }, body });
    const failure = errorOf(result);
    if (result.data?.catchUp) replay.start(result.data.catchUp);
    if (result.data) reload();
    return failure;
  };
  // Asks only when something is parked (or the count is unknown).
  const enable = async () => {
    if (parked.data !== 0) return setAction('enable');
    setError(await update({ status: 'active' }));
  };
  const catchUp = async () => setError(await update({ status: 'active', catchUp: true }));
  const remove = async () => {
    const result = await api.DELETE('/v1/webhooks/{id}', { params: { path: { id: endpoint.id } } });
    const failure = errorOf(result);
    if (!failure) navigate('/endpoints', { replace: true });
    return failure;
  };
  const close = () => setAction(undefined);

  return (
    <>
      <p>
        <Link to="/endpoints">← All endpoints</Link>
      </p>
      {saved && (
        <p className="notice" role="status">
          {saved}
        </p>
      )}
      <div className="page-head">
        <div>
          <h1 className="url">{endpoint.url}</h1>
          <p>
            <EndpointStatus endpoint={endpoint} />{' '}
            {endpoint.description && <span className="muted">{endpoint.description}</span>}
          </p>
        </div>
        {manage && (
          <div className="actions">
            <Link className="button secondary" to={`/endpoints/${endpoint.id}/edit`}>
              Edit
            </Link>
            {endpoint.status === 'active' ? (
              <button type="button" className="secondary" onClick={() => setAction('disable')}>
                Disable
              </button>
            ) : (
              <button
                type="button"
                className="secondary"
                onClick={() => void enable()}
                disabled={parked.loading && parked.data === undefined}
              >
                Enable
              </button>
            )}
            <button type="button" className="secondary" onClick={() => setAction('replay')}>
              Replay
            </button>
            <button type="button" className="danger" onClick={() => setAction('delete')}>
              Delete
            </button>
          </div>
        )}
      </div>
      {error && <ErrorMessage error={error} />}
      {replay.error && <ErrorMessage error={replay.error} title="Could not read the replay's progress" />}
      <LifecycleStatus
        endpoint={endpoint}
        parked={parked.data}
        job={replay.job}
        manage={manage && done}
        onCatchUp={() => void catchUp()}
      />
      <dl className="facts">
        <div>
          <dt>Events</dt>
          <dd>{endpoint.events.join(', ')}</dd>
        </div>
        <div>
          <dt>Products</dt>
          <dd>{endpoint.products?.join(', ') || 'All'}</dd>
        </div>
        <div>
          <dt>Basic Auth</dt>
          <dd>{endpoint.auth ? `as ${endpoint.auth.username}` : 'None'}</dd>
        </div>
        <div>
          <dt>Custom headers</dt>
          <dd>{Object.keys(endpoint.headers ?? {}).join(', ') || 'None'}</dd>
        </div>
        <div>
          <dt>Endpoint id</dt>
          <dd>
            <code>{endpoint.id}</code>
          </dd>
        </div>
      </dl>
      <EndpointActivity id={endpoint.id} version={logVersion} />
      <Timeline
        id={endpoint.id}
        version={`${endpoint.updatedAt} ${logVersion} ${replay.job?.replayId ?? ''} ${replay.job?.state ?? ''}`}
      />
      {manage && <TestEvent endpoint={endpoint} onSent={() => setLogVersion((v) => v + 1)} />}
      {manage && <Secret endpoint={endpoint} />}
      <DeliveryLog endpoint={endpoint} version={logVersion} />

      {action === 'disable' && (
        <ConfirmDialog
          title="Disable this endpoint"
          action="Disable endpoint"
          onConfirm={() => update({ status: 'disabled' })}
          onClose={close}
        >
          <p>
            Deliveries to it stop at once. Its events are not lost: they are kept as parked deliveries, and
            when you enable it again you can have them delivered.
          </p>
        </ConfirmDialog>
      )}
      {action === 'enable' && (
        <EnableDialog
          parked={parked.data}
          onEnable={(withParked) => update({ status: 'active', ...(withParked && { catchUp: true }) })}
          onClose={close}
        />
      )}
      {action === 'replay' && (
        <ReplayDialog
          endpoint={endpoint}
          onStarted={replay.start}
          onConflict={replay.refresh}
          onClose={close}
        />
      )}
      {action === 'delete' && (
        <ConfirmDialog
          title="Delete this endpoint"
          action="Delete endpoint"
          danger
          onConfirm={remove}
          onClose={close}
        >
          <p>
            <span className="url">{endpoint.url}</span> stops receiving events at once, and its parked
            deliveries will never be sent. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
    </>
  );
}

function TestEvent({ endpoint, onSent }: { endpoint: Schemas['Webhook']; onSent(): void }) {
  const [eventType, setEventType] = useState(endpoint.events[0]!);
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<Schemas['TestResult'] | undefined>();
  const [error, setError] = useState<ApiError>();
  const send = async () => {
    setSending(true);
    setResult(undefined);
    const answer = await api.POST('/v1/webhooks/{id}/test', {
      params: { path: { id: endpoint.id } },
      body: { eventType },
    });
    setSending(false);
    setError(errorOf(answer));
    setResult(answer.data);
    onSent();
  };
  return (
    <section className="card" aria-labelledby="test-title">
      <h2 id="test-title">Send a test event</h2>
      <p className="hint">
        A sample event, signed and sent now like a real delivery. It appears in the delivery log.
      </p>
      <div className="row">
        <div className="field">
          <label htmlFor="test-type">Event type</label>
          <select
            id="test-type"
            value={eventType}
            onChange={(e) => setEventType(e.target.value as typeof eventType)}
          >
            {endpoint.events.map((type) => (
              <option key={type}>{type}</option>
            ))}
          </select>
        </div>
        <button type="button" onClick={() => void send()} disabled={sending}>
          {sending ? 'Sending…' : 'Send test event'}
        </button>
      </div>
      <div aria-live="polite">
        {error && <ErrorMessage error={error} title="The test event was not sent" />}
        {result && (
          <div className={`result ${result.delivered ? 'result-ok' : 'result-bad'}`} role="status">
            <strong>{result.delivered ? 'Delivered' : 'Not delivered'}</strong>
            <span>
              {result.statusCode !== undefined ? `HTTP ${result.statusCode}` : 'No response'} ·{' '}
              {Math.round(result.durationMs)} ms
            </span>
            {result.error && <p>Error: {result.error}</p>}
            {result.responseBody && (
              <>
                <p>Response body:</p>
                <pre>{result.responseBody}</pre>
              </>
            )}
            <Link to={`/endpoints/${endpoint.id}/deliveries/${result.deliveryId}`}>View this delivery</Link>
          </div>
        )}
      </div>
    </section>
  );
}

const GRACE_PERIODS = [
  { seconds: 0, label: 'None: the old secret stops at once' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours' },
  { seconds: 604_800, label: '7 days' },
];

function Secret({ endpoint }: { endpoint: Schemas['Webhook'] }) {
  const [secret, setSecret] = useState<Schemas['WebhookSecret']>();
  const [error, setError] = useState<ApiError>();
  const [grace, setGrace] = useState(86_400);
  const [rotated, setRotated] = useState<string>();
  const reveal = async () => {
    const result = await api.GET('/v1/webhooks/{id}/secret', { params: { path: { id: endpoint.id } } });
    setError(errorOf(result));
    setSecret(result.data);
  };
  const rotate = async () => {
    const result = await api.POST('/v1/webhooks/{id}/secret/rotate', {
      params: { path: { id: endpoint.id } },
      body: { gracePeriodSeconds: grace },
    });
    const failure = errorOf(result);
    setError(failure);
    if (result.data) {
      setRotated(
        grace > 0
          ? `Secret rotated. Until ${new Date(result.data.previousSecretExpiresAt).toLocaleString()}, every delivery is signed with both secrets.`
          : 'Secret rotated. The previous secret no longer signs.',
      );
      await reveal();
    }
  };
  return (
    <section className="card" aria-labelledby="secret-title">
      <h2 id="secret-title">Signing secret</h2>
      <p className="hint">
        Every delivery is signed with this secret. Verify the signature before trusting a request (examples
        below).
      </p>
      {error && <ErrorMessage error={error} />}
      {secret ? (
        <div className="secret">
          <code aria-label="Current signing secret">{secret.secret}</code>
          <CopyButton text={secret.secret} label="Copy secret" />
          {secret.previousSecrets.length > 0 && (
            <p className="hint">
              Previous secret still signing until{' '}
              {new Date(secret.previousSecrets[0]!.expiresAt).toLocaleString()}.
            </p>
          )}
        </div>
      ) : (
        <button type="button" className="secondary" onClick={() => void reveal()}>
          Reveal secret
        </button>
      )}
      <h3>Rotate the secret</h3>
      <p className="hint">
        Rotation creates a new secret at once. During the overlap window each delivery carries a signature
        made with the new secret and one with the old, so your server keeps verifying while you deploy the new
        secret.
      </p>
      <div className="row">
        <div className="field">
          <label htmlFor="grace">Overlap window</label>
          <select id="grace" value={grace} onChange={(e) => setGrace(Number(e.target.value))}>
            {GRACE_PERIODS.map((period) => (
              <option key={period.seconds} value={period.seconds}>
                {period.label}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="secondary" onClick={() => void rotate()}>
          Rotate secret
        </button>
      </div>
      {rotated && (
        <p className="notice" role="status">
          {rotated}
        </p>
      )}
      <h3>Verify signatures</h3>
      <VerificationSnippets />
    </section>
  );
}
