/**
 * The construct as another CDK app gets it: `npm pack` of this repository, unpacked into a consumer's
 * node_modules, imported by package name from TypeScript (the `exports` and types resolve under
 * `moduleResolution: node16`), and synthesized twice in one stack with real bundling from the shipped
 * handler sources. Runs in the parity run (`npm run test:aws`), not in `npm test`: packing builds dist/.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { STATIC_SITES } from '../../lambdas/shared/static-sites';
import { FUNCTION_NAMES } from '../../lib/functions';

const exec = promisify(execFile);
const ROOT = join(__dirname, '../..');
// Inside the repository, so the consumer's dependencies (aws-cdk-lib, constructs, esbuild, the
// package's own) resolve from the repository's node_modules without an install.
const CONSUMER = join(ROOT, '.event-relay', 'aws', 'consumer');

const APP = `import { App, CfnOutput, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { EventRelay, type EventRelayProps } from 'event-relay';

const app = new App({ outdir: 'cdk.out' });
const stack = new Stack(app, 'Shop');
new Bucket(stack, 'Assets', { enforceSSL: true });
const props: EventRelayProps = { retrySchedule: [30, 120], removalPolicy: RemovalPolicy.DESTROY };
const marketing = new EventRelay(stack, 'Marketing', props);
const transactional = new EventRelay(stack, 'Transactional');
new CfnOutput(stack, 'MarketingApiUrl', { value: marketing.apiUrl });
new CfnOutput(stack, 'TransactionalApiUrl', { value: transactional.apiUrl });
app.synth();
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'node16',
    moduleResolution: 'node16',
    strict: true,
    skipLibCheck: true,
    outDir: 'build',
    types: ['node'],
  },
  files: ['app.ts'],
};

beforeAll(async () => {
  rmSync(CONSUMER, { recursive: true, force: true });
  const installed = join(CONSUMER, 'node_modules', 'event-relay');
  mkdirSync(installed, { recursive: true });
  const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', CONSUMER], { cwd: ROOT });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string }[];
  if (!packed) throw new Error(`npm pack printed no file: ${stdout}`);
  const { filename } = packed;
  await exec('tar', ['xzf', join(CONSUMER, filename), '--strip-components=1', '-C', installed]);
  writeFileSync(join(CONSUMER, 'package.json'), JSON.stringify({ name: 'shop-infra', private: true }));
  // Its own lock file makes the consumer its own bundling project root, as in an app of its own (else
  // CDK would find the repository's lock file further up and bundle from here).
  writeFileSync(
    join(CONSUMER, 'package-lock.json'),
    JSON.stringify({ name: 'shop-infra', lockfileVersion: 3, requires: true, packages: {} }),
  );
  writeFileSync(join(CONSUMER, 'app.ts'), APP);
  writeFileSync(join(CONSUMER, 'tsconfig.json'), JSON.stringify(TSCONFIG));
}, 120_000);

describe('the packed construct in another CDK app', () => {
  it('type-checks against the package entry point and types', async () => {
    await exec(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', CONSUMER]);
    expect(existsSync(join(CONSUMER, 'build', 'app.js'))).toBe(true);
  }, 120_000);

  it('synthesizes two instances beside the app’s own resources, bundled from the shipped sources', async () => {
    await exec(process.execPath, ['build/app.js'], { cwd: CONSUMER });
    const out = join(CONSUMER, 'cdk.out');
    const template = JSON.parse(readFileSync(join(out, 'Shop.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }>;
    };
    const resources = Object.values(template.Resources);
    const functions = resources.filter((resource) => resource.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(2 * FUNCTION_NAMES.length);
    expect(resources.filter((resource) => resource.Type === 'AWS::S3::Bucket')).toHaveLength(1);
    for (const fn of functions) {
      const asset = join(out, `asset.${fn.Properties.Code!.S3Key!.replace(/\.zip$/, '')}`);
      expect(readFileSync(join(asset, 'index.js'), 'utf8')).toMatch(/exports|handler/);
    }
    // The static function's bundle carries the prebuilt portal the package ships.
    const withSites = functions.filter((fn) =>
      STATIC_SITES.every((site) =>
        existsSync(
          join(
            out,
            `asset.${fn.Properties.Code!.S3Key!.replace(/\.zip$/, '')}`,
            site.directory,
            'index.html',
          ),
        ),
      ),
    );
    expect(withSites).toHaveLength(2);
  }, 120_000);
});
