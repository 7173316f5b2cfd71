/**
 * Browser tests of the tenant portal: Debian's Chromium (`/usr/bin/chromium`, never a downloaded
 * browser) driven by playwright-core against the local mode and a real receiver (test/e2e harness),
 * with axe on every page and screenshots written to docs/screenshots/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AxeResults } from 'axe-core';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/**
 * `npm run portal:screenshots` (UPDATE_SCREENSHOTS=1) writes the committed set in docs/screenshots;
 * an ordinary run writes them to a scratch directory, so `npm test` leaves the tree as it was.
 */
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? join(__dirname, '..', '..', 'docs', 'screenshots')
  : join(tmpdir(), 'event-relay-portal-screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe's serious and critical violations on the page as it is now: [] when there are none. axe is
 * evaluated through the DevTools protocol, which the page's CSP (no inline script) does not govern.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const { violations } = (await page.evaluate(() =>
    (globalThis as unknown as { axe: { run(): Promise<unknown> } }).axe.run(),
  )) as AxeResults;
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes.map((n) => n.target.join(' ')).join(', ')})`,
    );
}

/** Checks the page with axe, then saves its screenshot as docs/screenshots/<name>.png. */
export async function checkPage(page: Page, name: string): Promise<void> {
  expect(await accessibilityProblems(page)).toEqual([]);
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** Waits until `locator` is visible (Playwright's own auto-waiting, with a readable failure). */
export async function visible(locator: Locator, timeout = 10_000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout });
  return locator;
}

/** Clicks `refresh` until `locator` shows up (for state that changes on the server, e.g. a retry). */
export async function refreshUntil(refresh: Locator, locator: Locator, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await locator.first().isVisible()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(locator)}`);
    await refresh.click();
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
