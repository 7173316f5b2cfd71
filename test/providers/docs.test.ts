import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROVIDERS } from '../../lambdas/providers/registry';
import { mappingTableMarkdown } from './mapping-table';

describe('README.md provider mapping tables', () => {
  const docs = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  it.each(Object.values(PROVIDERS).map((m) => [m.name, m] as const))(
    'publishes the %s mapping table exactly as the module exports it',
    (_, module) => {
      expect(docs).toContain(
        `### ${module.title} (\`${module.name}\`)\n\n${mappingTableMarkdown(module.mapping)}`,
      );
    },
  );
});
