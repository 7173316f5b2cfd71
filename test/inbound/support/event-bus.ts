/**
 * A tiny test-only EventBridge: answers `PutEvents` (AWS JSON 1.1, `X-Amz-Target: AWSEvents.PutEvents`)
 * on 127.0.0.1, records the accepted entries, and fails entries on demand.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export interface RecordedEntry {
  EventBusName?: string;
  Source: string;
  DetailType: string;
  Detail: string;
}

export interface TestEventBus {
  endpoint: string;
  /** Entries accepted so far, in order. */
  accepted: RecordedEntry[];
  /** How many PutEvents calls arrived. */
  calls: number;
  /** Decides, per entry, whether to fail it (default: accept all). */
  failWhen(predicate: ((entry: RecordedEntry) => boolean) | undefined): void;
  /** Fails the next `count` entries, whatever they are. */
  failNext(count: number): void;
  stop(): Promise<void>;
}

export async function startEventBus(): Promise<TestEventBus> {
  let predicate: ((entry: RecordedEntry) => boolean) | undefined;
  let failCount = 0;
  const bus = {
    accepted: [] as RecordedEntry[],
    calls: 0,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.headers['x-amz-target'] !== 'AWSEvents.PutEvents') {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'UnknownOperationException' }));
        return;
      }
      bus.calls++;
      const { Entries } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { Entries: RecordedEntry[] };
      let failed = 0;
      const answers = Entries.map((entry) => {
        if (failCount > 0 || predicate?.(entry)) {
          if (failCount > 0) failCount--;
          failed++;
          return { ErrorCode: 'InternalFailure', ErrorMessage: 'injected failure' };
        }
        bus.accepted.push(entry);
        return { EventId: randomUUID() };
      });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ FailedEntryCount: failed, Entries: answers }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(bus, {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    failWhen(next: typeof predicate) {
      predicate = next;
    },
    failNext(count: number) {
      failCount = count;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
