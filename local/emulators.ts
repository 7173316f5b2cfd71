/**
 * The AWS-API emulators the local mode runs in this process: dynalite (DynamoDB) and fauxqs (SQS), each
 * on a free loopback port. The SDK clients reach them through the ordinary endpoint settings.
 */
import type { Server, AddressInfo } from 'node:net';

// dynalite ships no types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;

export interface Emulator {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<Emulator> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type FauxqsServer = Awaited<ReturnType<typeof import('fauxqs').startFauxqs>>;

/** fauxqs, with its server object for tests that inspect queues. */
export async function startFauxqsServer(): Promise<Emulator & { server: FauxqsServer }> {
  const { startFauxqs } = await import('fauxqs');
  // fauxqs 1.9 listens on every interface; clients use the loopback address.
  const server = await startFauxqs({ port: 0, logger: false });
  return { endpoint: `http://127.0.0.1:${server.port}`, server, stop: () => server.stop() };
}
