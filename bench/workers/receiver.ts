/**
 * The webhook receiver of the delivery and end-to-end figures, in a process of its own: a keep-alive
 * HTTP server on 127.0.0.1 that answers 200 to every POST and counts them; in `record` mode it also
 * keeps each request's `webhook-id`, body event id and arrival time (ms since the epoch, sub-ms
 * precision, comparable across processes on one machine).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '../lib/child';

export interface Arrival {
  webhookId: string | undefined;
  eventId: string | undefined;
  at: number;
}

let received = 0;
let recording = false;
let arrivals: Arrival[] = [];

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    received++;
    if (recording) {
      const at = performance.timeOrigin + performance.now();
      let eventId: string | undefined;
      try {
        eventId = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id?: string }).id;
      } catch {
        eventId = undefined;
      }
      const webhookId = request.headers['webhook-id'];
      arrivals.push({ webhookId: typeof webhookId === 'string' ? webhookId : undefined, eventId, at });
    }
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    response.end('ok');
  });
});
server.keepAliveTimeout = 60_000;

serve({
  start: async (payload: { record?: boolean }) => {
    recording = payload?.record ?? false;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` };
  },
  count: () => received,
  /** Returns and forgets the recorded arrivals. */
  takeArrivals: () => {
    const taken = arrivals;
    arrivals = [];
    return taken;
  },
});
