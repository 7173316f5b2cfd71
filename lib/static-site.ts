/**
 * The static function's share of the stack: its bundle carries the built files of every site in
 * `STATIC_SITES` (lambdas/shared/static-sites.ts), built first when they are stale, and its environment
 * carries the Content-Security-Policy's `frame-ancestors` (cdk.json `portalFrameAncestors`).
 */
import type { ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { STATIC_SITES } from '../lambdas/shared/static-sites';
import type { EventRelayConfig } from './config';

/** Builds the portal when its sources changed, then copies each site's files into the bundle. */
export const staticSiteCommandHooks: ICommandHooks = {
  beforeBundling: (inputDir) => [`node "${inputDir}/scripts/build-portal.mjs"`],
  beforeInstall: () => [],
  afterBundling: (inputDir, outputDir) =>
    STATIC_SITES.map(
      (site) =>
        `mkdir -p "${outputDir}/${site.directory}" && cp -R "${inputDir}/${site.directory}/." "${outputDir}/${site.directory}"`,
    ),
};

export function staticSiteEnvironment(config: Pick<EventRelayConfig, 'portalFrameAncestors'>) {
  return { FRAME_ANCESTORS: config.portalFrameAncestors };
}
