/**
 * `npm run docs`: regenerates docs/performance.md's table from the reference bench run, and
 * docs/providers.md's mapping tables and signed samples, the samples run against a local stack started
 * here so that each answer on the page is one the code gave.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { startLocal } from '../../local/stack';
import { quietSdkNodeNotice } from '../target';
import { PERFORMANCE_PAGE, renderPerformancePage } from './performance-page';
import { PROVIDERS_PAGE, readProvidersPage, renderProvidersPage, sampleAnswers } from './providers-page';

const API_KEY = 'er_local_docs00000000000000000000';

async function main(): Promise<void> {
  quietSdkNodeNotice();
  writeFileSync(PERFORMANCE_PAGE, renderPerformancePage(readFileSync(PERFORMANCE_PAGE, 'utf8')));
  console.log('docs/performance.md: the table regenerated from bench/reference.json');
  const local = await startLocal({
    settings: {},
    port: 0,
    apiKeys: [API_KEY],
    environment: { POWERTOOLS_LOG_LEVEL: 'SILENT' },
  });
  try {
    const answers = await sampleAnswers(local, API_KEY);
    writeFileSync(PROVIDERS_PAGE, renderProvidersPage(readProvidersPage(), answers));
    console.log(`docs/providers.md: ${answers.size} samples and every mapping table regenerated`);
  } finally {
    await local.stop();
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
