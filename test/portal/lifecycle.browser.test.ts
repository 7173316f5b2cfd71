/**
 * The endpoint lifecycle in the portal, in a real browser (headless Chromium) against the local mode
 * and a real receiver: disable (events parked and counted), enable with a catch-up of the parked
 * events, a replay of a time window, both with their progress shown until done; a read-only session
 * sees all of it and can do none of it; the dialogs work with the keyboard alone. The catch-up rate is
 * 1 delivery a second, so progress has time to show.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import {
  eventually,
  genericIntegration,
  postGeneric,
  queuesDrained,
  startE2E,
  verifyStandardWebhooks,
  type E2E,
  type GenericEvent,
} from '../e2e/support/harness';
import { buildPortal } from '../support/portal-build';
import {
  callAsSession,
  checkPage,
  launchChromium,
  portal as portalOf,
  visible,
  type Portal,
} from './support';

// What the functions passed to page.evaluate() use: they run in the browser, not here.
declare const document: {
  activeElement: {
    textContent: string | null;
    tagName: string;
    closest(selector: string): unknown;
  } | null;
  querySelectorAll(
    selector: string,
  ): ArrayLike<{ textContent: string | null; getAttribute(name: string): string | null }>;
  body: unknown;
};
declare const sessionStorage: {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
};
declare class MutationObserver {
  constructor(callback: () => void);
  observe(
    target: unknown,
    options: { subtree: boolean; childList: boolean; characterData: boolean; attributes: boolean },
  ): void;
}
declare const window: { progressSeen?: string[] };

jest.setTimeout(120_000);

let e2e: E2E;
let browser: Browser;
let portal: Portal;
let inbound: string;

beforeAll(async () => {
  buildPortal();
  [e2e, browser] = await Promise.all([
    startE2E({ retrySchedule: [1, 1], catchUpRatePerSecond: 1 }),
    launchChromium(),
  ]);
  portal = portalOf(e2e, browser);
  inbound = await genericIntegration(e2e);
});
afterAll(async () => {
  await browser?.close();
  await e2e?.stop();
});
afterEach(() => portal.closeAll());

/** Posts OPEN (or `status`) events `<prefix>-0..n-1`, one request each, so they are ordered by arrival. */
async function sendEvents(prefix: string, count: number, status: GenericEvent['status'] = 'OPEN') {
  for (let i = 0; i < count; i++) {
    const posted = await postGeneric(inbound, {
      id: `${prefix}-${i}`,
      status,
      channel: 'EMAIL',
      trackingId: `trk_${prefix}_${i}`,
    });
    expect(posted.status).toBeLessThan(300);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const trackingIds = (path: string) =>
  e2e.receiver
    .received(path)
    .map((delivery) => (JSON.parse(delivery.body) as { trackingId: string }).trackingId);

/** Waits until the API counts `count` parked deliveries for the webhook. */
const parkedCount = (id: string, count: number) =>
  eventually(`${count} parked`, async () => {
    const answer = await e2e.call('GET', `/v1/webhooks/${id}/parked`);
    return answer.body.parked === count ? true : undefined;
  });

/**
 * Records every text the progress shows from now on (its announced state and its "n of m sent"), so a
 * test can tell what the page showed on the way, not only at the end.
 */
async function recordProgress(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const seen: string[] = [];
    window.progressSeen = seen;
    const note = () => {
      for (const bar of Array.from(document.querySelectorAll('.progress progress'))) {
        const label = bar.getAttribute('aria-label');
        if (label && seen.at(-1) !== label) seen.push(label);
      }
      for (const state of Array.from(document.querySelectorAll('.progress [role=status]'))) {
        const text = state.textContent;
        if (text && !seen.includes(text)) seen.push(text);
      }
    };
    new MutationObserver(note).observe(document.body, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
    });
  });
  return () => page.evaluate(() => window.progressSeen ?? []);
}

/** Presses Tab (or Shift+Tab) until the focused element's text is `text`; fails after 40 presses. */
async function tabTo(page: Page, text: string, key = 'Tab'): Promise<void> {
  for (let presses = 0; presses < 40; presses++) {
    await page.keyboard.press(key);
    if ((await page.evaluate(() => document.activeElement?.textContent?.trim())) === text) return;
  }
  throw new Error(`could not reach "${text}" with ${key}`);
}

/** The value of the fact named `term` in `region` (a `<dt>`/`<dd>` pair), once it reads `value`. */
const fact = (region: Locator, term: string, value: string | RegExp) =>
  visible(
    region
      .locator('.facts > div')
      .filter({ has: region.page().getByRole('term').filter({ hasText: term }) })
      .getByRole('definition')
      .filter({ hasText: value }),
  );

const focusInDialog = (page: Page) => page.evaluate(() => !!document.activeElement?.closest('dialog[open]'));

/**
 * A webhook disabled through the API with `count` events parked for it, and its page open in a portal
 * session (`capabilities` as given) once the page shows the count.
 */
async function disabledWithParked(path: string, count: number, body: Record<string, unknown> = {}) {
  const webhook = await portal.createWebhook({ url: `${e2e.receiver.url}${path}` });
  expect((await e2e.call('PUT', `/v1/webhooks/${webhook.id}`, { status: 'disabled' })).status).toBe(200);
  await sendEvents(path.slice(1), count);
  await parkedCount(webhook.id, count);
  const page = await portal.signIn({ body });
  await page.goto(`${e2e.local.apiUrl}/portal/endpoints/${webhook.id}`);
  const status = page.getByRole('region', { name: 'Status' });
  await fact(status, 'Parked deliveries', new RegExp(`^${count}$`));
  return { webhook, page, status };
}

it('disables an endpoint (its events parked and counted), then enables it with a catch-up: each parked event arrives once, oldest first, and the page shows the progress to done', async () => {
  const webhook = await portal.createWebhook({ url: `${e2e.receiver.url}/catch-up` });
  const page = await portal.signIn();
  await page.goto(`${e2e.local.apiUrl}/portal/endpoints/${webhook.id}`);
  const status = page.getByRole('region', { name: 'Status' });
  await fact(status, 'State', /^Active$/);

  await page.getByRole('button', { name: 'Disable', exact: true }).click();
  const disable = page.getByRole('dialog', { name: 'Disable this endpoint' });
  await visible(disable.getByText('Its events are not lost'));
  await disable.getByRole('button', { name: 'Disable endpoint' }).click();
  await disable.waitFor({ state: 'detached' });
  await fact(status, 'State', /^Disabled$/);
  await fact(status, 'Reason', /^disabled through the API$/);
  await fact(status, 'Disabled since', /\d/);

  await sendEvents('park', 4);
  await parkedCount(webhook.id, 4);
  expect(e2e.receiver.received('/catch-up')).toHaveLength(0);
  await page.reload();
  await fact(status, 'Parked deliveries', /^4$/);
  const log = page.getByRole('region', { name: 'Delivery log' });
  await visible(log.getByRole('cell', { name: 'parked', exact: true }));
  expect(await log.getByRole('cell', { name: 'parked', exact: true }).count()).toBe(4);
  await checkPage(page, 'endpoint-disabled');

  await page.getByRole('button', { name: 'Enable', exact: true }).click();
  const enable = page.getByRole('dialog', { name: 'Enable this endpoint' });
  await visible(enable.getByText('4 parked events were kept for it'));
  await checkPage(page, 'enable-dialog');
  const progress = await recordProgress(page);
  await enable.getByRole('button', { name: 'Enable and deliver 4 parked events' }).click();
  await enable.waitFor({ state: 'detached' });
  await fact(status, 'State', /^Active$/);
  await visible(status.getByRole('heading', { name: /Catch-up of parked deliveries/ }));
  await visible(status.getByText('Catch-up done: 4 sent.'), 30_000);
  await visible(status.getByRole('progressbar', { name: '4 of 4 sent' }));
  const figures = await status.locator('.figures').textContent();
  expect(figures).toContain('Queued4');
  expect(figures).toContain('Sent4');
  expect(figures).toContain('Total4');

  // On the way: the catch-up still sending, fewer than 4 sent, and never a count going back.
  const seen = await progress();
  expect(seen.some((text) => /^Catch-up (running|sending)/.test(text))).toBe(true);
  const sent = seen.flatMap((text) => /^(\d+) of 4 sent$/.exec(text)?.[1] ?? []).map(Number);
  expect(sent[0]).toBeLessThan(4);
  expect(sent).toEqual([...sent].sort((a, b) => a - b));
  expect(sent.at(-1)).toBe(4);

  await queuesDrained(e2e);
  expect(trackingIds('/catch-up')).toEqual(['trk_park_0', 'trk_park_1', 'trk_park_2', 'trk_park_3']);
  for (const delivery of e2e.receiver.received('/catch-up')) verifyStandardWebhooks(delivery, webhook.secret);
  await visible(log.getByRole('cell', { name: 'succeeded', exact: true }));
  await log.getByRole('button', { name: 'Refresh' }).click();
  await eventually('4 succeeded in the log', async () =>
    (await log.getByRole('cell', { name: 'succeeded', exact: true }).count()) === 4 ? true : undefined,
  );
  expect(await log.getByRole('cell', { name: 'parked', exact: true }).count()).toBe(0);
  await fact(status, 'Parked deliveries', /^0$/);

  // The timeline, newest first: each lifecycle change, from the webhook's activity feed.
  const timeline = page.getByRole('region', { name: 'Timeline' });
  await visible(timeline.getByText('Catch-up finished'));
  expect(await timeline.getByRole('listitem').locator('strong').allTextContents()).toEqual([
    'Catch-up finished',
    'Catch-up started',
    'Re-enabled in the portal',
    '4 deliveries parked while disabled',
    'Disabled in the portal',
  ]);
  await visible(timeline.getByText('4 parked deliveries, delivered by a catch-up'));
  await visible(timeline.getByText('4 parked deliveries, oldest first, at 1 a second'));
  await visible(timeline.getByText('4 deliveries queued again'));
  await checkPage(page, 'endpoint-catch-up');
});

it("replays a window: the API's field error shows next to the field, a running replay is a clear 409, and the progress runs to done while the receiver gets the window's events again", async () => {
  const webhook = await portal.createWebhook({
    url: `${e2e.receiver.url}/replayed`,
    events: ['EMAIL_OPEN', 'EMAIL_CLICK'],
  });
  const other = await portal.createWebhook({ url: `${e2e.receiver.url}/not-replayed` });
  await sendEvents('win', 21);
  await sendEvents('click', 1, 'CLICK');
  await eventually('the first deliveries', async () =>
    e2e.receiver.received('/replayed').length === 22 && e2e.receiver.received('/not-replayed').length === 21
      ? true
      : undefined,
  );
  const firstIds = new Map(
    e2e.receiver
      .received('/replayed')
      .map((delivery) => [JSON.parse(delivery.body).trackingId as string, delivery.headers['webhook-id']]),
  );

  const page = await portal.signIn();
  await page.goto(`${e2e.local.apiUrl}/portal/endpoints/${webhook.id}`);
  await page.getByRole('button', { name: 'Replay', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Replay deliveries' });
  await visible(dialog.getByLabel('Time window'));
  await checkPage(page, 'replay-dialog');

  // A window older than the log's retention: the API's reason, next to "Since".
  await dialog.getByLabel('Since').fill('2020-01-01T00:00');
  expect(await dialog.getByLabel('Time window').inputValue()).toBe('custom');
  await dialog.getByRole('button', { name: 'Start replay' }).click();
  const since = dialog.getByLabel('Since');
  await visible(dialog.getByText(/the delivery log keeps \d+ days; the window must start within them/));
  expect(await since.getAttribute('aria-invalid')).toBe('true');
  await checkPage(page, 'replay-dialog-error');

  await dialog.getByLabel('Time window').selectOption({ label: 'Last hour' });
  await dialog.getByRole('checkbox', { name: 'EMAIL_CLICK' }).uncheck();
  await dialog.getByRole('button', { name: 'Start replay' }).click();
  await dialog.waitFor({ state: 'detached' });
  const status = page.getByRole('region', { name: 'Status' });
  // A step queues 10 s of sending at 1 a second, the next one 2 s before that runs out: 21
  // deliveries take three steps, and the replay runs (holding the webhook's lock) for about 18 s.
  await visible(status.getByText(/^Replay running: queuing deliveries at 1 a second/));
  await visible(status.getByText('every delivery'));
  await visible(status.getByText(/· EMAIL_OPEN ·/));

  // A second replay while this one runs: the API's 409, said plainly, in the dialog.
  await page.getByRole('button', { name: 'Replay', exact: true }).click();
  await dialog.getByRole('button', { name: 'Start replay' }).click();
  const conflict = await visible(
    dialog.getByRole('alert').filter({ hasText: 'A replay is already running' }),
  );
  expect(await conflict.textContent()).toMatch(/Replay rpl_\w+ of this webhook is still running/);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });

  await visible(status.getByText('Replay done: 21 sent.'), 60_000);
  await visible(status.getByRole('progressbar', { name: '21 of 21 sent' }));
  await queuesDrained(e2e);
  const again = e2e.receiver.received('/replayed').slice(22);
  expect(again.map((delivery) => JSON.parse(delivery.body).trackingId).sort()).toEqual(
    Array.from({ length: 21 }, (_, i) => `trk_win_${i}`).sort(),
  );
  for (const delivery of again) {
    expect(delivery.headers['webhook-id']).toBe(firstIds.get(JSON.parse(delivery.body).trackingId));
  }
  expect(e2e.receiver.received('/not-replayed')).toHaveLength(21);
  const timeline = page.getByRole('region', { name: 'Timeline' });
  await visible(timeline.getByText('Replay finished'));
  await visible(timeline.getByText('21 deliveries queued again'));
  await visible(timeline.getByText(/^every delivery from .+ to .+/));
  expect((await e2e.call('GET', `/v1/webhooks/${other.id}/replays`)).body.items).toEqual([]);
  await checkPage(page, 'endpoint-replay');
});

it('shows a read-only session the status, parked count and timeline, without a way to act; forced, the API refuses and the page says so', async () => {
  const { webhook, page, status } = await disabledWithParked('/read-only-lifecycle', 2, {
    capabilities: ['read'],
  });
  await fact(status, 'State', /^Disabled$/);
  await fact(status, 'Disabled since', /\d/);
  await visible(
    page.getByRole('region', { name: 'Delivery log' }).getByRole('cell', { name: 'parked', exact: true }),
  );
  const timeline = page.getByRole('region', { name: 'Timeline' });
  await visible(timeline.getByText('Disabled through the API'));
  await checkPage(page, 'endpoint-disabled-read-only');
  for (const name of ['Enable', 'Disable', 'Replay', 'Delete', 'Deliver the parked events']) {
    expect([name, await page.getByRole('button', { name, exact: true }).count()]).toEqual([name, 0]);
  }

  // The buttons are the page's courtesy; the API decides. A session claiming "manage" client-side:
  await page.evaluate(() => {
    const info = JSON.parse(sessionStorage.getItem('event-relay.portal.session')!) as Record<string, unknown>;
    sessionStorage.setItem(
      'event-relay.portal.session',
      JSON.stringify({ ...info, capabilities: ['manage'] }),
    );
  });
  await page.reload();
  await page.getByRole('button', { name: 'Enable', exact: true }).click();
  const enable = page.getByRole('dialog', { name: 'Enable this endpoint' });
  await enable.getByRole('button', { name: 'Enable and deliver 2 parked events' }).click();
  await visible(enable.getByRole('alert').filter({ hasText: 'This portal session is read-only' }));
  await enable.getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('button', { name: 'Replay', exact: true }).click();
  const replay = page.getByRole('dialog', { name: 'Replay deliveries' });
  await replay.getByRole('button', { name: 'Start replay' }).click();
  await visible(replay.getByRole('alert').filter({ hasText: 'This portal session is read-only' }));
  const forced = await callAsSession(page, 'POST', `/v1/webhooks/${webhook.id}/replay`, {
    since: new Date(Date.now() - 60_000).toISOString(),
  });
  expect(forced.status).toBe(403);

  const after = await e2e.call('GET', `/v1/webhooks/${webhook.id}`);
  expect(after.body.status).toBe('disabled');
  expect((await e2e.call('GET', `/v1/webhooks/${webhook.id}/replays`)).body.items).toEqual([]);
  expect(e2e.receiver.received('/read-only-lifecycle')).toHaveLength(0);
});

it('works with the keyboard alone: the enable and replay dialogs keep the focus inside, close on Escape, and give it back', async () => {
  const { page, status } = await disabledWithParked('/kb', 2);
  await page.getByRole('main').focus();
  await tabTo(page, 'Enable');
  await page.keyboard.press('Enter');
  const enable = page.getByRole('dialog', { name: 'Enable this endpoint' });
  await visible(enable);
  // The first choice has the focus; Tab and Shift+Tab go round the dialog's three buttons.
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(
    'Enable and deliver 2 parked events',
  );
  for (const key of ['Tab', 'Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
    await page.keyboard.press(key);
    expect([key, await focusInDialog(page)]).toEqual([key, true]);
  }
  await page.keyboard.press('Escape');
  await enable.waitFor({ state: 'detached' });
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Enable');

  await page.keyboard.press('Enter');
  await visible(enable);
  await page.keyboard.press('Enter');
  await enable.waitFor({ state: 'detached' });
  await visible(status.getByText('Catch-up done: 2 sent.'), 30_000);
  await queuesDrained(e2e);
  expect(trackingIds('/kb')).toEqual(['trk_kb_0', 'trk_kb_1']);

  await tabTo(page, 'Replay', 'Shift+Tab');
  await page.keyboard.press('Enter');
  const replay = page.getByRole('dialog', { name: 'Replay deliveries' });
  await visible(replay);
  expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('SELECT');
  await page.keyboard.press('ArrowDown'); // Last 24 hours
  expect(await replay.getByLabel('Time window').inputValue()).toBe('24h');
  for (let presses = 0; presses < 40; presses++) {
    await page.keyboard.press('Tab');
    expect(await focusInDialog(page)).toBe(true);
    if ((await page.evaluate(() => document.activeElement?.textContent)) === 'Start replay') break;
  }
  await page.keyboard.press('Tab'); // past the last control: back to the first
  expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('SELECT');
  await page.keyboard.press('Shift+Tab');
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Start replay');
  await page.keyboard.press('Enter');
  await replay.waitFor({ state: 'detached' });
  await visible(status.getByText('Replay done: 2 sent.'), 30_000);
  await queuesDrained(e2e);
  expect(trackingIds('/kb')).toEqual(['trk_kb_0', 'trk_kb_1', 'trk_kb_0', 'trk_kb_1']);
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Replay');
});

it('enables without the parked events, which stay parked until the status card delivers them', async () => {
  const { page, status } = await disabledWithParked('/later', 2);
  await page.getByRole('button', { name: 'Enable', exact: true }).click();
  const enable = page.getByRole('dialog', { name: 'Enable this endpoint' });
  await enable.getByRole('button', { name: 'Enable without them' }).click();
  await enable.waitFor({ state: 'detached' });
  await fact(status, 'State', /^Active$/);
  await visible(status.getByText('2 events were kept while it was disabled.'));
  await visible(page.getByRole('region', { name: 'Timeline' }).getByText('2 parked deliveries left parked'));
  await sendEvents('later-new', 1);
  await eventually('the new event', async () =>
    e2e.receiver.received('/later').length === 1 ? true : undefined,
  );
  expect(trackingIds('/later')).toEqual(['trk_later-new_0']);

  await status.getByRole('button', { name: 'Deliver the parked events' }).click();
  await visible(status.getByText('Catch-up done: 2 sent.'), 30_000);
  await fact(status, 'Parked deliveries', /^0$/);
  await queuesDrained(e2e);
  expect(trackingIds('/later')).toEqual(['trk_later-new_0', 'trk_later_0', 'trk_later_1']);
});

it('deletes an endpoint only once the dialog is confirmed', async () => {
  const webhook = await portal.createWebhook({ url: `${e2e.receiver.url}/to-delete` });
  const page = await portal.signIn();
  await page.goto(`${e2e.local.apiUrl}/portal/endpoints/${webhook.id}`);
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete this endpoint' });
  await visible(dialog.getByText('This cannot be undone.'));
  // Cancel has the focus: Enter on a destructive dialog does nothing harmful.
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'detached' });
  expect((await e2e.call('GET', `/v1/webhooks/${webhook.id}`)).status).toBe(200);
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await dialog.getByRole('button', { name: 'Delete endpoint' }).click();
  await visible(page.getByRole('heading', { name: 'Endpoints', level: 1 }));
  expect((await e2e.call('GET', `/v1/webhooks/${webhook.id}`)).status).toBe(404);
});
