/**
 * docs/providers.md's generated parts: in each provider's section, the mapping table under
 * `### Mapping` (from the module's exported `mapping`) and the signed sample between
 * `<!-- sample:<provider> -->` and `<!-- /sample -->` (scripts/docs/provider-samples.ts, with the answer
 * the local mode gave it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROVIDERS } from '../../lambdas/providers/registry';
import type { MappingRow } from '../../lambdas/providers/types';
import type { LocalStack } from '../../local/stack';
import { PROVIDER_SAMPLES, sampleMarkdown, samplePreamble, sampleScript } from './provider-samples';
import { ROOT, runShell } from './shell';

export const PROVIDERS_PAGE = join(ROOT, 'docs', 'providers.md');

/** A module's mapping table as the page publishes it. */
export function mappingTableMarkdown(rows: readonly MappingRow[]): string {
  return [
    '| Provider status | Normalized | Note |',
    '| --- | --- | --- |',
    ...rows.map((row) => `| \`${row.providerStatus}\` | ${row.status} | ${row.note ?? ''} |`),
  ].join('\n');
}

/** Each sample's answer from `local`, by provider (the local mode must run with `apiKey` seeded). */
export async function sampleAnswers(local: LocalStack, apiKey: string): Promise<Map<string, string>> {
  const answers = new Map<string, string>();
  for (const sample of PROVIDER_SAMPLES) {
    const script = `${samplePreamble(local.apiUrl, apiKey)}\n${sampleScript(sample)}`;
    const { stdout } = await runShell(script, { api: local.apiUrl });
    answers.set(sample.provider, stdout);
  }
  return answers;
}

/** The page with every mapping table and every sample (whose answer is in `answers`) regenerated. */
export function renderProvidersPage(page: string, answers: ReadonlyMap<string, string>): string {
  let text = page;
  for (const module of Object.values(PROVIDERS)) {
    const heading = `## ${module.title} (\`${module.name}\`)\n`;
    const start = text.indexOf(heading);
    if (start < 0) throw new Error(`docs/providers.md has no section "${heading.trim()}"`);
    const end = text.indexOf('\n## ', start + heading.length);
    let section = text.slice(start, end < 0 ? undefined : end);
    section = section.replace(
      /### Mapping\n\n(\|.*\n?)+/,
      () => `### Mapping\n\n${mappingTableMarkdown(module.mapping)}\n`,
    );
    const sample = PROVIDER_SAMPLES.find((candidate) => candidate.provider === module.name);
    const answer = answers.get(module.name);
    if (sample && answer !== undefined) {
      section = section.replace(
        new RegExp(`<!-- sample:${module.name} -->[\\s\\S]*?<!-- /sample -->`),
        () => `<!-- sample:${module.name} -->\n${sampleMarkdown(sample, answer)}\n<!-- /sample -->`,
      );
    }
    text = text.slice(0, start) + section + (end < 0 ? '' : text.slice(end));
  }
  return text;
}

export function readProvidersPage(): string {
  return readFileSync(PROVIDERS_PAGE, 'utf8');
}
