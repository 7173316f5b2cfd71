// Builds the tenant portal (portal/ → portal/dist) with Vite when its sources are newer than the last
// build, so `npm start`, the tests and `cdk synth` always serve current files without paying for a
// build each time. `--force` builds regardless. Concurrent callers (test workers in a fresh clone) take
// turns through a lock directory, so two builds never write portal/dist at once.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const portal = join(root, 'portal');
const stamp = join(portal, 'dist', '.vite', 'manifest.json');
const lock = join(portal, '.build-lock');

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
const stale = () => !existsSync(stamp) || Math.max(...inputs.map(newest)) > statSync(stamp).mtimeMs;
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function withLock(work) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      // A lock older than two minutes belongs to a build that died.
      if (Date.now() - statSync(lock, { throwIfNoEntry: false })?.mtimeMs > 120_000)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`portal build: ${lock} is held; remove it if no build runs`);
      sleep(200);
    }
  }
  try {
    work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

const force = process.argv.includes('--force');
if (force || stale()) {
  withLock(() => {
    // Another caller may have built while this one waited.
    if (!force && !stale()) return;
    execFileSync(
      process.execPath,
      [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', portal, '--logLevel', 'warn'],
      { cwd: root, stdio: 'inherit' },
    );
  });
}
