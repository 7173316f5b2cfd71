// Builds the tenant portal (portal/dist) once, before any test worker starts: several suites serve it
// (the static function, the browser tests, npm start, the stack's bundling hook), and two Vite builds
// racing into one output directory in a fresh checkout would break each other.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

module.exports = () => {
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'scripts', 'build-portal.mjs')], {
    stdio: 'inherit',
  });
};
