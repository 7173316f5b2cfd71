/**
 * The AWS-API emulators the local mode runs in this process: dynalite (DynamoDB) and fauxqs (SQS), each
 * on a free loopback port. The SDK clients reach them through the ordinary endpoint settings.
 */
import { existsSync } from 'node:fs';
import type { Server, AddressInfo } from 'node:net';
import { join } from 'node:path';

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

/**
 * SQS's message body characters: `#x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF`.
 * fauxqs 1.9 tests bodies against this set without the `u` flag, code unit by code unit, so it refuses
 * every character from U+10000 up (an emoji is a surrogate pair) where SQS accepts it. Its check is one
 * exported RegExp, used through `.test()`; giving that object a `test` of its own that reads code
 * points makes the emulator accept what SQS accepts and refuse what SQS refuses.
 */
const SQS_REFUSED_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

async function matchSqsCharacterSet(): Promise<void> {
  const file = module.paths
    .map((base) => join(base, 'fauxqs', 'dist', 'sqs', 'sqsTypes.js'))
    .find((candidate) => existsSync(candidate));
  if (!file) throw new Error('fauxqs/dist/sqs/sqsTypes.js not found: check the fauxqs character-set fix');
  const { INVALID_MESSAGE_BODY_CHAR: check } = (await import(file)) as { INVALID_MESSAGE_BODY_CHAR?: RegExp };
  if (!(check instanceof RegExp)) throw new Error('fauxqs no longer exports INVALID_MESSAGE_BODY_CHAR');
  check.test = (body: string) => SQS_REFUSED_CHARACTER.test(body);
}

/** fauxqs, with its server object for tests that inspect queues. */
export async function startFauxqsServer(): Promise<Emulator & { server: FauxqsServer }> {
  const { startFauxqs } = await import('fauxqs');
  await matchSqsCharacterSet();
  // fauxqs 1.9 listens on every interface; clients use the loopback address.
  const server = await startFauxqs({ port: 0, logger: false });
  return { endpoint: `http://127.0.0.1:${server.port}`, server, stop: () => server.stop() };
}
