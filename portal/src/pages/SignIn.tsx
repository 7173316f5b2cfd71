import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { api, errorOf } from '../api/client';
import { Loading } from '../components/Status';
import { saveSession } from '../session';

/** `/portal/session#code=...`: exchanges the link's single-use code for a session, then opens the portal. */
export function SignInPage() {
  const navigate = useNavigate();
  const started = useRef(false);
  const [failed, setFailed] = useState<string>();
  useEffect(() => {
    if (started.current) return; // StrictMode runs effects twice in development; the code works once.
    started.current = true;
    const code = new URLSearchParams(window.location.hash.slice(1)).get('code');
    // Out of the address bar and the history at once: the code is a credential until it is used.
    window.history.replaceState(null, '', window.location.pathname);
    if (!code) {
      navigate('/expired', { replace: true });
      return;
    }
    void api.POST('/v1/portal/sessions/exchange', { body: { code } }).then(
      (result) => {
        const error = errorOf(result);
        if (!result.data || error) {
          const returnUrl = (error?.details as { returnUrl?: string } | undefined)?.returnUrl;
          navigate('/expired', { replace: true, state: { returnUrl } });
          return;
        }
        const { token, ...info } = result.data;
        saveSession(token, info);
        navigate('/endpoints', { replace: true });
      },
      () => setFailed('Could not reach the server. Check your connection and open the link again.'),
    );
  }, [navigate]);
  return (
    <main id="main" className="centered">
      {failed ? <p role="alert">{failed}</p> : <Loading label="Signing you in…" />}
    </main>
  );
}
