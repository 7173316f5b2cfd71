import { useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, errorOf, fieldProblems, type ApiError, type Schemas } from '../api/client';
import { Field } from '../components/Field';
import { ErrorMessage, Loading, NotFound } from '../components/Status';
import { useLoad } from '../components/useLoad';
import { canManage, sessionInfo } from '../session';

type EventType = Schemas['Webhook']['events'][number];

/** The product categories of the seed's dashboard; anything else goes in "Other categories". */
const PRODUCTS = [
  { value: 'AUTOMATION', label: 'Automation' },
  { value: 'CRM', label: 'CRM' },
  { value: 'DEVELOPER_APIS', label: 'Developer APIs' },
  { value: 'CAMPAIGNS', label: 'Campaigns' },
];

interface FormState {
  url: string;
  description: string;
  events: EventType[];
  products: string[];
  otherProducts: string;
  useAuth: boolean;
  username: string;
  password: string;
  headers: { name: string; value: string }[];
  active: boolean;
}

const EMPTY: FormState = {
  url: '',
  description: '',
  events: [],
  products: [],
  otherProducts: '',
  useAuth: false,
  username: '',
  password: '',
  headers: [],
  active: true,
};

function fromWebhook(webhook: Schemas['Webhook']): FormState {
  const known = new Set(PRODUCTS.map((p) => p.value));
  return {
    url: webhook.url,
    description: webhook.description ?? '',
    events: webhook.events,
    products: (webhook.products ?? []).filter((p) => known.has(p)),
    otherProducts: (webhook.products ?? []).filter((p) => !known.has(p)).join(', '),
    useAuth: webhook.auth !== undefined,
    username: webhook.auth?.username ?? '',
    password: '',
    headers: Object.entries(webhook.headers ?? {}).map(([name, value]) => ({ name, value })),
    active: webhook.status === 'active',
  };
}

export function EndpointFormPage() {
  const { id } = useParams();
  const existing = useLoad(async () => {
    if (!id) return { data: null };
    const result = await api.GET('/v1/webhooks/{id}', { params: { path: { id } } });
    return { data: result.data ?? null, error: errorOf(result) };
  }, [id]);
  const catalog = useLoad(async () => {
    const result = await api.GET('/v1/event-types');
    return { data: result.data?.items, error: errorOf(result) };
  }, []);
  if (!canManage(sessionInfo())) {
    return (
      <ErrorMessage
        title="Read-only access"
        error={{ code: 'read_only', message: 'This session can look but not change endpoints.' }}
      />
    );
  }
  if (existing.error?.code === 'not_found') return <NotFound what="Endpoint" />;
  if (existing.error || catalog.error) return <ErrorMessage error={(existing.error ?? catalog.error)!} />;
  if (existing.data === undefined || !catalog.data) return <Loading />;
  return <EndpointForm existing={existing.data ?? undefined} catalog={catalog.data} />;
}

function EndpointForm({
  existing,
  catalog,
}: {
  existing?: Schemas['Webhook'];
  catalog: { type: EventType; description: string; samplePayload: { channel: string } }[];
}) {
  const navigate = useNavigate();
  const [form, setForm] = useState<FormState>(existing ? fromWebhook(existing) : EMPTY);
  const [error, setError] = useState<ApiError>();
  const [saving, setSaving] = useState(false);
  const problems = fieldProblems(error);
  const problem = (prefix: string) =>
    Object.entries(problems).find(([field]) => field === prefix || field.startsWith(`${prefix}.`))?.[1];
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  useEffect(() => {
    if (error) document.getElementById('form-errors')?.focus();
  }, [error]);

  const channels = [...new Set(catalog.map((entry) => entry.samplePayload.channel))];

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setSaving(true);
    const products = [
      ...form.products,
      ...form.otherProducts
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    ];
    const headers = Object.fromEntries(
      form.headers.filter((h) => h.name || h.value).map((h) => [h.name, h.value]),
    );
    const auth =
      form.useAuth && (form.password || !existing?.auth || form.username !== existing.auth.username)
        ? { type: 'basic' as const, username: form.username, password: form.password }
        : undefined;
    const common = {
      url: form.url,
      events: form.events,
      status: form.active ? ('active' as const) : ('disabled' as const),
    };
    const result = existing
      ? await api.PUT('/v1/webhooks/{id}', {
          params: { path: { id: existing.id } },
          body: {
            ...common,
            description: form.description || null,
            products: products.length ? products : null,
            headers: Object.keys(headers).length ? headers : null,
            ...(auth ? { auth } : form.useAuth ? {} : { auth: null }),
          },
        })
      : await api.POST('/v1/webhooks', {
          body: {
            ...common,
            ...(form.description && { description: form.description }),
            ...(products.length && { products }),
            ...(Object.keys(headers).length && { headers }),
            ...(auth && { auth }),
          },
        });
    setSaving(false);
    const failure = errorOf(result);
    if (failure || !result.data) {
      setError(failure);
      return;
    }
    navigate(`/endpoints/${result.data.id}`, {
      state: { saved: existing ? 'Endpoint saved.' : 'Endpoint created.' },
    });
  };

  const toggle = <T,>(list: T[], value: T, on: boolean) =>
    on ? [...list, value] : list.filter((v) => v !== value);

  return (
    <>
      <h1>{existing ? 'Edit endpoint' : 'Add endpoint'}</h1>
      <form onSubmit={(e) => void submit(e)} noValidate className="card form">
        {error && (
          <div id="form-errors" className="error-box" role="alert" tabIndex={-1}>
            <strong>The endpoint was not saved</strong>
            <p>{error.message}</p>
          </div>
        )}
        <Field
          label="Endpoint URL"
          hint="An https:// URL on your server that accepts POST requests."
          error={problem('url')}
        >
          {(props) => (
            <input
              {...props}
              type="url"
              inputMode="url"
              autoComplete="url"
              value={form.url}
              onChange={(e) => set('url', e.target.value)}
            />
          )}
        </Field>
        <Field
          label="Description"
          hint="Optional, for you: what this endpoint is for."
          error={problem('description')}
        >
          {(props) => (
            <input {...props} value={form.description} onChange={(e) => set('description', e.target.value)} />
          )}
        </Field>

        <fieldset
          className={problem('events') ? 'invalid' : undefined}
          aria-describedby={problem('events') ? 'events-error' : undefined}
        >
          <legend>Events to send</legend>
          {channels.map((channel) => (
            <div key={channel} className="event-group">
              <h3>{channel.replace('_', ' ')}</h3>
              {catalog
                .filter((entry) => entry.samplePayload.channel === channel)
                .map((entry) => (
                  <label key={entry.type} className="check">
                    <input
                      type="checkbox"
                      checked={form.events.includes(entry.type)}
                      onChange={(e) => set('events', toggle(form.events, entry.type, e.target.checked))}
                    />
                    <span>
                      <code>{entry.type}</code> <span className="muted">{entry.description}</span>
                    </span>
                  </label>
                ))}
            </div>
          ))}
          {problem('events') && (
            <p className="field-error" id="events-error">
              {problem('events')}
            </p>
          )}
        </fieldset>

        <fieldset className={problem('products') ? 'invalid' : undefined}>
          <legend>Product categories</legend>
          <p className="hint">
            Only forward events of these products. Leave all unchecked to receive every product.
          </p>
          {PRODUCTS.map((product) => (
            <label key={product.value} className="check">
              <input
                type="checkbox"
                checked={form.products.includes(product.value)}
                onChange={(e) => set('products', toggle(form.products, product.value, e.target.checked))}
              />
              <span>{product.label}</span>
            </label>
          ))}
          <Field
            label="Other categories"
            hint="Comma-separated, e.g. BILLING, SUPPORT"
            error={problem('products')}
          >
            {(props) => (
              <input
                {...props}
                value={form.otherProducts}
                onChange={(e) => set('otherProducts', e.target.value)}
              />
            )}
          </Field>
        </fieldset>

        <fieldset>
          <legend>Authentication</legend>
          <label className="check">
            <input
              type="checkbox"
              checked={form.useAuth}
              onChange={(e) => set('useAuth', e.target.checked)}
            />
            <span>Send HTTP Basic Auth with every delivery</span>
          </label>
          {form.useAuth && (
            <div className="row">
              <Field label="Username" error={problem('auth.username') ?? problem('auth')}>
                {(props) => (
                  <input
                    {...props}
                    autoComplete="off"
                    value={form.username}
                    onChange={(e) => set('username', e.target.value)}
                  />
                )}
              </Field>
              <Field
                label="Password"
                hint={existing?.auth ? 'Leave empty to keep the current password.' : undefined}
                error={problem('auth.password')}
              >
                {(props) => (
                  <input
                    {...props}
                    type="password"
                    autoComplete="new-password"
                    value={form.password}
                    onChange={(e) => set('password', e.target.value)}
                  />
                )}
              </Field>
            </div>
          )}
        </fieldset>

        <fieldset>
          <legend>Custom headers</legend>
          <p className="hint">Added to every delivery. Signature, content and auth headers are set by us.</p>
          {form.headers.map((row, index) => (
            <div className="row header-row" key={index}>
              <Field
                label={`Header ${index + 1} name`}
                error={row.name ? problems[`headers.${row.name}`] : undefined}
              >
                {(props) => (
                  <input
                    {...props}
                    value={row.name}
                    onChange={(e) =>
                      set(
                        'headers',
                        form.headers.map((h, i) => (i === index ? { ...h, name: e.target.value } : h)),
                      )
                    }
                  />
                )}
              </Field>
              <Field label={`Header ${index + 1} value`}>
                {(props) => (
                  <input
                    {...props}
                    value={row.value}
                    onChange={(e) =>
                      set(
                        'headers',
                        form.headers.map((h, i) => (i === index ? { ...h, value: e.target.value } : h)),
                      )
                    }
                  />
                )}
              </Field>
              <button
                type="button"
                className="secondary"
                onClick={() =>
                  set(
                    'headers',
                    form.headers.filter((_, i) => i !== index),
                  )
                }
              >
                Remove header {index + 1}
              </button>
            </div>
          ))}
          {problems.headers && <p className="field-error">{problems.headers}</p>}
          <button
            type="button"
            className="secondary"
            onClick={() => set('headers', [...form.headers, { name: '', value: '' }])}
          >
            Add header
          </button>
        </fieldset>

        <label className="check">
          <input type="checkbox" checked={form.active} onChange={(e) => set('active', e.target.checked)} />
          <span>Enabled (a disabled endpoint receives nothing)</span>
        </label>

        <div className="actions">
          <button type="submit" disabled={saving}>
            {saving ? 'Saving…' : existing ? 'Save changes' : 'Create endpoint'}
          </button>
          <Link to={existing ? `/endpoints/${existing.id}` : '/endpoints'}>Cancel</Link>
        </div>
      </form>
    </>
  );
}
