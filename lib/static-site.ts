/**
 * The static function's share of the stack: its bundle carries the built files of every site in
 * `STATIC_SITES` (lambdas/shared/static-sites.ts), built first when they are stale, and its environment
 * carries the Content-Security-Policy's `frame-ancestors` (cdk.json `portalFrameAncestors`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { STATIC_SITES } from '../lambdas/shared/static-sites';
import type { EventRelayConfig } from './config';

/**
 * Builds the portal when its sources changed, then copies each site's files into the bundle. Paths are
 * the package's own (`packageRoot`, which holds the site directories): in another app's node_modules the
 * bundling project root is that app's, and the portal comes prebuilt (`npm pack` builds it), so there is
 * nothing to build.
 */
export function staticSiteCommandHooks(packageRoot: string): ICommandHooks {
  const builder = join(packageRoot, 'scripts', 'build-portal.mjs');
  return {
    beforeBundling: () => (existsSync(builder) ? [`node "${builder}"`] : []),
    beforeInstall: () => [],
    afterBundling: (_inputDir, outputDir) =>
      STATIC_SITES.map(
        (site) =>
          `mkdir -p "${outputDir}/${site.directory}" && cp -R "${join(packageRoot, site.directory)}/." "${outputDir}/${site.directory}"`,
      ),
  };
}

export function staticSiteEnvironment(config: Pick<EventRelayConfig, 'portalFrameAncestors'>) {
  return { FRAME_ANCESTORS: config.portalFrameAncestors };
}
