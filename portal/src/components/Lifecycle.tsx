import { useEffect, useState } from 'react';
import { api, errorOf, type ApiError, type Schemas } from '../api/client';
import { Dialog } from './Dialog';
import { ErrorMessage } from './Status';

type Webhook = Schemas['Webhook'];
export type Replay = Schemas['Replay'];

/** Done: every queued delivery settled (or the job stopped); until then the page keeps polling. */
export const replayDone = (job: Replay) =>
  job.state === 'stalled' || (job.state === 'finished' && job.sent >= job.queued);

const POLL_FAST_MS = 1_000;
const POLL_SLOW_MS = 5_000;
/** Polls at 1 s for the first minute, then every 5 s (a failing receiver's retries take minutes). */
const FAST_POLLS = 60;

/**
 * The webhook's latest replay or catch-up, polled until it is done. `start` shows one the page has
 * just started (its answer), which then replaces the latest.
 */
export function useLatestReplay(id: string) {
  const [job, setJob] = useState<Replay>();
  const [error, setError] = useState<ApiError>();
  const [polls, setPolls] = useState(0);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    let live = true;
    void api
      .GET('/v1/webhooks/{id}/replays', { params: { path: { id }, query: { limit: 1 } } })
      .then((result) => {
        if (!live) return;
        setError(errorOf(result));
        if (result.data) {
          setPolls(0);
          setJob(result.data.items[0]);
        }
      });
    return () => {
      live = false;
    };
  }, [id, version]);

  useEffect(() => {
    if (!job || replayDone(job)) return;
    const timer = setTimeout(
      () => {
        void api
          .GET('/v1/webhooks/{id}/replays/{replayId}', {
            params: { path: { id, replayId: job.replayId } },
          })
          .then(
            (result) => {
              setError(errorOf(result));
              if (result.data) setJob(result.data);
              setPolls((count) => count + 1);
            },
            () => setPolls((count) => count + 1),
          );
      },
      polls < FAST_POLLS ? POLL_FAST_MS : POLL_SLOW_MS,
    );
    return () => clearTimeout(timer);
  }, [id, job, polls]);

  const start = (started: Replay) => {
    setPolls(0);
    setJob(started);
  };
  return { job, error, start, refresh: () => setVersion((v) => v + 1) };
}

function stateLabel(job: Replay): string {
  const what = job.kind === 'catch-up' ? 'Catch-up' : 'Replay';
  if (job.state === 'stalled') return `${what} stalled: its steps stopped. You can start another.`;
  if (job.state === 'running') return `${what} running: queuing deliveries at ${job.ratePerSecond} a second.`;
  if (job.sent < job.queued) return `${what} sending: every delivery is queued.`;
  const failed = job.failed > 0 ? `, ${job.failed} of them failed after their retries` : '';
  return `${what} done: ${job.sent} sent${failed}.`;
}

/** Queued / sent / total of a replay or catch-up, and its state (announced when it changes). */
export function ReplayProgress({ job }: { job: Replay }) {
  const total = job.total ?? (job.state === 'running' ? undefined : job.queued);
  const window =
    job.since &&
    `${new Date(job.since).toLocaleString()} – ${new Date(job.until ?? job.createdAt).toLocaleString()}`;
  return (
    <div className="progress" aria-labelledby={`progress-${job.replayId}`}>
      <h3 id={`progress-${job.replayId}`}>
        {job.kind === 'catch-up' ? 'Catch-up of parked deliveries' : 'Replay'}{' '}
        <span className="muted">started {new Date(job.createdAt).toLocaleString()}</span>
      </h3>
      {window && (
        <p className="hint">
          Window {window}
          {job.eventTypes && ` · ${job.eventTypes.join(', ')}`} ·{' '}
          {job.status === 'failed' ? 'failed deliveries only' : 'every delivery'}
        </p>
      )}
      <p role="status">{stateLabel(job)}</p>
      <progress
        max={Math.max(1, total ?? job.queued)}
        value={job.sent}
        aria-label={`${job.sent} of ${total ?? job.queued} sent`}
      />
      <dl className="figures">
        <div>
          <dt>Queued</dt>
          <dd>{job.queued}</dd>
        </div>
        <div>
          <dt>Sent</dt>
          <dd>{job.sent}</dd>
        </div>
        <div>
          <dt>Total</dt>
          <dd>{total ?? '…'}</dd>
        </div>
        {job.failed > 0 && (
          <div>
            <dt>Failed</dt>
            <dd>{job.failed}</dd>
          </div>
        )}
        {job.skipped > 0 && (
          <div>
            <dt>Left alone</dt>
            <dd>{job.skipped}</dd>
          </div>
        )}
      </dl>
    </div>
  );
}

/** The endpoint's state, why and since when it is disabled, and what is parked for it. */
export function LifecycleStatus({
  endpoint,
  parked,
  job,
  manage,
  onCatchUp,
}: {
  endpoint: Webhook;
  parked: number | undefined;
  job: Replay | undefined;
  manage: boolean;
  onCatchUp(): void;
}) {
  const disabled = endpoint.status === 'disabled';
  return (
    <section className="card" aria-labelledby="status-title">
      <h2 id="status-title">Status</h2>
      <dl className="facts">
        <div>
          <dt>State</dt>
          <dd>{disabled ? 'Disabled' : 'Active'}</dd>
        </div>
        {disabled && endpoint.disabledAt && (
          <div>
            <dt>Disabled since</dt>
            <dd>{new Date(endpoint.disabledAt).toLocaleString()}</dd>
          </div>
        )}
        {disabled && endpoint.disabledReason && (
          <div>
            <dt>Reason</dt>
            <dd>{endpoint.disabledReason}</dd>
          </div>
        )}
        <div>
          <dt>Parked deliveries</dt>
          <dd>{parked ?? '…'}</dd>
        </div>
      </dl>
      {disabled ? (
        <p className="hint">
          Nothing is sent while it is disabled: its events are kept as parked deliveries, for as long as the
          delivery log keeps them. Enable it to have them delivered.
        </p>
      ) : (
        !!parked &&
        manage && (
          <p className="row">
            <span>
              {parked} {parked === 1 ? 'event was' : 'events were'} kept while it was disabled.
            </span>
            <button type="button" className="secondary" onClick={onCatchUp}>
              Deliver the parked events
            </button>
          </p>
        )
      )}
      {job && <ReplayProgress job={job} />}
    </section>
  );
}

/** Enabling a disabled endpoint that has parked deliveries: with them (a catch-up) or without. */
export function EnableDialog({
  parked,
  onEnable,
  onClose,
}: {
  /** Undefined when the count could not be read. */
  parked: number | undefined;
  onEnable(catchUp: boolean): Promise<ApiError | undefined>;
  onClose(): void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const enable = async (catchUp: boolean) => {
    setBusy(true);
    const failure = await onEnable(catchUp);
    setBusy(false);
    if (failure) setError(failure);
    else onClose();
  };
  const events =
    parked === undefined ? 'the parked events' : `${parked} parked ${parked === 1 ? 'event' : 'events'}`;
  return (
    <Dialog title="Enable this endpoint" onClose={onClose}>
      <p>
        While it was disabled, {events} {parked === 1 ? 'was' : 'were'} kept for it. Deliver them now, oldest
        first at the catch-up rate, signed and retried like any delivery, with their original{' '}
        <code>webhook-id</code>, or enable it for new events only (they stay parked, and you can deliver them
        later).
      </p>
      {error && (
        <ErrorMessage
          error={error}
          title={error.code === 'replay_running' ? 'A replay is already running' : 'Not enabled'}
        />
      )}
      <div className="actions">
        <button type="button" className="secondary" onClick={onClose} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="secondary" onClick={() => void enable(false)} disabled={busy}>
          Enable without them
        </button>
        <button type="button" data-autofocus onClick={() => void enable(true)} disabled={busy}>
          Enable and deliver {events}
        </button>
      </div>
    </Dialog>
  );
}
