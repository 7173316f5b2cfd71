/**
 * The stack's configuration: one typed object, read from `cdk.json` context (or `-c key=value` on the
 * command line) and validated before any construct uses it. Every value has a default, so
 * `npx cdk synth` works with no context at all.
 */
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import {
  DEFAULT_RETRY_SCHEDULE,
  longestQueueWaitSeconds,
  longestScheduleSeconds,
  parseRetrySchedule,
  type RetrySchedule,
} from '../lambdas/shared/retry-schedule';

export type RemovalPolicyName = 'retain' | 'destroy';
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/**
 * A retry schedule as cdk.json, `-c` or a prop gives it: delays (seconds or durations such as `"2h"`),
 * text (`"1m,5m,30m,2h,5h,10h,10h ±20%"`), or `{ delays, jitter?, schedulerAfterSeconds? }`.
 */
export type RetryScheduleSetting =
  | readonly (number | string)[]
  | string
  | {
      readonly delays: readonly (number | string)[];
      /** Fraction (0.2) or percentage text (`"20%"`). */
      readonly jitter?: number | string;
      readonly schedulerAfterSeconds?: number;
    };

export interface EventRelayConfig {
  /**
   * Delays before each retry of a failed delivery, their jitter, and from which delay on a retry waits
   * in EventBridge Scheduler; the queues' maxReceiveCount and the Scheduler resources follow.
   */
  readonly retrySchedule: RetrySchedule;
  /** Time limit of one webhook POST, in milliseconds. */
  readonly deliveryTimeoutMs: number;
  /** Time limit of a POST in the fast lane (the status queues); a slower endpoint moves to the slow lane. */
  readonly fastLaneTimeoutMs: number;
  /** After this long without an answer, only one fast-lane invocation may go on waiting on the endpoint. */
  readonly fastLanePatienceMs: number;
  /** Consecutive failed attempts that open an endpoint's circuit breaker. */
  readonly breakerFailureThreshold: number;
  /** Seconds an open breaker defers attempts before it lets one probe through. */
  readonly breakerCooldownSeconds: number;
  /** E-mail address subscribed to the alarm topic (confirm the subscription mail). */
  readonly alarmEmail?: string;
  /** Retention of every log group (function logs, API access logs); a CloudWatch Logs retention value. */
  readonly logRetentionDays: number;
  /** Powertools log level of the functions. */
  readonly logLevel: LogLevel;
  /** Days a delivery log is kept (DynamoDB TTL). */
  readonly deliveryLogTtlDays: number;
  /** Days the bus archive keeps events for replay; 0 keeps them forever. */
  readonly archiveRetentionDays: number;
  /** Allow plain-http and private-network subscriber URLs (for tests against internal receivers). */
  readonly allowPrivateTargets: boolean;
  /** What happens to the tables and log groups when the stack is deleted. */
  readonly removalPolicy: RemovalPolicyName;
  /** Steady-state requests per second the API stage accepts. */
  readonly throttlingRateLimit: number;
  /** Burst of requests the API stage accepts. */
  readonly throttlingBurstLimit: number;
  /** Messages per delivery invocation. */
  readonly batchSize: number;
  /** Seconds the event source waits to fill a batch. */
  readonly maxBatchingWindowSeconds: number;
  /** Concurrent delivery invocations per queue. */
  readonly maxConcurrency: number;
  /** Public base URL of the API (e.g. a custom domain), used in links the API returns. */
  readonly publicUrl?: string;
  /**
   * Who may embed the tenant portal in a frame: the CSP `frame-ancestors` sources, space-separated,
   * e.g. `'self' https://dashboard.example.com`.
   * @default - `'none'`: the portal cannot be framed
   */
  readonly portalFrameAncestors: string;
  /** Deliveries per second a catch-up or replay re-sends to one subscription. */
  readonly catchUpRatePerSecond: number;
  /**
   * Seconds an endpoint may fail every attempt before the system disables its subscription (its
   * later deliveries are parked for a catch-up); 0 never disables.
   * @default 432000 (5 days)
   */
  readonly disableAfterFailingSeconds: number;
}

/** Configuration values before validation, as a test, an app or the local mode passes them over the context. */
export type ConfigSettings = {
  readonly [K in keyof EventRelayConfig]?: K extends 'retrySchedule'
    ? RetryScheduleSetting
    : EventRelayConfig[K];
};

export const DEFAULT_CONFIG: EventRelayConfig = {
  retrySchedule: DEFAULT_RETRY_SCHEDULE,
  deliveryTimeoutMs: 10_000,
  fastLaneTimeoutMs: 1_000,
  fastLanePatienceMs: 250,
  breakerFailureThreshold: 5,
  breakerCooldownSeconds: 60,
  logRetentionDays: 30,
  logLevel: 'INFO',
  deliveryLogTtlDays: 30,
  archiveRetentionDays: 30,
  allowPrivateTargets: false,
  removalPolicy: 'retain',
  throttlingRateLimit: 200,
  throttlingBurstLimit: 400,
  batchSize: 10,
  maxBatchingWindowSeconds: 1,
  maxConcurrency: 10,
  portalFrameAncestors: "'none'",
  catchUpRatePerSecond: 10,
  disableAfterFailingSeconds: 5 * 86_400,
};

/** Every configuration key is also its `cdk.json` context key. */
export const CONFIG_KEYS = [
  'retrySchedule',
  'deliveryTimeoutMs',
  'fastLaneTimeoutMs',
  'fastLanePatienceMs',
  'breakerFailureThreshold',
  'breakerCooldownSeconds',
  'alarmEmail',
  'logRetentionDays',
  'logLevel',
  'deliveryLogTtlDays',
  'archiveRetentionDays',
  'allowPrivateTargets',
  'removalPolicy',
  'throttlingRateLimit',
  'throttlingBurstLimit',
  'batchSize',
  'maxBatchingWindowSeconds',
  'maxConcurrency',
  'publicUrl',
  'portalFrameAncestors',
  'catchUpRatePerSecond',
  'disableAfterFailingSeconds',
] as const satisfies readonly (keyof EventRelayConfig)[];

/** API Gateway ends an integration after 30 s; the management API's test delivery must fit inside. */
export const MAX_DELIVERY_TIMEOUT_MS = 25_000;
/** SQS keeps a message at most 14 days; the retries a queue holds must all happen before it expires. */
const MAX_QUEUE_WAIT_SECONDS = 13 * 86_400;
const LOG_LEVELS: readonly LogLevel[] = ['DEBUG', 'INFO', 'WARN', 'ERROR'];
const RETENTION_VALUES = Object.values(RetentionDays).filter(
  (value): value is number => typeof value === 'number',
);

export class ConfigError extends Error {
  constructor(key: string, problem: string) {
    super(`invalid context value "${key}": ${problem}`);
    this.name = 'ConfigError';
  }
}

/**
 * The configuration from the construct tree's context, with `overrides` (e.g. from a test or another
 * app) taking precedence. Throws `ConfigError` naming the key of the first invalid value.
 */
export function resolveConfig(node: Node, overrides: ConfigSettings = {}): EventRelayConfig {
  const fromContext: Partial<Record<keyof EventRelayConfig, unknown>> = {};
  for (const key of CONFIG_KEYS) {
    const value: unknown = node.tryGetContext(key);
    if (value !== undefined) fromContext[key] = value;
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  return parseConfig({ ...DEFAULT_CONFIG, ...fromContext, ...defined });
}

/**
 * Validates raw values as `cdk.json` holds them (JSON types) or as `-c key=value` passes them (strings).
 */
export function parseConfig(raw: Partial<Record<keyof EventRelayConfig, unknown>>): EventRelayConfig {
  const deliveryTimeoutMs = integer(raw, 'deliveryTimeoutMs', 1_000, MAX_DELIVERY_TIMEOUT_MS);
  const deliveryLogTtlDays = integer(raw, 'deliveryLogTtlDays', 1, 3_650);
  const retrySchedule = schedule(raw.retrySchedule, deliveryLogTtlDays);
  const fastLaneTimeoutMs = integer(raw, 'fastLaneTimeoutMs', 100, MAX_DELIVERY_TIMEOUT_MS);
  if (fastLaneTimeoutMs > deliveryTimeoutMs) {
    throw new ConfigError('fastLaneTimeoutMs', `must be at most deliveryTimeoutMs (${deliveryTimeoutMs})`);
  }
  const fastLanePatienceMs = integer(raw, 'fastLanePatienceMs', 50, MAX_DELIVERY_TIMEOUT_MS);
  if (fastLanePatienceMs > fastLaneTimeoutMs) {
    throw new ConfigError('fastLanePatienceMs', `must be at most fastLaneTimeoutMs (${fastLaneTimeoutMs})`);
  }
  const batchSize = integer(raw, 'batchSize', 1, 10_000);
  const maxBatchingWindowSeconds = integer(raw, 'maxBatchingWindowSeconds', 0, 300);
  if (batchSize > 10 && maxBatchingWindowSeconds < 1) {
    throw new ConfigError(
      'batchSize',
      'more than 10 messages per batch needs maxBatchingWindowSeconds of 1 or more',
    );
  }
  const logRetentionDays = integer(raw, 'logRetentionDays', 1, RetentionDays.INFINITE);
  if (!RETENTION_VALUES.includes(logRetentionDays)) {
    throw new ConfigError('logRetentionDays', `must be one of ${RETENTION_VALUES.join(', ')}`);
  }
  const throttlingRateLimit = integer(raw, 'throttlingRateLimit', 1, 1_000_000);
  const throttlingBurstLimit = integer(raw, 'throttlingBurstLimit', 1, 1_000_000);
  return {
    retrySchedule,
    deliveryTimeoutMs,
    fastLaneTimeoutMs,
    fastLanePatienceMs,
    breakerFailureThreshold: integer(raw, 'breakerFailureThreshold', 1, 1_000),
    breakerCooldownSeconds: integer(raw, 'breakerCooldownSeconds', 1, 86_400),
    ...optional(
      'alarmEmail',
      text(raw, 'alarmEmail', /^[^\s@]+@[^\s@]+\.[^\s@]+$/, 'must be an e-mail address'),
    ),
    logRetentionDays,
    logLevel: oneOf(raw, 'logLevel', LOG_LEVELS),
    deliveryLogTtlDays,
    archiveRetentionDays: integer(raw, 'archiveRetentionDays', 0, 3_650),
    allowPrivateTargets: boolean(raw, 'allowPrivateTargets'),
    removalPolicy: oneOf(raw, 'removalPolicy', ['retain', 'destroy'] as const),
    throttlingRateLimit,
    throttlingBurstLimit,
    batchSize,
    maxBatchingWindowSeconds,
    maxConcurrency: integer(raw, 'maxConcurrency', 2, 1_000),
    portalFrameAncestors: frameAncestors(raw.portalFrameAncestors),
    catchUpRatePerSecond: integer(raw, 'catchUpRatePerSecond', 1, 1_000),
    disableAfterFailingSeconds: integer(raw, 'disableAfterFailingSeconds', 0, 3_650 * 86_400),
    ...optional(
      'publicUrl',
      text(raw, 'publicUrl', /^https?:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an http(s) URL')?.replace(
        /\/+$/,
        '',
      ),
    ),
  };
}

/** A CSP source a platform may embed the portal from: `'none'`, `'self'`, or an https origin (wildcard host allowed). */
const FRAME_SOURCE = /^('none'|'self'|https:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?)$/i;

function frameAncestors(value: unknown): string {
  const sources = typeof value === 'string' ? value.trim().split(/\s+/) : [];
  if (sources.length === 0 || sources.some((source) => !FRAME_SOURCE.test(source))) {
    throw new ConfigError(
      'portalFrameAncestors',
      `must be 'none', or space-separated 'self' and https origins (e.g. "'self' https://app.example.com"), got ${JSON.stringify(value)}`,
    );
  }
  if (sources.includes("'none'") && sources.length > 1) {
    throw new ConfigError('portalFrameAncestors', "'none' cannot be combined with other sources");
  }
  return sources.join(' ');
}

function schedule(value: unknown, deliveryLogTtlDays: number): RetrySchedule {
  let parsed: RetrySchedule;
  try {
    parsed = parseRetrySchedule(value);
  } catch (error) {
    throw new ConfigError(
      'retrySchedule',
      `${(error as Error).message}; e.g. [60, 300, 1800], "60,300,1800" or "1m,5m,30m,2h,5h,10h,10h ±20%"`,
    );
  }
  if (longestQueueWaitSeconds(parsed) > MAX_QUEUE_WAIT_SECONDS) {
    throw new ConfigError(
      'retrySchedule',
      'the delays a queue holds (those up to 12 hours, with jitter) must add up to at most 13 days (SQS keeps a message 14 days)',
    );
  }
  if (longestScheduleSeconds(parsed) >= deliveryLogTtlDays * 86_400) {
    throw new ConfigError(
      'retrySchedule',
      `the delays (with jitter) must add up to less than deliveryLogTtlDays (${deliveryLogTtlDays} days): the delivery log says which subscriptions are still due`,
    );
  }
  return parsed;
}

function integer(raw: Record<string, unknown>, key: string, min: number, max: number): number {
  const value = raw[key];
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof parsed !== 'number' || !Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new ConfigError(key, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

function boolean(raw: Record<string, unknown>, key: string): boolean {
  const value = raw[key];
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new ConfigError(key, `must be true or false, got ${JSON.stringify(value)}`);
}

function oneOf<T extends string>(raw: Record<string, unknown>, key: string, allowed: readonly T[]): T {
  const value = raw[key];
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new ConfigError(key, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

/** An optional string; empty means unset (so `-c alarmEmail=` clears a value from cdk.json). */
function text(
  raw: Record<string, unknown>,
  key: string,
  pattern: RegExp,
  problem: string,
): string | undefined {
  const value = raw[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !pattern.test(value.trim())) {
    throw new ConfigError(key, `${problem}, got ${JSON.stringify(value)}`);
  }
  return value.trim();
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
