import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../scripts/docs/shell';

export { ROOT, runnableBlocks, runShell } from '../../scripts/docs/shell';

export function readDoc(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

/** `NAME=value` pairs written before a command on the line that runs it, e.g. before `npm start`. */
export function settingsBefore(markdown: string, command: string): Record<string, string> {
  const line = markdown.split('\n').find((candidate) => candidate.trimEnd().endsWith(command));
  if (!line) throw new Error(`no line runs ${command}`);
  return Object.fromEntries(
    [...line.matchAll(/([A-Z_]+)=(\S+)/g)].map((match) => [match[1]!, match[2]!] as [string, string]),
  );
}
