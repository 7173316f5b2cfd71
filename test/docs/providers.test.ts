import { PROVIDERS } from '../../lambdas/providers/registry';
import { startLocal, type LocalStack } from '../../local/stack';
import { PROVIDER_SAMPLES } from '../../scripts/docs/provider-samples';
import {
  mappingTableMarkdown,
  readProvidersPage,
  renderProvidersPage,
  sampleAnswers,
} from '../../scripts/docs/providers-page';

const page = readProvidersPage();

/** The text of the `## <title> (`<name>`)` section, up to the next `## ` heading. */
function section(title: string, name: string): string {
  const heading = `## ${title} (\`${name}\`)\n`;
  const start = page.indexOf(heading);
  if (start < 0) return '';
  const end = page.indexOf('\n## ', start + heading.length);
  return page.slice(start, end < 0 ? undefined : end);
}

describe('docs/providers.md', () => {
  it.each(Object.values(PROVIDERS).map((m) => [m.name, m] as const))(
    'has a section for %s with its mapping table exactly as the module exports it',
    (_, module) => {
      const text = section(module.title, module.name);
      expect(text).toContain('**Credentials:**');
      expect(text).toContain('**Set-up:**');
      expect(text).toContain('### Signed sample request');
      expect(text).toContain(`### Mapping\n\n${mappingTableMarkdown(module.mapping)}\n`);
    },
  );

  it('has a runnable sample for every provider but SES, whose messages only SNS can sign', () => {
    expect(PROVIDER_SAMPLES.map((sample) => sample.provider).sort()).toEqual(
      Object.keys(PROVIDERS)
        .filter((name) => name !== 'ses')
        .sort(),
    );
  });

  describe('run against the local mode', () => {
    const API_KEY = 'er_local_docs00000000000000000000';
    let local: LocalStack;
    beforeAll(async () => {
      local = await startLocal({
        settings: {},
        port: 0,
        apiKeys: [API_KEY],
        environment: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
      });
    });
    afterAll(() => local?.stop());

    it('every sample is accepted with the answer the page shows (`npm run docs` regenerates them)', async () => {
      const answers = await sampleAnswers(local, API_KEY);
      for (const answer of answers.values()) expect(answer).toMatch(/^\[\{"id":"evt_/);
      expect(renderProvidersPage(page, answers)).toBe(page);
    }, 60_000);
  });
});
