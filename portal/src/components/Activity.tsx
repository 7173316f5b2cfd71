import { useState } from 'react';
import { api, errorOf, type Schemas } from '../api/client';
import { Loading } from './Status';
import { useLoad } from './useLoad';

type Stats = Schemas['WebhookStats'];
const RANGES = { '24h': { hours: 24, bucket: 'hour' }, '7d': { hours: 168, bucket: 'hour' } } as const;

function useStats(id: string, hours: number, bucket: 'hour' | 'day', version: number) {
  return useLoad(async () => {
    const until = new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000);
    const since = new Date(until.getTime() - hours * 3_600_000);
    const result = await api.GET('/v1/webhooks/{id}/stats', {
      params: { path: { id }, query: { since: since.toISOString(), until: until.toISOString(), bucket } },
    });
    return { data: result.data, error: errorOf(result) };
  }, [id, hours, bucket, version]);
}

const percent = (rate: number | null | undefined) =>
  rate == null ? '–' : `${Math.round(rate * 1000) / 10}%`;

/** Succeeded (green) and failed (red) deliveries per bucket, as stacked bars. */
export function ActivityChart({
  stats,
  height = 120,
  label,
}: {
  stats: Stats;
  height?: number;
  label: string;
}) {
  const max = Math.max(1, ...stats.buckets.map((b) => b.succeeded + b.failed + b.retried));
  const width = Math.max(stats.buckets.length * 6, 120);
  const barWidth = width / stats.buckets.length;
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`${label}: ${stats.totals.succeeded} succeeded, ${stats.totals.failed} failed, ${stats.totals.retried} retried`}
    >
      {stats.buckets.map((bucket, index) => {
        const ok = (bucket.succeeded / max) * height;
        const bad = ((bucket.failed + bucket.retried) / max) * height;
        return (
          <g key={bucket.start}>
            <rect
              className="bar-ok"
              x={index * barWidth}
              y={height - ok}
              width={barWidth * 0.8}
              height={ok}
            />
            <rect
              className="bar-bad"
              x={index * barWidth}
              y={height - ok - bad}
              width={barWidth * 0.8}
              height={bad}
            />
          </g>
        );
      })}
    </svg>
  );
}

/** The endpoint list's cell (compact) or the endpoint page's chart with a 24 h / 7 d switch. */
export function EndpointActivity({
  id,
  compact = false,
  version = 0,
}: {
  id: string;
  compact?: boolean;
  /** Changes when the page knows of a new delivery (a test event): the figures reload. */
  version?: number;
}) {
  const [range, setRange] = useState<keyof typeof RANGES>('24h');
  const { hours, bucket } = RANGES[range];
  const stats = useStats(id, hours, bucket, version);
  if (stats.error) return <span className="muted">Activity unavailable</span>;
  if (!stats.data) return compact ? <span className="muted">…</span> : <Loading label="Loading activity…" />;
  const { totals } = stats.data;
  const deliveries = totals.succeeded + totals.failed;
  if (compact) {
    return (
      <div className="activity-cell">
        <ActivityChart stats={stats.data} height={24} label="Deliveries in the last 24 hours" />
        <span>
          {deliveries} {deliveries === 1 ? 'delivery' : 'deliveries'} · {percent(stats.data.successRate)} ok
        </span>
      </div>
    );
  }
  return (
    <section aria-labelledby="activity-title" className="card">
      <div className="section-head">
        <h2 id="activity-title">Activity</h2>
        <div role="group" aria-label="Time range" className="segmented">
          {(Object.keys(RANGES) as (keyof typeof RANGES)[]).map((key) => (
            <button
              key={key}
              type="button"
              aria-pressed={range === key}
              className={range === key ? 'selected' : 'secondary'}
              onClick={() => setRange(key)}
            >
              {key === '24h' ? 'Last 24 hours' : 'Last 7 days'}
            </button>
          ))}
        </div>
      </div>
      <dl className="figures">
        <div>
          <dt>Succeeded</dt>
          <dd>{totals.succeeded}</dd>
        </div>
        <div>
          <dt>Failed</dt>
          <dd>{totals.failed}</dd>
        </div>
        <div>
          <dt>Retried attempts</dt>
          <dd>{totals.retried}</dd>
        </div>
        <div>
          <dt>Success rate</dt>
          <dd>{percent(stats.data.successRate)}</dd>
        </div>
      </dl>
      <ActivityChart
        stats={stats.data}
        label={`Deliveries per hour, ${range === '24h' ? 'last 24 hours' : 'last 7 days'}`}
      />
      <p className="legend">
        <span className="key key-ok" aria-hidden="true" /> succeeded{' '}
        <span className="key key-bad" aria-hidden="true" /> failed or retried
      </p>
    </section>
  );
}
