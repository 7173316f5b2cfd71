/**
 * Browser tests of the tenant portal: Debian's Chromium (`/usr/bin/chromium`, never a downloaded
 * browser) driven by playwright-core against the local mode and a real receiver (test/e2e harness),
 * with axe on every page and screenshots written to docs/screenshots/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AxeResults } from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { TENANT_KEYS, type E2E } from '../e2e/support/harness';

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

// What the functions passed to page.evaluate() use: they run in the browser, not here.
declare const sessionStorage: { getItem(key: string): string | null };

/** Signing in as a platform's customer does: a link minted with the tenant's API key, opened in a browser. */
export interface Portal {
  /** A portal link, minted as a platform's backend does with the tenant's API key. */
  mintLink(body?: Record<string, unknown>, key?: string): Promise<string>;
  /** A page in a browser context of its own (closed by `closeAll`). */
  newPage(viewport?: { width: number; height: number }): Promise<Page>;
  /** Opens a fresh link in a new browser and waits for the endpoints page. */
  signIn(options?: {
    body?: Record<string, unknown>;
    key?: string;
    viewport?: { width: number; height: number };
  }): Promise<Page>;
  createWebhook(
    body: Record<string, unknown>,
    key?: string,
  ): Promise<{ id: string; secret: string; url: string }>;
  closeAll(): Promise<void>;
}

export function portal(e2e: E2E, browser: Browser): Portal {
  const contexts: BrowserContext[] = [];
  const mintLink: Portal['mintLink'] = async (body = {}, key = TENANT_KEYS[0]!) => {
    const minted = await e2e.call('POST', '/v1/portal/sessions', body, key);
    expect(minted.status).toBe(201);
    return minted.body.url as string;
  };
  const newPage: Portal['newPage'] = async (viewport = { width: 1280, height: 900 }) => {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    return context.newPage();
  };
  return {
    mintLink,
    newPage,
    async signIn(options = {}) {
      const page = await newPage(options.viewport);
      await page.goto(await mintLink(options.body, options.key));
      await visible(page.getByRole('heading', { name: 'Endpoints', level: 1 }));
      return page;
    },
    async createWebhook(body, key = TENANT_KEYS[0]!) {
      const created = await e2e.call('POST', '/v1/webhooks', { events: ['EMAIL_OPEN'], ...body }, key);
      expect(created.status).toBe(201);
      return created.body as { id: string; secret: string; url: string };
    },
    closeAll: async () => {
      await Promise.all(contexts.splice(0).map((context) => context.close()));
    },
  };
}

export const tokenOf = (page: Page) =>
  page.evaluate(() => sessionStorage.getItem('event-relay.portal.token'));

/** A call from inside the page with the session's own token (what a script in the portal could do). */
export function callAsSession(page: Page, method: string, path: string, body?: unknown) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const token = sessionStorage.getItem('event-relay.portal.token');
      const response = await fetch(path, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.text()) || null };
    },
    { method, path, body },
  );
}
