/**
 * `npm start` as a newcomer runs it: a child process that prints the ready line, serves the API, writes
 * the state file the operator commands read, and on Ctrl-C (SIGINT) stops, removes it and exits.
 * It runs the `start` script's command in a scratch directory, so a local mode already running in the
 * checkout keeps its state file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalState } from '../../scripts/target';
import { eventually } from './support/harness';

const ROOT = join(__dirname, '..', '..');
const READY_LINE = /^event-relay local: (http:\/\/127\.0\.0\.1:\d+) api-key=(\S+)$/m;

let child: ChildProcess | undefined;
let scratch: string;

beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'event-relay-start-'));
});

afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(scratch, { recursive: true, force: true });
});

function startCommand(): string[] {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  const [runner, ...args] = scripts.start!.split(' ');
  expect(runner).toBe('tsx');
  return [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), ...args.map((arg) => join(ROOT, arg))];
}

it('starts, serves the API with the seeded key, and stops cleanly on SIGINT', async () => {
  const { PORT: _port, AWS_ENDPOINT_URL: _endpoint, ...inherited } = process.env;
  child = spawn(process.execPath, startCommand(), {
    cwd: scratch,
    env: { ...inherited, PORT: '0', LOCAL_API_KEY: 'er_live_spawned_0123456789abcdefghij' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child!.on('exit', (code) => resolve(code)));

  const [, apiUrl, apiKey] = await eventually(
    'the ready line',
    () => READY_LINE.exec(output) ?? undefined,
    25_000,
  );
  expect(apiKey).toBe('er_live_spawned_0123456789abcdefghij');
  const stateFile = join(scratch, '.event-relay', 'local.json');
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as LocalState;
  expect(state.apiUrl).toBe(apiUrl);
  expect(JSON.parse(state.env.DELIVERY_QUEUE_URLS!)).toEqual({
    OPEN: expect.any(String),
    CLICK: expect.any(String),
    FAILED: expect.any(String),
  });

  // The portal link printed beside the ready line opens the portal for the seeded tenant.
  const [, portalUrl] = await eventually(
    'the portal link',
    () => /^event-relay local: portal (\S+)$/m.exec(output) ?? undefined,
  );
  expect(portalUrl).toMatch(new RegExp(`^${apiUrl}/portal/session#code=erc_`));
  const page = await fetch(portalUrl!);
  expect(page.status).toBe(200);
  expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
  const exchanged = await fetch(`${apiUrl}/v1/portal/sessions/exchange`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: new URL(portalUrl!).hash.slice('#code='.length) }),
  });
  expect(exchanged.status).toBe(200);

  const response = await fetch(`${apiUrl}/v1/event-types`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  expect(response.status).toBe(200);
  await eventually('the request in the log', () =>
    /GET \/v1\/event-types → 200/.test(output) ? true : undefined,
  );

  child.kill('SIGINT');

  expect(await exited).toBe(0);
  expect(existsSync(stateFile)).toBe(false);
  await expect(fetch(`${apiUrl}/v1/event-types`)).rejects.toThrow();
});
