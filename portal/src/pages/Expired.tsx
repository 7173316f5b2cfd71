import { useLocation, useSearchParams } from 'react-router';

/** A used, expired or revoked link (or a session that ended): say so, and link back to the platform. */
export function ExpiredPage() {
  const [params] = useSearchParams();
  // From the API (the refused code's return URL), through history state: a URL parameter would let
  // anyone craft an "expired" page linking anywhere.
  const returnUrl = (useLocation().state as { returnUrl?: string } | null)?.returnUrl;
  const loggedOut = params.get('reason') === 'logout';
  const safeReturn = returnUrl && /^https?:\/\//i.test(returnUrl) ? returnUrl : undefined;
  return (
    <main id="main" className="centered">
      <div className="card narrow">
        <h1>{loggedOut ? 'You are logged out' : 'This link has expired'}</h1>
        <p>
          {loggedOut
            ? 'Your portal session has ended.'
            : 'Portal links work once and only for a short time. Open the webhooks portal again from your dashboard to get a new link.'}
        </p>
        {safeReturn && (
          <p>
            <a className="button" href={safeReturn}>
              Back to your dashboard
            </a>
          </p>
        )}
      </div>
    </main>
  );
}
