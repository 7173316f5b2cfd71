/**
 * A real HTTP endpoint on 127.0.0.1 for delivery tests: records every request and answers with the
 * next scripted reply (the last one repeats).
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The client port: equal ports mean a reused connection. */
  remotePort: number;
}

export type Reply =
  | { status: number; body?: string; headers?: Record<string, string>; delayMs?: number }
  /** Never answers. */
  | 'hang'
  /** Drops the connection without answering (as a server that closed an idle keep-alive connection). */
  | 'reset';

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** Replaces the script of replies. */
  reply(...replies: Reply[]): void;
  close(): Promise<void>;
}

export async function startReceiver(...initial: Reply[]): Promise<Receiver> {
  let replies: Reply[] = initial.length ? initial : [{ status: 200 }];
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        remotePort: request.socket.remotePort ?? 0,
      });
      const reply = replies.length > 1 ? replies.shift()! : replies[0]!;
      if (reply === 'hang') return;
      if (reply === 'reset') return request.socket.destroy();
      const answer = () => {
        response.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
        response.end(reply.body ?? '');
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    reply: (...next) => {
      replies = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
