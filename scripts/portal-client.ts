/**
 * Writes the portal's API types (portal/src/api/schema.d.ts) from the management API's OpenAPI
 * document, so the portal's client cannot drift from the routes: `npm run portal:client`.
 * test/portal/client-types.test.ts fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { openApiDocument } from '../lambdas/api/openapi';
import { API_ROUTES } from '../lambdas/api/routes';

export const PORTAL_CLIENT_TYPES = join(__dirname, '..', 'portal', 'src', 'api', 'schema.d.ts');

const BANNER = '// Generated from the OpenAPI document by `npm run portal:client`; do not edit.\n\n';

export async function portalClientTypes(): Promise<string> {
  const document = openApiDocument(API_ROUTES);
  const ast = await openapiTS(document as unknown as Parameters<typeof openapiTS>[0]);
  return BANNER + astToString(ast);
}

if (require.main === module) {
  void portalClientTypes().then((types) => {
    // `--print` writes them to stdout instead (the staleness test compares).
    if (process.argv.includes('--print')) process.stdout.write(types);
    else {
      writeFileSync(PORTAL_CLIENT_TYPES, types);
      console.log(`wrote ${PORTAL_CLIENT_TYPES}`);
    }
  });
}
