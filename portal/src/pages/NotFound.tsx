import { Link } from 'react-router';
import { EmptyState } from '../components/Status';

export function NotFoundPage() {
  return (
    <EmptyState title="Page not found">
      <p>
        <Link to="/endpoints">Go to your endpoints</Link>
      </p>
    </EmptyState>
  );
}
