import { useState } from 'react';
import { api, errorOf, fieldProblems, type ApiError, type Schemas } from '../api/client';
import { Dialog } from './Dialog';
import { Field } from './Field';
import type { Replay } from './Lifecycle';
import { ErrorMessage } from './Status';

type EventType = Schemas['Webhook']['events'][number];

const HOUR_MS = 3_600_000;
const PRESETS = [
  { value: '1h', label: 'Last hour', ms: HOUR_MS },
  { value: '24h', label: 'Last 24 hours', ms: 24 * HOUR_MS },
  { value: '7d', label: 'Last 7 days', ms: 7 * 24 * HOUR_MS },
] as const;
type Preset = (typeof PRESETS)[number]['value'] | 'custom';

/** A time as a `datetime-local` value (local time, to the minute). */
const localInput = (epochMs: number) =>
  new Date(epochMs - new Date(epochMs).getTimezoneOffset() * 60_000).toISOString().slice(0, 16);

/**
 * The replay form: a window (a preset, or since / until), the endpoint's event types, failed-only or
 * every delivery. It sends an Idempotency-Key, the same for a repeat of the same request (a double
 * click, a retry after a lost answer), and shows the API's field errors next to the fields.
 */
export function ReplayDialog({
  endpoint,
  onStarted,
  onConflict,
  onClose,
}: {
  endpoint: Schemas['Webhook'];
  onStarted(job: Replay): void;
  /** A replay was already running: the page shows its progress. */
  onConflict(): void;
  onClose(): void;
}) {
  const [preset, setPreset] = useState<Preset>('1h');
  const [since, setSince] = useState(() => localInput(Date.now() - HOUR_MS));
  const [until, setUntil] = useState('');
  const [types, setTypes] = useState<EventType[]>(endpoint.events);
  const [status, setStatus] = useState<'all' | 'failed'>('all');
  const [error, setError] = useState<ApiError>();
  const [busy, setBusy] = useState(false);
  const [idempotency, setIdempotency] = useState<{ body: string; key: string }>();

  const choose = (value: Preset) => {
    setPreset(value);
    const chosen = PRESETS.find((p) => p.value === value);
    if (chosen) {
      setSince(localInput(Date.now() - chosen.ms));
      setUntil('');
    }
  };
  const problems = fieldProblems(error);
  if (types.length === 0) problems.eventTypes ??= 'Choose at least one event type.';

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    if (types.length === 0) return;
    if (Number.isNaN(Date.parse(since)) || (until && Number.isNaN(Date.parse(until)))) {
      const field = Number.isNaN(Date.parse(since)) ? 'since' : 'until';
      setError({ code: 'invalid_window', message: 'Enter a date and time.', details: { field } });
      return;
    }
    const body = {
      since: new Date(since).toISOString(),
      ...(until && { until: new Date(until).toISOString() }),
      // Every type of the endpoint is the same as none named; naming them would fix the list in time.
      ...(types.length < endpoint.events.length && { eventTypes: types }),
      status,
    };
    const serialized = JSON.stringify(body);
    const key = idempotency?.body === serialized ? idempotency.key : `portal-replay-${crypto.randomUUID()}`;
    setIdempotency({ body: serialized, key });
    setBusy(true);
    const result = await api
      .POST('/v1/webhooks/{id}/replay', {
        params: { path: { id: endpoint.id }, header: { 'Idempotency-Key': key } },
        body,
      })
      .catch((failure: unknown) => ({ failure }));
    setBusy(false);
    if ('failure' in result) {
      setError({ code: 'network_error', message: `Could not reach the API: ${String(result.failure)}` });
      return;
    }
    const failure = errorOf(result);
    // An answer that started nothing: a corrected request gets a new key.
    if (failure) setIdempotency(undefined);
    if (failure?.code === 'replay_running') onConflict();
    setError(failure);
    if (result.data) {
      onStarted(result.data);
      onClose();
    }
  };

  const generalError = error && !Object.keys(fieldProblems(error)).length;
  return (
    <Dialog title="Replay deliveries" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <p className="hint">
          Sends this endpoint again what it was sent (or should have been sent) in a time window, at the
          replay rate, with the original <code>webhook-id</code> so your server can tell repeats. Other
          endpoints get nothing.
        </p>
        {generalError && (
          <ErrorMessage
            error={error}
            title={
              error.code === 'replay_running' ? 'A replay is already running' : 'The replay did not start'
            }
          />
        )}
        <div className="field">
          <label htmlFor="replay-preset">Time window</label>
          <select
            id="replay-preset"
            value={preset}
            onChange={(e) => choose(e.target.value as Preset)}
            data-autofocus
          >
            {PRESETS.map((p) => (
              <option key={p.value} value={p.value}>
                {p.label}
              </option>
            ))}
            <option value="custom">Custom</option>
          </select>
        </div>
        <div className="row top">
          <Field label="Since" hint="Event time, included" error={problems.since}>
            {(props) => (
              <input
                {...props}
                type="datetime-local"
                value={since}
                required
                onChange={(e) => {
                  setPreset('custom');
                  setSince(e.target.value);
                }}
              />
            )}
          </Field>
          <Field label="Until" hint="Excluded; empty means now" error={problems.until}>
            {(props) => (
              <input
                {...props}
                type="datetime-local"
                value={until}
                onChange={(e) => {
                  setPreset('custom');
                  setUntil(e.target.value);
                }}
              />
            )}
          </Field>
        </div>
        <fieldset
          className={problems.eventTypes ? 'invalid' : undefined}
          {...(problems.eventTypes && { 'aria-describedby': 'replay-types-error' })}
        >
          <legend>Event types</legend>
          {endpoint.events.map((type) => (
            <label key={type} className="check">
              <input
                type="checkbox"
                checked={types.includes(type)}
                onChange={(e) =>
                  setTypes((current) =>
                    e.target.checked
                      ? endpoint.events.filter((t) => t === type || current.includes(t))
                      : current.filter((t) => t !== type),
                  )
                }
              />
              {type}
            </label>
          ))}
          {problems.eventTypes && (
            <p className="field-error" id="replay-types-error">
              {problems.eventTypes}
            </p>
          )}
        </fieldset>
        <fieldset>
          <legend>Deliveries</legend>
          <label className="check">
            <input
              type="radio"
              name="replay-status"
              checked={status === 'all'}
              onChange={() => setStatus('all')}
            />
            Every delivery in the window
          </label>
          <label className="check">
            <input
              type="radio"
              name="replay-status"
              checked={status === 'failed'}
              onChange={() => setStatus('failed')}
            />
            Only deliveries that failed
          </label>
        </fieldset>
        <div className="actions">
          <button type="button" className="secondary" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" disabled={busy || types.length === 0}>
            {busy ? 'Starting…' : 'Start replay'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
