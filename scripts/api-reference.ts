/**
 * The API reference page served at `/docs`: the OpenAPI document (lambdas/api/openapi.ts) rendered by
 * Redoc (`@redocly/cli build-docs`, pinned in package.json), offline, into `docs/api-reference/`.
 *
 * build-docs writes one HTML file with Redoc's scripts and styles inline. The page is served with a
 * Content-Security-Policy that allows scripts from its own origin only, so the inline parts are moved
 * into files beside it: Redoc's bundle (which does not change with the API), the API's own definition
 * with the call that hydrates the prerendered HTML, the colour-mode snippet and the stylesheet. Nothing
 * is fetched from anywhere else when the page is viewed.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openApiDocument } from '../lambdas/api/openapi';
import { API_ROUTES } from '../lambdas/api/routes';
import { API_REFERENCE_SITE } from '../lambdas/shared/static-sites';
import { writeFileSync } from 'node:fs';

export const ROOT = join(__dirname, '..');
/** Where the page lives in the repository, and the path the static function serves it under. */
export const API_REFERENCE_DIR = join(ROOT, API_REFERENCE_SITE.directory);
export const API_REFERENCE_ROUTE = API_REFERENCE_SITE.route;

/** The page's files by name: index.html, the scripts and the stylesheet. */
export type PageFiles = Record<string, string>;

const REDOC_BUNDLE = 'redoc.standalone.js';
const DEFINITION = 'definition.js';
/** Where Redoc's bundle ends and the page's own definition and hydrate call begin. */
const DEFINITION_START = 'const __redoc_definition = ';

/** Runs `redocly build-docs` on the current OpenAPI document; the single HTML file it writes. */
async function buildDocsHtml(): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), 'event-relay-api-reference-'));
  try {
    const spec = join(work, 'openapi.json');
    const output = join(work, 'index.html');
    writeFileSync(spec, JSON.stringify(openApiDocument(API_ROUTES)));
    try {
      await promisify(execFile)(
        join(ROOT, 'node_modules', '.bin', 'redocly'),
        ['build-docs', spec, '--inlineBundle', '--output', output, '--title', 'event-relay API reference'],
        {
          cwd: work,
          env: {
            ...process.env,
            REDOCLY_TELEMETRY: 'off',
            REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
            NO_COLOR: '1',
          },
        },
      );
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`redocly build-docs failed:\n${stdout}${stderr}`);
    }
    return readFileSync(output, 'utf8');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Splits build-docs' single file into a page whose scripts and stylesheet are files of their own. */
export function splitPage(html: string): PageFiles {
  const files: PageFiles = {};
  const styles: string[] = [];
  let page = html.replace(/<style[^>]*>([\s\S]*?)<\/style>/g, (_, css: string) => {
    styles.push(css);
    return '';
  });
  files['styles.css'] = `${styles.join('\n')}\n`;
  page = page.replace('</head>', `<link rel="stylesheet" href="${API_REFERENCE_ROUTE}/styles.css">\n</head>`);

  let classic = 0;
  page = page.replace(/<script( type="module")?>([\s\S]*?)<\/script>/g, (_, module: string, code: string) => {
    if (!module) {
      const name = `inline-${++classic}.js`;
      files[name] = code;
      return `<script src="${API_REFERENCE_ROUTE}/${name}"></script>`;
    }
    const start = code.indexOf(DEFINITION_START);
    // The bundle exports `hydrate` itself; the definition imports it from there.
    if (start < 0 || !/export\s*\{[^}]*\bhydrate\b/.test(code.slice(0, start))) {
      throw new Error(`Redoc's module script no longer exports hydrate and ends with "${DEFINITION_START}…"`);
    }
    files[REDOC_BUNDLE] = `${code.slice(0, start).trimEnd()}\n`;
    files[DEFINITION] =
      `import { hydrate } from '${API_REFERENCE_ROUTE}/${REDOC_BUNDLE}';\n` + `${code.slice(start).trim()}\n`;
    return `<script type="module" src="${API_REFERENCE_ROUTE}/${DEFINITION}"></script>`;
  });
  if (!files[DEFINITION]) throw new Error('build-docs wrote no Redoc module script');
  files['index.html'] = page;
  return files;
}

/** The page the current OpenAPI document renders to. */
export async function renderApiReference(): Promise<PageFiles> {
  return splitPage(await buildDocsHtml());
}
