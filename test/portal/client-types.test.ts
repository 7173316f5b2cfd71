import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

// The portal talks to the API only through types generated from the OpenAPI document: a route or schema
// change must regenerate them (`npm run portal:client`), and `tsc -p portal` then checks every page.
// (In a child process: openapi-typescript loads ES modules jest's CommonJS runtime cannot.)
it('the portal client types match the OpenAPI document', () => {
  const generated = execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
      join(ROOT, 'scripts', 'portal-client.ts'),
      '--print',
    ],
    { encoding: 'utf8' },
  );
  expect(generated.length).toBeGreaterThan(1000);
  expect(readFileSync(join(ROOT, 'portal', 'src', 'api', 'schema.d.ts'), 'utf8')).toBe(generated);
});
