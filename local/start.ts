/**
 * `npm start`: the whole stack on this machine (see stack.ts), with no AWS account and no Docker.
 * Prints one ready line per API key, then one line per request, publish and delivery. Writes the state
 * file the operator commands read (`npm run tenant`, `npm run redrive`) and removes it on exit.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { LOCAL_STATE_FILE, type LocalState } from '../scripts/target';
import { startLocal } from './stack';

function timestamp(): string {
  return new Date().toISOString().slice(11, 23);
}

async function main(): Promise<void> {
  // The SDK's notice about Node.js 20 support would be the first thing a newcomer sees.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let ready = false;
  const local = await startLocal({
    log: (line) => {
      if (ready) console.log(`${timestamp()} ${line}`);
    },
  });
  const state: LocalState = { env: local.operatorEnv, apiUrl: local.apiUrl };
  mkdirSync(dirname(LOCAL_STATE_FILE), { recursive: true });
  writeFileSync(LOCAL_STATE_FILE, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${timestamp()} ${signal}: stopping`);
    rmSync(LOCAL_STATE_FILE, { force: true });
    void local.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('exit', () => rmSync(LOCAL_STATE_FILE, { force: true }));

  for (const key of local.apiKeys) console.log(`event-relay local: ${local.apiUrl} api-key=${key}`);
  console.log(`${timestamp()} ready in ${local.startupMs} ms; Ctrl-C stops`);
  ready = true;
}

main().catch((error: unknown) => {
  console.error(`event-relay local: ${(error as Error).message}`);
  process.exit(1);
});
