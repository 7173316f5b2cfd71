import type { ApiError } from '../api/client';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

export function ErrorMessage({ error, title = 'Something went wrong' }: { error: ApiError; title?: string }) {
  return (
    <div className="error-box" role="alert">
      <strong>{title}</strong>
      <p>{error.message}</p>
    </div>
  );
}

/** A 404 from the API (another tenant's id looks exactly like an unknown one). */
export function NotFound({ what }: { what: string }) {
  return (
    <div className="empty">
      <h2>{what} not found</h2>
      <p>It does not exist, or it belongs to another account.</p>
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: React.ReactNode }) {
  return (
    <div className="empty">
      <h2>{title}</h2>
      {children}
    </div>
  );
}

/** Loading, error or not-found, else the content. */
export function Loaded<T>({
  state,
  what,
  children,
}: {
  state: { data?: T; error?: ApiError; loading: boolean };
  what: string;
  children: (data: T) => React.ReactNode;
}) {
  if (state.error?.code === 'not_found') return <NotFound what={what} />;
  if (state.error) return <ErrorMessage error={state.error} />;
  if (state.data === undefined) return <Loading />;
  return <>{children(state.data)}</>;
}

export function Badge({
  tone,
  children,
}: {
  tone: 'good' | 'bad' | 'neutral' | 'warn';
  children: React.ReactNode;
}) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}
