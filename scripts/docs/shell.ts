/**
 * The docs' runnable shell blocks: fenced as ```sh runnable, run in one bash from the repository root
 * against a local stack. The docs use the default ports (3000 for the API, 4000 for the receiver); the
 * blocks run with the ports of the servers actually listening instead.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = join(__dirname, '../..');

/** The bodies of the ```sh runnable blocks of `markdown`, in order. */
export function runnableBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```sh runnable\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

export interface Ports {
  api: string;
  receiver?: string;
}

/** Runs `script` in bash (`-euo pipefail`) from the repository root, with the docs' ports replaced. */
export async function runShell(script: string, ports: Ports): Promise<{ stdout: string; stderr: string }> {
  let text = script.split('127.0.0.1:3000').join(new URL(ports.api).host);
  if (ports.receiver) text = text.split('127.0.0.1:4000').join(new URL(ports.receiver).host);
  return promisify(execFile)('bash', ['-euo', 'pipefail', '-c', text], {
    cwd: ROOT,
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
  });
}
