import { NavLink, Outlet, useNavigate } from 'react-router';
import { api } from '../api/client';
import { canManage, clearSession, sessionInfo, sessionToken } from '../session';
import { Badge } from './Status';

export function Layout() {
  const navigate = useNavigate();
  const info = sessionInfo();
  const logOut = async () => {
    const token = sessionToken();
    // Ended here first, so that the 401s of requests still in flight are not taken for an expiry.
    clearSession();
    await api
      .DELETE('/v1/portal/session', { headers: { authorization: `Bearer ${token}` } })
      .catch(() => undefined);
    navigate('/expired?reason=logout', { replace: true });
  };
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Webhooks</span>
        <nav aria-label="Portal">
          <NavLink to="/endpoints">Endpoints</NavLink>
          <NavLink to="/event-types">Event catalog</NavLink>
          <NavLink to="/integrations">Integrations</NavLink>
        </nav>
        <div className="session">
          {!canManage(info) && <Badge tone="neutral">Read-only</Badge>}
          {info?.returnUrl && <a href={info.returnUrl}>Back to dashboard</a>}
          <button type="button" className="secondary" onClick={() => void logOut()}>
            Log out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
