import { Badge } from './Status';

const TONES = {
  succeeded: 'good',
  failed: 'bad',
  pending: 'warn',
  skipped: 'neutral',
  // Kept while the endpoint was disabled; a catch-up sends it.
  parked: 'neutral',
} as const;

export function DeliveryStatusBadge({ status }: { status: keyof typeof TONES }) {
  return <Badge tone={TONES[status]}>{status}</Badge>;
}
