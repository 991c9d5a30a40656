// The dashboard in a real browser: headless Debian chromium driven by playwright-core, against a real server.
import http from 'node:http';
import { throwError } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { circuitBreaker, createBreakerRegistry } from '../src/index.js';
import { adminHandler } from '../src/admin/index.js';
import type { Page } from 'playwright-core';
import { launchChromium } from './support/chromium.js';
import { listen } from './support/listen.js';

/** Generous: the page shows a change within a second, but this machine may be loaded. */
const deadline = 20_000;

const registry = createBreakerRegistry();
const checkout = circuitBreaker({ name: 'checkout', registry, failMax: 1, resetTimeout: 600_000 });
circuitBreaker({ name: 'search', registry });
/** Everyone may read; only an operator's session may act (a same-origin cookie, as a browser sends it). */
const admin = adminHandler(registry, {
  authorize: (request, action) =>
    action === 'read' || /(^|;\s*)session=operator(;|$)/.test(request.headers.cookie ?? ''),
  basePath: '/ops',
});

let origin: string;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let stopServer: () => void;

beforeAll(async () => {
  ({ origin, close: stopServer } = await listen(http.createServer(admin)));
  browser = await launchChromium();
});

afterAll(async () => {
  await browser.close();
  stopServer();
  checkout.dispose();
});

const trip = () =>
  throwError(() => new Error('down'))
    .pipe(checkout)
    .subscribe({ error: () => undefined });

const row = (state: string) => `tr[data-name="checkout"][data-state="${state}"]`;
const closeButton = `tr[data-name="checkout"] button[data-control="close"]`;

/** Where an element is, read in one step (the page redraws every second, so a handle soon goes stale). */
function boxOf(page: Page, selector: string) {
  return page
    .locator(selector)
    .evaluate((element) => element.getBoundingClientRect().toJSON() as Box, undefined, {
      timeout: deadline,
    });
}

interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

describe('the dashboard in headless Chromium', () => {
  it('shows a trip live, and closes the breaker for an operator', async () => {
    await browser.context.addCookies([{ name: 'session', value: 'operator', url: origin }]);
    const page = await browser.context.newPage();
    await page.goto(`${origin}/ops`);
    await page.waitForSelector(row('closed'), { timeout: deadline });
    expect(await page.locator('tr[data-name="search"]').count()).toBe(1);

    trip();
    await page.waitForSelector(row('open'), { timeout: deadline });

    await page.locator(`${row('open')} button[data-control="close"]`).click({ timeout: deadline });
    await page.waitForSelector(row('closed'), { timeout: deadline });
    expect(checkout.state).toBe('closed');
    await page.close();
  });

  it('keeps every control in place while the figures of its row change', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${origin}/ops`);
    await page.waitForSelector(row('closed'), { timeout: deadline });
    const closed = await boxOf(page, closeButton);

    trip();
    // The transition arrives first; the snapshot after it adds the countdown to the retry time.
    await page.waitForSelector(row('open'), { timeout: deadline });
    const tripped = await boxOf(page, closeButton);
    await page
      .locator(`${row('open')} td`, { hasText: /^in \d+ s$/ })
      .waitFor({ timeout: deadline });
    const counting = await boxOf(page, closeButton);

    // A control that moved when a figure changed would take a click meant for it on its neighbour.
    expect([tripped.x, counting.x]).toEqual([closed.x, closed.x]);
    expect(counting.y).toBe(tripped.y);
    await checkout.close();
    await page.close();
  });

  it('keeps a group scrolled sideways to its controls across a refresh', async () => {
    const page = await browser.context.newPage();
    // Narrow enough that a group's table is wider than the window.
    await page.setViewportSize({ width: 800, height: 600 });
    await page.goto(`${origin}/ops`);
    await page.waitForSelector('tr[data-name="search"]', { timeout: deadline });
    const group = page.locator('section[data-group="closed"]');
    const scrolled = await group.evaluate((element) => {
      element.scrollLeft = element.scrollWidth;
      element.setAttribute('data-before', 'refresh');
      return element.scrollLeft;
    });
    expect(scrolled).toBeGreaterThan(0);
    // The next snapshot (one a second) redraws the groups.
    await page.waitForSelector('section[data-group="closed"]:not([data-before])', {
      timeout: deadline,
    });
    expect(await group.evaluate((element) => element.scrollLeft)).toBe(scrolled);
    await page.close();
  });

  it('without authorization, shows the control refused and changes nothing', async () => {
    await browser.context.clearCookies();
    const page = await browser.context.newPage();
    await page.goto(`${origin}/ops/`);
    trip();
    await page.waitForSelector(row('open'), { timeout: deadline });
    await page.locator(`${row('open')} button[data-control="close"]`).click({ timeout: deadline });
    await page.locator('#status', { hasText: 'refused' }).waitFor({ timeout: deadline });
    expect(await page.locator('#status').textContent()).toBe(
      'close checkout refused: 401 credentials required',
    );
    expect(checkout.state).toBe('open');
    expect(await page.locator(row('open')).count()).toBe(1);
    await page.close();
  });
});
