import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { readDoc, ROOT } from './runnable';

/** The pages whose links are checked. */
const pages = [
  'README.md',
  'CONTRIBUTING.md',
  'SECURITY.md',
  'CHANGELOG.md',
  ...[
    'api',
    'architecture',
    'capacity',
    'configuration',
    'delivery',
    'deploy',
    'input-limits',
    'lifecycle',
    'portal',
    'cost',
    'local-mode',
    'operations',
    'performance',
    'providers',
    'receiving-webhooks',
    'security',
    'troubleshooting',
  ].map((name) => `docs/${name}.md`),
];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(page: string): Set<string> {
  const text = readDoc(page).replace(/^```[\s\S]*?^```$/gm, '');
  return new Set([...text.matchAll(/^#+ (.+)$/gm)].map((match) => slug(match[1]!)));
}

function linksOf(page: string): { target: string; anchor?: string }[] {
  const text = readDoc(page).replace(/^```[\s\S]*?^```$/gm, '');
  return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1]!)
    .filter((href) => !/^[a-z]+:/.test(href))
    .map((href) => {
      const [path, anchor] = href.split('#') as [string, string | undefined];
      const target = path ? relative(ROOT, join(ROOT, dirname(page), path)) : page;
      return { target, ...(anchor ? { anchor } : {}) };
    });
}

describe('links between the docs', () => {
  it.each(pages)('every relative link of %s resolves, anchors included', (page) => {
    const broken = linksOf(page)
      .filter(
        ({ target, anchor }) =>
          !existsSync(join(ROOT, target)) ||
          (anchor !== undefined && target.endsWith('.md') && !anchorsOf(target).has(anchor)),
      )
      .map(({ target, anchor }) => (anchor ? `${target}#${anchor}` : target));
    expect(broken).toEqual([]);
  });
});
