import { Badge } from './Status';

const TONES = { succeeded: 'good', failed: 'bad', pending: 'warn', skipped: 'neutral' } as const;

export function DeliveryStatusBadge({ status }: { status: keyof typeof TONES }) {
  return <Badge tone={TONES[status]}>{status}</Badge>;
}
