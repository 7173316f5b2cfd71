/** Builds the tenant portal (portal/dist) if its sources changed since the last build. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export function buildPortal(): void {
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build-portal.mjs')], {
    stdio: 'inherit',
  });
}
