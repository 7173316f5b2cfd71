/**
 * The tenant portal in a real browser (headless Chromium) against the local mode and a real receiver:
 * a platform mints a link, its customer signs in with it and, without ever seeing an API key, sets up
 * an endpoint, sends a test event, reads the delivery log, retries a failure and rotates the secret.
 * Every page is checked with axe (no serious or critical violation) and photographed for the docs.
 */
import type { Browser, Page } from 'playwright-core';
import { createSignInCode } from '../../lambdas/shared/portal-sessions';
import {
  genericIntegration,
  INTEGRATION_SECRET,
  postGeneric,
  seedSignatureValid,
  startE2E,
  TENANT_KEYS,
  verifyStandardWebhooks,
  type E2E,
} from '../e2e/support/harness';
import { buildPortal } from '../support/portal-build';
import {
  callAsSession,
  checkPage,
  launchChromium,
  portal as portalOf,
  refreshUntil,
  tokenOf,
  visible,
  type Portal,
} from './support';

// What the functions passed to page.evaluate() use: they run in the browser, not here.
declare const sessionStorage: { getItem(key: string): string | null };
declare const document: {
  documentElement: { scrollWidth: number };
  activeElement: { textContent: string | null; getAttribute(name: string): string | null } | null;
};

jest.setTimeout(60_000);

let e2e: E2E;
let browser: Browser;
let portal: Portal;

beforeAll(async () => {
  buildPortal();
  [e2e, browser] = await Promise.all([startE2E({ retrySchedule: [1, 1] }), launchChromium()]);
  portal = portalOf(e2e, browser);
});
afterAll(async () => {
  await browser?.close();
  await e2e?.stop();
});
afterEach(() => portal.closeAll());

/** The endpoint page's parked count has loaded (nothing is parked in these tests). */
const parkedShown = (page: Page) =>
  visible(page.getByRole('region', { name: 'Status' }).getByRole('definition').filter({ hasText: /^0$/ }));

it('signs the customer in with a link, which then no longer works; an expired link is refused too', async () => {
  const url = await portal.mintLink({ returnUrl: 'https://app.example.com/settings' });
  const page = await portal.newPage();
  await page.goto(url);
  await visible(page.getByRole('heading', { name: 'No endpoints yet' }));
  expect(page.url()).toBe(`${e2e.local.apiUrl}/portal/endpoints`);
  expect(await tokenOf(page)).toMatch(/^ers_/);
  await visible(page.getByRole('link', { name: 'Back to dashboard' }));
  await checkPage(page, 'endpoints-empty');

  const again = await portal.newPage();
  await again.goto(url);
  await visible(again.getByRole('heading', { name: 'This link has expired' }));
  expect(await again.getByRole('link', { name: 'Back to your dashboard' }).getAttribute('href')).toBe(
    'https://app.example.com/settings',
  );
  await checkPage(again, 'link-expired');

  const tenantId = await page.evaluate(
    () =>
      (JSON.parse(sessionStorage.getItem('event-relay.portal.session')!) as { tenantId: string }).tenantId,
  );
  const { code } = await createSignInCode(
    { tenantId, capabilities: 'manage', sessionSeconds: 600 },
    Date.now() - 11 * 60_000,
  );
  const late = await portal.newPage();
  await late.goto(`${e2e.local.apiUrl}/portal/session#code=${code}`);
  await visible(late.getByRole('heading', { name: 'This link has expired' }));
  expect(await tokenOf(late)).toBeNull();
});

it("creates an endpoint through the form, showing the API's own field errors next to the fields", async () => {
  const page = await portal.signIn();
  await page.getByRole('link', { name: 'Add endpoint' }).click();
  await visible(page.getByRole('heading', { name: 'Add endpoint' }));
  const url = page.getByLabel('Endpoint URL');
  await url.fill('not a url');
  await page.getByRole('button', { name: 'Create endpoint' }).click();
  await visible(page.getByRole('alert').filter({ hasText: 'The endpoint was not saved' }));
  await visible(page.getByText('must be an absolute URL'));
  expect(await url.getAttribute('aria-invalid')).toBe('true');
  await visible(page.getByText('must list at least one event type'));
  await checkPage(page, 'endpoint-form');

  await url.fill(`${e2e.receiver.url}/form-hook`);
  await page.getByLabel('Description').fill('Order service');
  await page.getByRole('checkbox', { name: /EMAIL_OPEN/ }).check();
  await page.getByRole('checkbox', { name: /SMS_FAILED/ }).check();
  await page.getByRole('checkbox', { name: 'Automation' }).check();
  await page.getByRole('checkbox', { name: 'Send HTTP Basic Auth with every delivery' }).check();
  await page.getByLabel('Username').fill('relay');
  await page.getByLabel('Password').fill('s3cret-pass');
  await page.getByRole('button', { name: 'Add header' }).click();
  await page.getByLabel('Header 1 name').fill('X-Tenant');
  await page.getByLabel('Header 1 value').fill('acme');
  await page.getByRole('button', { name: 'Create endpoint' }).click();
  await visible(page.getByRole('status').filter({ hasText: 'Endpoint created.' }));
  await visible(page.getByRole('heading', { name: `${e2e.receiver.url}/form-hook` }));

  const listed = await e2e.call('GET', '/v1/webhooks?limit=100');
  expect(listed.body.items).toContainEqual(
    expect.objectContaining({
      url: `${e2e.receiver.url}/form-hook`,
      description: 'Order service',
      events: ['EMAIL_OPEN', 'SMS_FAILED'],
      products: ['AUTOMATION'],
      auth: { type: 'basic', username: 'relay' },
      headers: { 'X-Tenant': 'acme' },
      status: 'active',
    }),
  );
});

it('sends a test event that reaches the receiver signed, and shows it in the delivery log', async () => {
  const webhook = await portal.createWebhook({
    url: `${e2e.receiver.url}/test-event`,
    events: ['EMAIL_OPEN', 'EMAIL_CLICK'],
  });
  const page = await portal.signIn();
  await page.goto(`${e2e.local.apiUrl}/portal/endpoints/${webhook.id}`);
  await page
    .getByRole('region', { name: 'Send a test event' })
    .getByLabel('Event type')
    .selectOption('EMAIL_CLICK');
  await page.getByRole('button', { name: 'Send test event' }).click();
  const result = await visible(page.getByRole('status').filter({ hasText: 'Delivered' }));
  expect(await result.textContent()).toContain('HTTP 200');

  const [received] = e2e.receiver.received('/test-event');
  expect(verifyStandardWebhooks(received!, webhook.secret)).toMatchObject({
    eventType: 'CLICK',
    channel: 'EMAIL',
  });
  expect(
    seedSignatureValid(received!.body, received!.headers['x-webhook-signature'] as string, webhook.secret),
  ).toBe(true);

  const log = page.getByRole('region', { name: 'Delivery log' });
  await visible(log.getByRole('cell', { name: 'succeeded', exact: true }));
  await visible(log.getByRole('cell', { name: 'EMAIL_CLICK' }));
  const activity = page.getByRole('region', { name: 'Activity' });
  await visible(activity.getByRole('img', { name: /1 succeeded, 0 failed/ }));
  await visible(activity.getByText('100%'));
  await parkedShown(page);
  await checkPage(page, 'endpoint');

  await log.getByRole('link').first().click();
  await visible(page.getByRole('heading', { name: `Delivery ${received!.headers['webhook-id']}` }));
  const attempts = page.getByRole('region', { name: 'Attempts' }).getByRole('row');
  expect(await attempts.count()).toBe(2); // the header and one attempt
  await visible(attempts.nth(1).getByRole('cell', { name: '200', exact: true }));
  await visible(page.getByText('webhook-signature: v1,<signature per secret>'));
  await checkPage(page, 'delivery');
});

it("shows a failing receiver's attempts and retries the delivery from the portal", async () => {
  const webhook = await portal.createWebhook({
    url: `${e2e.receiver.url}/failing`,
    events: ['EMAIL_FAILED'],
  });
  e2e.receiver.script('/failing', 500);
  const inbound = await genericIntegration(e2e);
  const posted = await postGeneric(inbound, {
    id: 'evt-portal-fail-1',
    status: 'FAILED',
    channel: 'EMAIL',
    trackingId: 'trk-portal-1',
  });
  expect(posted.status).toBeLessThan(300);

  const page = await portal.signIn();
  await page.goto(`${e2e.local.apiUrl}/portal/endpoints/${webhook.id}`);
  const log = page.getByRole('region', { name: 'Delivery log' });
  // Three attempts (the first and two retries, 1 s apart), then the delivery is failed.
  await refreshUntil(
    log.getByRole('button', { name: 'Refresh' }),
    log.getByRole('cell', { name: 'failed', exact: true }),
  );
  await log.getByLabel('Status').selectOption('succeeded');
  await visible(log.getByRole('heading', { name: 'No deliveries match' }));
  await log.getByLabel('Status').selectOption('failed');
  await log.getByRole('link').first().click();

  const attempts = page.getByRole('region', { name: 'Attempts' }).getByRole('row');
  await visible(page.getByRole('heading', { name: /^Delivery msg_/ }));
  expect(await attempts.count()).toBe(4);
  expect(
    await page
      .getByRole('region', { name: 'Attempts' })
      .getByRole('cell', { name: '500', exact: true })
      .count(),
  ).toBe(3);
  await visible(page.getByRole('region', { name: 'Attempts' }).getByText('nope'));
  await checkPage(page, 'delivery-failed');

  e2e.receiver.script('/failing', 200);
  await page.getByRole('button', { name: 'Retry delivery' }).click();
  await visible(page.getByRole('status').filter({ hasText: 'Queued again' }));
  await refreshUntil(
    page.getByRole('button', { name: 'Refresh' }),
    page.getByText('succeeded', { exact: true }),
  );
  expect(await attempts.count()).toBe(5);
  expect(e2e.receiver.received('/failing')).toHaveLength(4);

  // The delivery function's per-batch counters: two retried attempts, one failure, then one success.
  await page.getByRole('link', { name: 'Back to the endpoint' }).click();
  const activity = page.getByRole('region', { name: 'Activity' });
  await visible(activity.getByRole('img', { name: /1 succeeded, 1 failed, 2 retried/ }));
  await visible(activity.getByText('50%'));
  await page.getByRole('link', { name: 'All endpoints' }).click();
  const row = page.getByRole('row').filter({ hasText: `${e2e.receiver.url}/failing` });
  await visible(row.getByText('2 deliveries · 50% ok'));
  await checkPage(page, 'endpoints');
});

it('rotates the secret, and the receiver verifies signatures with the old and the new one during the overlap', async () => {
  const webhook = await portal.createWebhook({ url: `${e2e.receiver.url}/rotation` });
  const page = await portal.signIn();
  await page.goto(`${e2e.local.apiUrl}/portal/endpoints/${webhook.id}`);
  await page.getByRole('button', { name: 'Reveal secret' }).click();
  const secret = page.getByLabel('Current signing secret');
  expect(await (await visible(secret)).textContent()).toBe(webhook.secret);

  await page.getByLabel('Overlap window').selectOption({ label: '24 hours' });
  await page.getByRole('button', { name: 'Rotate secret' }).click();
  await visible(page.getByRole('status').filter({ hasText: 'Secret rotated. Until' }));
  await visible(page.getByText('Previous secret still signing until'));
  const rotated = (await secret.textContent())!;
  expect(rotated).toMatch(/^whsec_/);
  expect(rotated).not.toBe(webhook.secret);

  await page.getByRole('button', { name: 'Send test event' }).click();
  await visible(page.getByRole('status').filter({ hasText: 'Delivered' }));
  const [received] = e2e.receiver.received('/rotation');
  expect(verifyStandardWebhooks(received!, rotated)).toMatchObject({ eventType: 'OPEN' });
  expect(verifyStandardWebhooks(received!, webhook.secret)).toMatchObject({ eventType: 'OPEN' });
  expect(
    seedSignatureValid(received!.body, received!.headers['x-webhook-signature'] as string, rotated),
  ).toBe(true);
  await visible(page.getByRole('button', { name: 'Copy Node.js example' }));
  await page.getByRole('button', { name: 'Python' }).click();
  await visible(page.getByText('hmac.compare_digest'));
});

it('gives a read-only session no way to change anything, and the API refuses it too', async () => {
  const webhook = await portal.createWebhook({ url: `${e2e.receiver.url}/read-only` });
  const page = await portal.signIn({ body: { capabilities: ['read'] } });
  await visible(page.getByText('Read-only'));
  expect(await page.getByRole('link', { name: 'Add endpoint' }).count()).toBe(0);
  await page.getByRole('link', { name: `${e2e.receiver.url}/read-only` }).click();
  await visible(page.getByRole('region', { name: 'Delivery log' }));
  for (const name of [
    'Edit',
    'Delete',
    'Disable',
    'Replay',
    'Send test event',
    'Reveal secret',
    'Rotate secret',
  ]) {
    expect([name, await page.getByRole('button', { name, exact: true }).count()]).toEqual([name, 0]);
  }
  expect(await page.getByRole('link', { name: 'Edit' }).count()).toBe(0);
  await parkedShown(page);
  await checkPage(page, 'endpoint-read-only');

  await page.goto(`${e2e.local.apiUrl}/portal/endpoints/${webhook.id}/edit`);
  await visible(page.getByText('This session can look but not change endpoints.'));
  const write = await callAsSession(page, 'PUT', `/v1/webhooks/${webhook.id}`, { description: 'changed' });
  expect(write.status).toBe(403);
  expect(JSON.parse(write.body!).error.code).toBe('read_only_session');
  const secret = await callAsSession(page, 'GET', `/v1/webhooks/${webhook.id}/secret`);
  expect(secret.status).toBe(403);
  const mint = await callAsSession(page, 'POST', '/v1/portal/sessions', {});
  expect(mint.status).toBe(403);
});

it("shows another tenant's endpoint and delivery as not found", async () => {
  const theirs = await portal.createWebhook({ url: `${e2e.receiver.url}/theirs` }, TENANT_KEYS[1]!);
  const test = await e2e.call('POST', `/v1/webhooks/${theirs.id}/test`, {}, TENANT_KEYS[1]!);
  const page = await portal.signIn();
  await page.goto(`${e2e.local.apiUrl}/portal/endpoints/${theirs.id}`);
  await visible(page.getByRole('heading', { name: 'Endpoint not found' }));
  await checkPage(page, 'not-found');
  await page.goto(`${e2e.local.apiUrl}/portal/endpoints/${theirs.id}/deliveries/${test.body.deliveryId}`);
  await visible(page.getByRole('heading', { name: 'Delivery not found' }));
  const direct = await callAsSession(page, 'GET', `/v1/webhooks/${theirs.id}/logs`);
  expect(direct.status).toBe(404);
});

it('shows the event catalog with schemas and examples, and adds and deletes an integration', async () => {
  const page = await portal.signIn({ key: TENANT_KEYS[1]! }); // the second tenant has no integration yet
  await page.getByRole('link', { name: 'Event catalog' }).click();
  await visible(page.getByRole('heading', { name: 'INAPP_WEB_FAILED', level: 2 }));
  expect(await page.getByRole('heading', { level: 2 }).count()).toBe(8);
  const open = page.getByRole('region', { name: 'EMAIL_OPEN' });
  await open.getByText('JSON Schema').click();
  await visible(open.getByText('"const": "OPEN"'));
  await open.getByText('Example payload').click();
  await visible(open.getByText('"trackingId": "trk_sample_0001"'));
  await checkPage(page, 'event-catalog');

  await page.getByRole('link', { name: 'Integrations' }).click();
  await visible(page.getByRole('heading', { name: 'No integrations yet' }));
  await page.getByLabel('Provider').selectOption({ label: 'Generic (platform events)' });
  await visible(page.getByText('post Standard Webhooks-signed events to the inbound URL'));
  await page.getByRole('button', { name: 'Add integration' }).click();
  await visible(page.getByRole('alert').filter({ hasText: 'The integration was not added' }));
  await page.getByLabel('Secret').fill(INTEGRATION_SECRET);
  await page.getByRole('button', { name: 'Add integration' }).click();
  const notice = await visible(page.getByRole('status').filter({ hasText: 'integration added' }));
  expect(await notice.textContent()).toMatch(new RegExp(`${e2e.local.apiUrl}/v1/inbound/int_`));
  await visible(page.getByRole('cell', { name: 'Generic (platform events)' }));
  await checkPage(page, 'integrations');

  // Deleting asks first, in a dialog: Cancel keeps it.
  const remove = page.getByRole('button', { name: 'Delete Generic (platform events) integration' });
  await remove.click();
  const dialog = page.getByRole('dialog', { name: 'Delete the Generic (platform events) integration' });
  await visible(dialog.getByText('Its inbound URL stops accepting events at once'));
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  await visible(page.getByRole('cell', { name: 'Generic (platform events)' }));
  await remove.click();
  await dialog.getByRole('button', { name: 'Delete integration' }).click();
  await visible(page.getByRole('heading', { name: 'No integrations yet' }));
});

it('logs out server-side: the token stops working at once, and requests still in flight do not undo the logout page', async () => {
  await portal.createWebhook({ url: `${e2e.receiver.url}/logout` });
  const page = await portal.signIn();
  await visible(page.getByRole('link', { name: `${e2e.receiver.url}/logout` }));
  const token = await tokenOf(page);
  // The endpoints' statistics, held back until after the logout: their answers are 401s then. (On a
  // loaded machine they were late by themselves, and a late 401 replaced the logout page with the
  // "link expired" one.)
  let releaseStats!: () => void;
  const statsHeld = new Promise<void>((resolve) => (releaseStats = resolve));
  await page.route('**/v1/webhooks/*/stats?*', async (route) => {
    await statsHeld;
    await route.continue();
  });
  await page.reload();
  await visible(page.getByRole('link', { name: `${e2e.receiver.url}/logout` }));
  await page.getByRole('button', { name: 'Log out' }).click();
  await visible(page.getByRole('heading', { name: 'You are logged out' }));
  const refused = page.waitForResponse((response) => response.url().includes('/stats?'));
  releaseStats();
  expect((await refused).status()).toBe(401);
  await page.waitForLoadState('networkidle');
  await visible(page.getByRole('heading', { name: 'You are logged out' }));
  const after = await fetch(`${e2e.local.apiUrl}/v1/webhooks`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(after.status).toBe(401);
});

it('holds up at 375 px wide and works with the keyboard alone', async () => {
  const webhook = await portal.createWebhook({
    url: `${e2e.receiver.url}/narrow`,
    description: 'Phone-sized check',
  });
  const page = await portal.signIn({ viewport: { width: 375, height: 800 } });
  await page.goto(`${e2e.local.apiUrl}/portal/endpoints/${webhook.id}`);
  await visible(page.getByRole('region', { name: 'Delivery log' }));
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
  await parkedShown(page);
  await checkPage(page, 'endpoint-mobile');
  for (const [path, heading] of [
    ['endpoints', 'Endpoints'],
    ['endpoints/new', 'Add endpoint'],
    ['event-types', 'Event catalog'],
    ['integrations', 'Integrations'],
  ] as const) {
    await page.goto(`${e2e.local.apiUrl}/portal/${path}`);
    await visible(page.getByRole('heading', { name: heading, level: 1 }));
    await page.waitForLoadState('networkidle');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect([path, width <= 375]).toEqual([path, true]);
  }

  await page.goto(`${e2e.local.apiUrl}/portal/endpoints`);
  await visible(page.getByRole('heading', { name: 'Endpoints', level: 1 }));
  for (let presses = 0; presses < 20; presses++) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate(() => document.activeElement?.textContent)) === 'Add endpoint') break;
  }
  await page.keyboard.press('Enter');
  await visible(page.getByRole('heading', { name: 'Add endpoint' }));
  let reached = false;
  for (let presses = 0; presses < 20 && !reached; presses++) {
    await page.keyboard.press('Tab');
    reached = (await page.evaluate(() => document.activeElement?.getAttribute('type'))) === 'url';
  }
  expect(reached).toBe(true);
  await page.keyboard.type(`${e2e.receiver.url}/keyboard`);
  expect(await page.getByLabel('Endpoint URL').inputValue()).toBe(`${e2e.receiver.url}/keyboard`);
});
