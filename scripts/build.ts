/**
 * `npm run build` (after `tsc --noEmit`): what the project builds besides the CDK's own bundling —
 * each Lambda function bundled as the stack bundles it, into `dist/functions/<name>/index.js`, and the
 * API reference page rendered from the OpenAPI document into `docs/api-reference/` (served at `/docs`).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundle, esbuildTarget, functionNames } from '../bench/cold-start';
import { API_REFERENCE_DIR, renderApiReference, ROOT } from './api-reference';

/** Replaces the page's directory with `files`. */
export function writePage(files: Record<string, string>, dir = API_REFERENCE_DIR): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
}

async function main(): Promise<void> {
  const target = await esbuildTarget();
  const out = join(ROOT, 'dist', 'functions');
  rmSync(out, { recursive: true, force: true });
  for (const name of functionNames()) {
    const outfile = join(out, name, 'index.js');
    const { sizeKB } = await bundle(join(ROOT, 'lambdas', name, 'handler.ts'), outfile, target);
    console.log(`${relative(ROOT, outfile)}  ${sizeKB.toFixed(0)} KB (${target})`);
  }
  writePage(await renderApiReference());
  const names = readdirSync(API_REFERENCE_DIR).sort();
  console.log(`${relative(ROOT, API_REFERENCE_DIR)}/  ${names.join(', ')} (served at /docs)`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
