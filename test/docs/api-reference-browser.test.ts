/**
 * The API reference page in a real browser (Debian's Chromium, driven by playwright-core), served by the
 * local mode at /docs with the static function's Content-Security-Policy: it renders, hydrates and
 * searches, and the policy refuses nothing but two things Redoc tries and does without: the Redocly
 * attribution logo from its CDN (hidden when it does not load), and the `eval` its search library
 * (FlexSearch) probes with before it searches in the page itself.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { startLocal, type LocalStack } from '../../local/stack';

const CHROMIUM = '/usr/bin/chromium';
const EXPECTED_REFUSALS = /^(https:\/\/cdn\.redoc\.ly\/|eval$)/;

describe('GET /docs in a browser', () => {
  let local: LocalStack;
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
    local = await startLocal({ settings: {}, port: 0, environment: { POWERTOOLS_LOG_LEVEL: 'SILENT' } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await local?.stop();
  });

  it('renders the reference under its CSP; the menu and the search work', async () => {
    const page = await browser.newPage();
    const refused: string[] = [];
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = `${message.text()} ${message.location().url}`;
      // The browser asks for /favicon.ico by itself; the logo is the one refusal expected.
      if (!/\/favicon\.ico$/.test(text) && !text.includes('cdn.redoc.ly')) errors.push(text);
    });
    await page.exposeFunction('reportViolation', (uri: string) => refused.push(uri));
    await page.addInitScript({
      content:
        "document.addEventListener('securitypolicyviolation', (event) => window.reportViolation(event.blockedURI));",
    });

    await page.goto(`${local.apiUrl}/docs`);
    await page.getByRole('heading', { name: /event-relay management API/ }).waitFor();
    await page.getByText('Webhooks', { exact: true }).first().click();
    await page.getByText('/v1/webhooks/{id}/secret/rotate').first().waitFor();
    // Hydrated: the search dialog opens and its hits highlight the words they matched, which needs
    // Redoc's script to run. The prerendered page shows before hydration, which replaces its nodes, so on
    // a cold, loaded machine a click or keystrokes can land on nodes about to be replaced: each step is
    // tried again, a few times, until the hits show.
    const hit = page.getByText('Rotated-out', { exact: true }).filter({ visible: true }).first();
    for (let attempt = 1; ; attempt += 1) {
      try {
        await page.keyboard.press('Escape');
        await page.getByTestId('search-trigger').click({ timeout: 5_000 });
        await page.getByText('to navigate').waitFor({ timeout: 5_000 });
        await page.getByPlaceholder('Search docs...').fill('rotate', { timeout: 5_000 });
        await hit.waitFor({ timeout: 5_000 });
        break;
      } catch (error) {
        if (attempt === 5) throw error;
      }
    }

    expect(errors).toEqual([]);
    expect(refused.filter((uri) => !EXPECTED_REFUSALS.test(uri))).toEqual([]);
  }, 120_000);
});
