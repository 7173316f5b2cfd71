import type { MappingRow } from '../../lambdas/providers/types';

/** A module's mapping table as the Markdown table docs/providers.md publishes. */
export function mappingTableMarkdown(rows: readonly MappingRow[]): string {
  return [
    '| Provider status | Normalized | Note |',
    '| --- | --- | --- |',
    ...rows.map((row) => `| \`${row.providerStatus}\` | ${row.status} | ${row.note ?? ''} |`),
  ].join('\n');
}
