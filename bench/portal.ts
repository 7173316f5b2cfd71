/**
 * Figure 8, the tenant portal's first load: the JavaScript a browser must fetch before the portal
 * shows anything (the entry module of portal/dist/index.html and the modules it preloads), gzipped as
 * the static function serves it, against the smallest React app (`createRoot(...).render(null)`,
 * bundled and minified by esbuild in this run, gzipped). Target: at most 200 KB. The stylesheet is
 * shown beside it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { compare, type FigureResult } from './lib/figure';

const ROOT = path.join(__dirname, '..');
const DIST = path.join(ROOT, 'portal', 'dist');
const gzippedKB = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length / 1024;

/** The files index.html makes the browser fetch at once, by kind. */
export function firstLoadFiles(html: string): { scripts: string[]; styles: string[] } {
  const local = (url: string) => path.join(DIST, url.replace(/^\/portal\//, ''));
  const scripts = [
    ...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g),
    ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
  ].map((match) => local(match[1]!));
  const styles = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((match) =>
    local(match[1]!),
  );
  return { scripts, styles };
}

export async function run(): Promise<FigureResult[]> {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-portal.mjs'), '--force'], {
    stdio: 'ignore',
  });
  const { scripts, styles } = firstLoadFiles(readFileSync(path.join(DIST, 'index.html'), 'utf8'));
  const javascript = scripts.reduce((sum, file) => sum + gzippedKB(file), 0);
  const smallest = await build({
    stdin: {
      contents: "import { createRoot } from 'react-dom/client'; createRoot(document.body).render(null);",
      resolveDir: ROOT,
      loader: 'js',
    },
    bundle: true,
    minify: true,
    format: 'esm',
    target: 'es2022',
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
  });
  const react = gzipSync(smallest.outputFiles[0]!.contents, { level: 9 }).length / 1024;
  const result = compare(
    '8',
    'Portal first-load JavaScript (gzipped)',
    { value: javascript, unit: 'KB' },
    { name: 'the smallest React app', value: react, unit: 'KB' },
    { maxValue: 200 },
  );
  result.extra = {
    stylesheet: { value: styles.reduce((sum, file) => sum + gzippedKB(file), 0), unit: 'KB' },
  };
  result.notes = [`${scripts.length} script file(s) on first load; every page is in the one bundle`];
  return [result];
}
