// The dashboard in a real browser: headless Debian chromium driven by playwright-core, against a real server.
import http from 'node:http';
import { throwError } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { circuitBreaker, createBreakerRegistry } from '../src/index.js';
import { adminHandler } from '../src/admin/index.js';
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
