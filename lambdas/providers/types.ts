/**
 * The contract every provider module implements. Adding a provider is one module exporting a
 * `ProviderModule` plus one line in registry.ts.
 */
import type * as z from 'zod';
import type { Channel, Status } from '../shared/catalog';

/** The inbound HTTP request as a provider module sees it. */
export interface InboundRequest {
  /** The body exactly as sent: signatures cover these bytes. */
  rawBody: Buffer;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** The public URL the provider called (PUBLIC_URL or `https://<domain>`, path and query string). */
  url: string;
  query: Record<string, string>;
  now: Date;
}

/** One event of the provider's payload, before normalization (its shape is the provider's own). */
export type ProviderEvent = Record<string, unknown>;

/** What identifies an event whatever became of it. */
export interface EventIdentity {
  /** The provider's id of this event (the dedupe key); derived from the record when the provider has none. */
  providerEventId: string;
  providerMessageId: string | null;
  occurredAt: string;
}

export interface NormalizedFields extends EventIdentity {
  status: Status;
  channel: Channel;
  trackingId: string;
  notificationId: string | null;
  userId: string | null;
  product?: string;
  reason?: string;
}

/** An event the platform does not forward, with the provider's own name for its status. */
export interface IgnoredEvent extends EventIdentity {
  ignored: string;
}

export type NormalizeResult = NormalizedFields | IgnoredEvent;

export const isIgnored = (result: NormalizeResult): result is IgnoredEvent => 'ignored' in result;

/** One row of a provider's mapping table: the provider's status and what the platform makes of it. */
export interface MappingRow {
  providerStatus: string;
  status: Status | 'ignored';
  note?: string;
}

/**
 * What a module may reach beyond the request: only the SES (SNS) module uses it, to load signing
 * certificates and confirm subscriptions. Injectable so tests never touch the network.
 */
export interface ProviderContext {
  /** The PEM text of an SNS signing certificate; the URL is already validated. Cached by the caller. */
  snsCertificate(url: string): Promise<string>;
  /** Confirms an SNS subscription with a GET to its (validated) SubscribeURL. */
  confirmSubscription(subscribeUrl: string): Promise<void>;
  /** Structured log line (never given secrets). */
  log(message: string, details: Record<string, unknown>): void;
}

export interface ProviderModule<Credentials = unknown> {
  /** The registry key, e.g. `sendgrid`; also the `provider` of every normalized event. */
  name: string;
  /** Human name for documentation, e.g. `SendGrid`. */
  title: string;
  credentialsSchema: z.ZodType<Credentials>;
  /**
   * Throws UnauthorizedError (with the reason) unless the request is authentic. Pure: only modules that
   * must reach the network (SES) use `context`, which the inbound function always passes.
   */
  verify(request: InboundRequest, credentials: Credentials, context?: ProviderContext): Promise<void> | void;
  /** Runs after a successful `verify`, for protocol messages (e.g. SNS subscription confirmations). */
  acknowledge?(request: InboundRequest, credentials: Credentials, context: ProviderContext): Promise<void>;
  /** Every event of the request; throws BadRequestError when the body cannot be understood. */
  parse(request: InboundRequest): ProviderEvent[];
  /**
   * `receivedAt`: when the request arrived (the inbound function always passes it), the time of an
   * event that carries no usable time of its own.
   */
  normalize(event: ProviderEvent, receivedAt?: Date): NormalizeResult;
  mapping: readonly MappingRow[];
  /**
   * True when an event's time is the sender's to change when it sends the event again (the generic
   * provider): its delivery is then anchored on the first arrival of its id, never on that time.
   */
  timeIsVolatile?: boolean;
}
