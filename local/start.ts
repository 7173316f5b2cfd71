/**
 * `npm start`: the whole stack on this machine (see stack.ts), with no AWS account and no Docker.
 * Prints one ready line per API key and a tenant portal link for the first one, then one line per
 * request, publish and delivery, and the handlers' own JSON log lines as lines of the same log. Builds
 * the portal first when its sources changed. Writes the state file the operator commands read
 * (`npm run tenant`, `npm run redrive`) and removes it on exit.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LOCAL_STATE_FILE, quietSdkNodeNotice, type LocalState } from '../scripts/target';
import { startLocal } from './stack';

function timestamp(): string {
  return new Date().toISOString().slice(11, 23);
}

/**
 * A handler's Powertools JSON log line as one line of the flow log, e.g.
 * `log ERROR delivery failed after its last attempt deliveryId=msg_… statusCode=500`; undefined for
 * anything else.
 */
export function flowLineOfJsonLog(text: string): string | undefined {
  if (!text.startsWith('{"level":"')) return undefined;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const { level, message, timestamp: _at, service: _service, sampling_rate: _rate, ...details } = entry;
  const fields = Object.entries(details).map(([name, value]) => {
    const shown =
      value !== null && typeof value === 'object' && 'message' in value ? (value as Error).message : value;
    return `${name}=${typeof shown === 'string' ? shown : JSON.stringify(shown)}`;
  });
  return ['log', String(level), String(message), ...fields].join(' ');
}

/** Writes the handlers' JSON log lines, wherever they go, to standard output as flow-log lines. */
function renderJsonLogs(): void {
  const writeOut = process.stdout.write.bind(process.stdout);
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: unknown, ...rest: never[]) => {
      const line = typeof chunk === 'string' ? flowLineOfJsonLog(chunk.trimEnd()) : undefined;
      return line === undefined
        ? write(chunk as string, ...rest)
        : writeOut(`${timestamp()} ${line}\n`, ...rest);
    }) as typeof stream.write;
  }
}

/** A portal link for the tenant of `apiKey`, minted as a platform would: `POST /v1/portal/sessions`. */
async function portalLink(apiUrl: string, apiKey: string): Promise<string> {
  const response = await fetch(`${apiUrl}/v1/portal/sessions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ expiresInSeconds: 86_400 }),
  });
  if (response.status !== 201) throw new Error(`could not mint a portal link: HTTP ${response.status}`);
  return ((await response.json()) as { url: string }).url;
}

async function main(): Promise<void> {
  quietSdkNodeNotice();
  renderJsonLogs();
  execFileSync(process.execPath, [join(__dirname, '..', 'scripts', 'build-portal.mjs')], {
    stdio: 'inherit',
  });
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
  // Single-use and valid for 10 minutes: run `npm start` again (or POST /v1/portal/sessions) for another.
  console.log(`event-relay local: portal ${await portalLink(local.apiUrl, local.apiKeys[0]!)}`);
  console.log(`${timestamp()} ready in ${local.startupMs} ms; Ctrl-C stops`);
  ready = true;
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(`event-relay local: ${(error as Error).message}`);
    process.exit(1);
  });
