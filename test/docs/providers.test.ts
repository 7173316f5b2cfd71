import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROVIDERS } from '../../lambdas/providers/registry';
import { mappingTableMarkdown } from './mapping-table';

const docs = readFileSync(join(__dirname, '../../docs/providers.md'), 'utf8');

/** The text of the `## <title> (`<name>`)` section, up to the next `## ` heading. */
function section(title: string, name: string): string {
  const heading = `## ${title} (\`${name}\`)\n`;
  const start = docs.indexOf(heading);
  if (start < 0) return '';
  const end = docs.indexOf('\n## ', start + heading.length);
  return docs.slice(start, end < 0 ? undefined : end);
}

describe('docs/providers.md', () => {
  it.each(Object.values(PROVIDERS).map((m) => [m.name, m] as const))(
    'has a section for %s with its mapping table exactly as the module exports it',
    (_, module) => {
      const text = section(module.title, module.name);
      expect(text).toContain('**Credentials:**');
      expect(text).toContain('**Set-up:**');
      expect(text).toContain(`### Mapping\n\n${mappingTableMarkdown(module.mapping)}\n`);
    },
  );
});
