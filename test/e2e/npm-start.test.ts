/**
 * `npm start` as a newcomer runs it: a separate process that prints the ready line, serves the API,
 * writes the operator state file, and on Ctrl-C stops, removes the state file and exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from './support';

const ROOT = join(__dirname, '..', '..');
const KEY = 'er_local_e2e_spawn_0123456789';

let child: ChildProcess | undefined;
let workDir: string;

beforeAll(() => {
  // The state file goes to .event-relay/ under the working directory: keep it out of the checkout.
  workDir = mkdtempSync(join(tmpdir(), 'event-relay-start-'));
});

afterAll(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(workDir, { recursive: true, force: true });
});

it('starts, serves the API, and stops cleanly on SIGINT', async () => {
  child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'local', 'start.ts')], {
    cwd: workDir,
    env: { ...process.env, PORT: '0', LOCAL_API_KEY: KEY },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));

  const ready = await eventually(
    'the ready line',
    () => /^event-relay local: (http:\/\/127\.0\.0\.1:\d+) api-key=(\S+)$/m.exec(output) ?? undefined,
    25_000,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; output: ${output}`);
  });
  const [, apiUrl, apiKey] = ready;
  expect(apiKey).toBe(KEY);

  const response = await fetch(`${apiUrl}/v1/event-types`, { headers: { authorization: `Bearer ${KEY}` } });
  expect(response.status).toBe(200);

  const stateFile = join(workDir, '.event-relay', 'local.json');
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as {
    apiUrl: string;
    env: Record<string, string>;
  };
  expect(state.apiUrl).toBe(apiUrl);
  expect(Object.keys(state.env)).toEqual(
    expect.arrayContaining([
      'TENANTS_TABLE',
      'DELIVERY_QUEUE_URLS',
      'DEAD_LETTER_QUEUE_URLS',
      'AWS_ENDPOINT_URL_SQS',
    ]),
  );

  child.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(existsSync(stateFile)).toBe(false);
  await expect(fetch(`${apiUrl}/v1/event-types`)).rejects.toThrow();
});
