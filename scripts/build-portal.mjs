// Builds the tenant portal (portal/ → portal/dist) with Vite when its sources are newer than the last
// build, so `npm start`, the browser tests and `cdk synth` always serve current files without paying
// for a build each time. `--force` builds regardless.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const portal = join(root, 'portal');
const stamp = join(portal, 'dist', '.vite', 'manifest.json');

function newest(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((entry) => newest(join(path, entry))));
}

const inputs = [
  join(portal, 'src'),
  join(portal, 'index.html'),
  join(portal, 'vite.config.mts'),
  join(root, 'package-lock.json'),
];
const stale =
  process.argv.includes('--force') ||
  !existsSync(stamp) ||
  Math.max(...inputs.map(newest)) > statSync(stamp).mtimeMs;
if (stale) {
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', portal, '--logLevel', 'warn'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
