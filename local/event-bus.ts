/**
 * A minimal local EventBridge: `PutEvents` over the AWS JSON 1.1 protocol, matching each event against
 * the stack's rules and sending the EventBridge envelope (the JSON an SQS rule target receives) to the
 * rules' target queues. No npm package emulates EventBridge, so this implements exactly the pattern
 * features the stack's rules use (exact string matches on top-level `source` and `detail-type`) and
 * refuses any other pattern, so a rule the local bus would misjudge is caught when it starts.
 *
 * As in AWS, an accepted event is accepted whatever becomes of it at its targets: `PutEvents` checks
 * the entries (and their size, counted as EventBridge counts it), and a target queue that refuses the
 * event does not fail the entry. EventBridge would retry the target for up to 24 hours and then put the
 * event in the target's dead-letter queue; the local bus tries once and puts it there at once, with the
 * message attributes EventBridge adds (ERROR_CODE, ERROR_MESSAGE, RULE_ARN, TARGET_ARN).
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UnsupportedTemplateError } from './intrinsics';
import type { EventPattern } from './template';
import { PUT_EVENTS_MAX_BYTES, putEventsEntrySize, type EventBridgeEnvelope } from '../lambdas/shared/events';

/** Top-level event fields a pattern may match with a list of exact strings. */
export const SUPPORTED_PATTERN_FIELDS = ['source', 'detail-type'] as const;
type PatternField = (typeof SUPPORTED_PATTERN_FIELDS)[number];

/** EventBridge's limit of entries per call (their size is bounded by PUT_EVENTS_MAX_BYTES). */
const MAX_ENTRIES = 10;
/** The HTTP request may be larger than the entries it carries (JSON escaping, names); refuse only the absurd. */
const MAX_REQUEST_BYTES = 4 * PUT_EVENTS_MAX_BYTES;

export type EventFields = Record<PatternField, string>;
export type EventMatcher = (event: EventFields) => boolean;

/** Compiles a rule's pattern, throwing for any pattern feature this bus does not implement. */
export function compilePattern(pattern: EventPattern): EventMatcher {
  if (pattern === null || typeof pattern !== 'object' || Array.isArray(pattern)) {
    throw new UnsupportedTemplateError(`event pattern must be an object, got ${JSON.stringify(pattern)}`);
  }
  const conditions = Object.entries(pattern).map(([field, values]): [PatternField, string[]] => {
    if (!(SUPPORTED_PATTERN_FIELDS as readonly string[]).includes(field)) {
      throw new UnsupportedTemplateError(`event pattern field "${field}" is not supported by the local bus`);
    }
    if (
      !Array.isArray(values) ||
      values.length === 0 ||
      !values.every((value): value is string => typeof value === 'string')
    ) {
      throw new UnsupportedTemplateError(
        `event pattern "${field}": only a non-empty list of exact strings is supported, got ${JSON.stringify(values)}`,
      );
    }
    return [field as PatternField, values];
  });
  if (conditions.length === 0) throw new UnsupportedTemplateError('an empty event pattern matches nothing');
  return (event) => conditions.every(([field, values]) => values.includes(event[field]));
}

/** The event as an SQS target receives it (the same shape `envelopeFor()` builds). */
export type Envelope = EventBridgeEnvelope<unknown>;

export interface BusRule {
  name: string;
  matches: EventMatcher;
  /** Target queues by URL, with a short name for the log, and the target's dead-letter queue. */
  targets: { queueUrl: string; label: string; deadLetterQueueUrl?: string }[];
}

export interface LocalBusDefinition {
  name: string;
  arn: string;
  rules: BusRule[];
}

export interface PutEventsRequestEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  Resources?: string[];
  /** Epoch seconds, as the JSON protocol sends timestamps. */
  Time?: number;
  EventBusName?: string;
}

export interface PutEventsResultEntry {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

export interface LocalBusOptions {
  buses: LocalBusDefinition[];
  region: string;
  accountId: string;
  /** Sends one message body (with string message attributes) to a queue. */
  send(queueUrl: string, body: string, attributes?: Record<string, string>): Promise<void>;
  log?(line: string): void;
}

export interface LocalBus {
  endpoint: string;
  /** Applies `PutEvents` entries (what the HTTP endpoint does). */
  putEvents(entries: PutEventsRequestEntry[]): Promise<PutEventsResultEntry[]>;
  stop(): Promise<void>;
}

const isoSeconds = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function createBus(options: LocalBusOptions): Pick<LocalBus, 'putEvents'> {
  const busFor = (name: string | undefined) =>
    options.buses.find((bus) => bus.name === (name ?? 'default') || bus.arn === name);

  async function putEntry(entry: PutEventsRequestEntry): Promise<PutEventsResultEntry> {
    const bus = busFor(entry.EventBusName);
    if (!bus) {
      return {
        ErrorCode: 'ResourceNotFoundException',
        ErrorMessage: `Event bus ${entry.EventBusName ?? 'default'} does not exist.`,
      };
    }
    if (!entry.Source || !entry.DetailType || entry.Detail === undefined) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Source, DetailType and Detail are required.' };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      detail = undefined;
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const envelope: Envelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: options.accountId,
      time: isoSeconds(entry.Time !== undefined ? new Date(entry.Time * 1000) : new Date()),
      region: options.region,
      resources: entry.Resources ?? [],
      detail,
    };
    const matched = bus.rules.filter((rule) =>
      rule.matches({ source: envelope.source, 'detail-type': envelope['detail-type'] }),
    );
    const targets = matched.flatMap((rule) => rule.targets);
    const body = JSON.stringify(envelope);
    await Promise.all(
      matched.flatMap((rule) => rule.targets.map((target) => deliverToTarget(rule, target, body))),
    );
    const deliveryId = (detail as { deliveryId?: unknown }).deliveryId;
    options.log?.(
      `bus: ${envelope.source} ${envelope['detail-type']}${typeof deliveryId === 'string' ? ` ${deliveryId}` : ''} → ${
        targets.map((target) => target.label).join(', ') || 'no matching rule'
      }`,
    );
    return { EventId: envelope.id };
  }

  /** Sends the event to one target, or else to the target's dead-letter queue (else it is lost, as in AWS). */
  async function deliverToTarget(
    rule: BusRule,
    target: BusRule['targets'][number],
    body: string,
  ): Promise<void> {
    try {
      await options.send(target.queueUrl, body);
      return;
    } catch (error) {
      const reason = (error as Error).message;
      options.log?.(`bus: event not delivered to ${target.label}: ${reason}`);
      if (!target.deadLetterQueueUrl) return;
      try {
        await options.send(target.deadLetterQueueUrl, body, {
          ERROR_CODE: 'SQS_FAILURE',
          ERROR_MESSAGE: reason.slice(0, 256),
          RULE_ARN: `arn:aws:events:${options.region}:${options.accountId}:rule/${rule.name}`,
          TARGET_ARN: target.queueUrl,
        });
        options.log?.(`bus: event put in the dead-letter queue of ${target.label}`);
      } catch (dlqError) {
        options.log?.(
          `bus: event lost: its dead-letter queue refused it too: ${(dlqError as Error).message}`,
        );
      }
    }
  }

  return {
    putEvents: (entries) => {
      const size = entries.reduce((total, entry) => total + putEventsEntrySize(entry), 0);
      if (size > PUT_EVENTS_MAX_BYTES) throw new EntriesTooLargeError(size);
      return Promise.all(entries.map(putEntry));
    },
  };
}

/** What EventBridge answers a call whose entries exceed its size limit: the whole call is refused. */
export class EntriesTooLargeError extends Error {
  constructor(readonly size: number) {
    super(
      `Total size of the entries in the request is over the limit (${size} > ${PUT_EVENTS_MAX_BYTES} bytes).`,
    );
  }
}

function jsonReply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  response.end(JSON.stringify(body));
}

function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on('end', () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    request.on('error', reject);
  });
}

/** Starts the bus's HTTP endpoint on 127.0.0.1 (port 0: a free one). */
export async function startEventBus(options: LocalBusOptions, port = 0): Promise<LocalBus> {
  const bus = createBus(options);
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request, MAX_REQUEST_BYTES);
      const target = request.headers['x-amz-target'];
      if (target !== 'AWSEvents.PutEvents') {
        return jsonReply(response, 400, {
          __type: 'UnknownOperationException',
          message: `The local bus implements only PutEvents, not ${String(target)}.`,
        });
      }
      if (body === undefined) {
        return jsonReply(response, 413, { __type: 'ValidationException', message: 'Request too large.' });
      }
      let entries: PutEventsRequestEntry[];
      try {
        entries = (JSON.parse(body.toString('utf8')) as { Entries?: PutEventsRequestEntry[] }).Entries ?? [];
      } catch {
        return jsonReply(response, 400, { __type: 'SerializationException', message: 'Malformed JSON.' });
      }
      if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES) {
        return jsonReply(response, 400, {
          __type: 'ValidationException',
          message: `Entries must hold 1 to ${MAX_ENTRIES} events.`,
        });
      }
      let results: PutEventsResultEntry[];
      try {
        results = await bus.putEvents(entries);
      } catch (error) {
        if (!(error instanceof EntriesTooLargeError)) throw error;
        return jsonReply(response, 400, { __type: 'ValidationException', message: error.message });
      }
      jsonReply(response, 200, {
        FailedEntryCount: results.filter((result) => result.ErrorCode).length,
        Entries: results,
      });
    })().catch((error: unknown) => {
      options.log?.(`bus: ${(error as Error).message}`);
      if (!response.headersSent) jsonReply(response, 500, { __type: 'InternalException', message: 'Error.' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    putEvents: bus.putEvents,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
