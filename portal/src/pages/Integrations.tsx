import { useState } from 'react';
import { api, errorOf, fieldProblems, type ApiError, type Schemas } from '../api/client';
import { CopyButton } from '../components/CopyButton';
import { ConfirmDialog } from '../components/Dialog';
import { Field } from '../components/Field';
import { EmptyState, Loaded } from '../components/Status';
import { useLoad } from '../components/useLoad';
import { canManage, sessionInfo } from '../session';

type Provider = Schemas['ProviderInfo'];
interface CredentialProperty {
  type?: string;
  description?: string;
  enum?: string[];
  items?: unknown;
}

export function IntegrationsPage() {
  const integrations = useLoad(async () => {
    const result = await api.GET('/v1/integrations', { params: { query: { limit: 100 } } });
    return { data: result.data?.items, error: errorOf(result) };
  }, []);
  const providers = useLoad(async () => {
    const result = await api.GET('/v1/providers');
    return { data: result.data?.items, error: errorOf(result) };
  }, []);
  const [created, setCreated] = useState<Schemas['Integration']>();
  const manage = canManage(sessionInfo());
  const titleOf = (name: string) => providers.data?.find((p) => p.name === name)?.title ?? name;

  const [deleting, setDeleting] = useState<Schemas['Integration']>();
  const remove = async (integration: Schemas['Integration']) => {
    const result = await api.DELETE('/v1/integrations/{id}', { params: { path: { id: integration.id } } });
    const failure = errorOf(result);
    if (!failure) integrations.reload();
    return failure;
  };

  return (
    <>
      <h1>Integrations</h1>
      <p className="lead">
        The email and messaging providers whose events we receive for you. Each has an inbound URL to paste
        into the provider&apos;s dashboard.
      </p>
      {created && (
        <div className="notice" role="status">
          <p>
            {titleOf(created.provider)} integration added. Paste this inbound URL into{' '}
            {titleOf(created.provider)}:
          </p>
          <p>
            <code>{created.inboundUrl}</code>{' '}
            <CopyButton text={created.inboundUrl} label="Copy inbound URL" />
          </p>
        </div>
      )}
      <Loaded state={integrations} what="Integrations">
        {(items) =>
          items.length === 0 ? (
            <EmptyState title="No integrations yet">
              <p>
                Add the provider you send email or messages with, so its delivery events reach your endpoints.
              </p>
            </EmptyState>
          ) : (
            <div className="table-scroll">
              <table>
                <caption className="visually-hidden">Your integrations</caption>
                <thead>
                  <tr>
                    <th scope="col">Provider</th>
                    <th scope="col">Name</th>
                    <th scope="col">Inbound URL</th>
                    {manage && <th scope="col">Actions</th>}
                  </tr>
                </thead>
                <tbody>
                  {items.map((integration) => (
                    <tr key={integration.id}>
                      <td>{titleOf(integration.provider)}</td>
                      <td>{integration.name ?? '–'}</td>
                      <td>
                        <code className="url">{integration.inboundUrl}</code>{' '}
                        <CopyButton text={integration.inboundUrl} label="Copy" />
                      </td>
                      {manage && (
                        <td>
                          <button type="button" className="danger" onClick={() => setDeleting(integration)}>
                            Delete
                            <span className="visually-hidden">
                              {' '}
                              {titleOf(integration.provider)} integration
                            </span>
                          </button>
                        </td>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        }
      </Loaded>
      {deleting && (
        <ConfirmDialog
          title={`Delete the ${titleOf(deleting.provider)} integration`}
          action="Delete integration"
          danger
          onConfirm={() => remove(deleting)}
          onClose={() => setDeleting(undefined)}
        >
          <p>
            Its inbound URL stops accepting events at once; events {titleOf(deleting.provider)} sends there
            afterwards are refused. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
      {manage && providers.data && (
        <AddIntegration
          providers={providers.data}
          onCreated={(integration) => {
            setCreated(integration);
            integrations.reload();
          }}
        />
      )}
    </>
  );
}

function AddIntegration({
  providers,
  onCreated,
}: {
  providers: Provider[];
  onCreated(integration: Schemas['Integration']): void;
}) {
  const [providerName, setProviderName] = useState(providers[0]!.name);
  const [name, setName] = useState('');
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [error, setError] = useState<ApiError>();
  const provider = providers.find((p) => p.name === providerName)!;
  const properties =
    (provider.credentials as { properties?: Record<string, CredentialProperty> }).properties ?? {};
  const problems = fieldProblems(error);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    const values: Record<string, unknown> = {};
    for (const [key, property] of Object.entries(properties)) {
      const value = credentials[key]?.trim();
      if (!value) continue;
      values[key] = property.type === 'array' ? value.split(/\s+/).filter(Boolean) : value;
    }
    const result = await api.POST('/v1/integrations', {
      body: { provider: providerName, ...(name && { name }), credentials: values },
    });
    const failure = errorOf(result);
    setError(failure);
    if (result.data) {
      setCredentials({});
      setName('');
      onCreated(result.data);
    }
  };

  return (
    <section className="card" aria-labelledby="add-integration">
      <h2 id="add-integration">Add an integration</h2>
      <form onSubmit={(e) => void submit(e)} noValidate className="form">
        {error && (
          <div className="error-box" role="alert">
            <strong>The integration was not added</strong>
            <p>{error.message}</p>
          </div>
        )}
        <div className="field">
          <label htmlFor="provider">Provider</label>
          <select
            id="provider"
            value={providerName}
            onChange={(e) => {
              setProviderName(e.target.value as Provider['name']);
              setCredentials({});
              setError(undefined);
            }}
          >
            {providers.map((p) => (
              <option key={p.name} value={p.name}>
                {p.title}
              </option>
            ))}
          </select>
        </div>
        <div className="setup">
          <h3>Set up {provider.title}</h3>
          <ol>
            {provider.setup.map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
          <p className="hint">The inbound URL is shown once the integration is added.</p>
        </div>
        <Field label="Name" hint="Optional, e.g. Production account" error={problems.name}>
          {(props) => <input {...props} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        {Object.entries(properties).map(([key, property]) => (
          <Field
            key={`${providerName}-${key}`}
            label={labelOf(key)}
            hint={
              property.type === 'array'
                ? `${property.description ?? ''} (one per line)`
                : property.description
            }
            error={
              problems[`credentials.${key}`] ??
              Object.entries(problems).find(([f]) => f.startsWith(`credentials.${key}.`))?.[1]
            }
          >
            {(props) =>
              property.enum ? (
                <select
                  {...props}
                  value={credentials[key] ?? ''}
                  onChange={(e) => setCredentials({ ...credentials, [key]: e.target.value })}
                >
                  <option value="">Choose…</option>
                  {property.enum.map((option) => (
                    <option key={option}>{option}</option>
                  ))}
                </select>
              ) : property.type === 'array' ? (
                <textarea
                  {...props}
                  rows={3}
                  value={credentials[key] ?? ''}
                  onChange={(e) => setCredentials({ ...credentials, [key]: e.target.value })}
                />
              ) : (
                <input
                  {...props}
                  autoComplete="off"
                  type={/password|secret|token|key/i.test(key) ? 'password' : 'text'}
                  value={credentials[key] ?? ''}
                  onChange={(e) => setCredentials({ ...credentials, [key]: e.target.value })}
                />
              )
            }
          </Field>
        ))}
        {problems.credentials && <p className="field-error">{problems.credentials}</p>}
        <div className="actions">
          <button type="submit">Add integration</button>
        </div>
      </form>
    </section>
  );
}

/** `verificationKey` → `Verification key`. */
function labelOf(key: string): string {
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
