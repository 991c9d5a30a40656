// Takes docs/dashboard.png: a registry of breakers in every state with some traffic, shown in headless Chromium.
// Run: npx tsx scripts/dashboardScreenshot.ts
import http from 'node:http';
import { defer, of, throwError } from 'rxjs';
import { circuitBreaker, createBreakerRegistry } from '../src/index.js';
import type { CircuitBreaker } from '../src/index.js';
import { adminHandler } from '../src/admin/index.js';
import { launchChromium } from '../spec/support/chromium.js';
import { listen } from '../spec/support/listen.js';

const registry = createBreakerRegistry();
const hosts = ['eu-1', 'eu-2', 'us-1', 'us-2', 'ap-1'];
const breakers: CircuitBreaker[] = [
  ...hosts.map((host) =>
    circuitBreaker({ name: `inventory:${host}`, registry, failMax: 5, resetTimeout: 45_000 }),
  ),
  ...['payments', 'search', 'recommendations', 'pricing-api', 'customers-db'].map((name) =>
    circuitBreaker({ name, registry, failMax: 3, resetTimeout: 30_000 }),
  ),
];
const failing = new Set(['inventory:us-2', 'recommendations']);
const call = (breaker: CircuitBreaker) =>
  defer(() => (failing.has(breaker.name) ? throwError(() => new Error('down')) : of('ok')))
    .pipe(breaker)
    .subscribe({ error: () => undefined });
const traffic = setInterval(() => {
  for (const breaker of breakers)
    for (let i = 0; i < 1 + (breaker.name.length % 5); i++) call(breaker);
}, 100);

const { origin, close } = await listen(
  http.createServer(adminHandler(registry, { authorize: () => true, basePath: '/ops/breakers' })),
);
const browser = await launchChromium();
const page = await browser.context.newPage();
await page.setViewportSize({ width: 1400, height: 760 });
await page.goto(`${origin}/ops/breakers`);
await new Promise((resolve) => setTimeout(resolve, 8_000));
failing.delete('recommendations');
await breakers.find((breaker) => breaker.name === 'search')?.halfOpen();
await new Promise((resolve) => setTimeout(resolve, 8_000));
await page.screenshot({ path: 'docs/dashboard.png' });
clearInterval(traffic);
await browser.close();
close();
breakers.forEach((breaker) => breaker.dispose());
