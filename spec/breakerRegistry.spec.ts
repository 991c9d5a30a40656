import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { map, of, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { breakerRegistry, circuitBreaker, createBreakerRegistry } from '../src/index.js';
import type { BreakerRegistry, RegistryEvent } from '../src/index.js';
import { marbles } from './marbles.js';
import { useCleanups } from './support/useCleanups.js';
import { virtualClock } from './support/virtualClock.js';

const cleanups = useCleanups();
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

function breakerIn(registry: BreakerRegistry | false, name: string, more = {}) {
  const breaker = circuitBreaker({ name, registry, tracer: false, meter: false, ...more });
  cleanups.push(() => breaker.dispose());
  return breaker;
}

const fail = () => throwError(() => new Error('down'));

describe('registry membership', () => {
  it('a breaker joins the default registry unless its config says otherwise', () => {
    const registry = breakerRegistry();
    expect(breakerRegistry()).toBe(registry);
    const before = registry.size;
    const joined = circuitBreaker({ name: 'default-member' });
    cleanups.push(() => joined.dispose());
    expect(registry.size).toBe(before + 1);
    expect(registry.breakers('default-member')).toEqual([joined]);
    breakerIn(false, 'nowhere');
    breakerIn(createBreakerRegistry(), 'elsewhere');
    expect(registry.breakers('nowhere')).toEqual([]);
    expect(registry.breakers('elsewhere')).toEqual([]);
    expect(registry.size).toBe(before + 1);
  });

  it('a disposed breaker leaves its registry', () => {
    const registry = createBreakerRegistry();
    const breaker = breakerIn(registry, 'leaving');
    expect(registry.size).toBe(1);
    breaker.dispose();
    expect(registry.size).toBe(0);
    expect(registry.snapshot()).toEqual([]);
    expect(registry.breakers('leaving')).toEqual([]);
  });

  it('lists breakers that share a name apart, each with its own id', () => {
    const registry = createBreakerRegistry();
    const first = breakerIn(registry, 'shared');
    const second = breakerIn(registry, 'shared');
    breakerIn(registry, 'shared-not');
    expect(registry.breakers('shared')).toEqual([first, second]);
    const ids = registry.snapshot().map(({ id }) => id);
    expect(new Set(ids).size).toBe(3);
  });

  it('refuses a `registry` option that is not a registry, naming it', () => {
    expect(() => circuitBreaker({ registry: {} as never })).toThrow(
      /"registry" must be a registry from createBreakerRegistry\(\), or false/,
    );
    expect(() => circuitBreaker({ registry: true as never })).toThrow(TypeError);
    expect(() => createBreakerRegistry({ coalesceTime: -1 })).toThrow(/"coalesceTime"/);
    expect(() => createBreakerRegistry({ coalesceTime: '1' } as never)).toThrow(
      new TypeError(
        'createBreakerRegistry: "coalesceTime" must be a number of milliseconds ≥ 0 and ≤ 2147483647 (about 24.8 days, the longest a timer waits), received "1"',
      ),
    );
    expect(() => createBreakerRegistry({ coalescetime: 5 } as never)).toThrow(
      /unknown option "coalescetime" \(did you mean "coalesceTime"\?\)/,
    );
    expect(() => createBreakerRegistry(null as never)).toThrow(
      /createBreakerRegistry: "options" must be an object, received null/,
    );
  });

  it('has one default registry when the ESM and CommonJS builds are both loaded (run `npm run build` first)', async () => {
    const script = `
      import { createRequire } from 'node:module';
      import * as esm from './dist/esm/index.js';
      const cjs = createRequire(import.meta.url)('./dist/cjs/index.js');
      const fromCjs = cjs.circuitBreaker({ name: 'from-cjs' });
      esm.circuitBreaker({ name: 'from-esm' });
      const names = esm.breakerRegistry().snapshot().map((entry) => entry.name);
      console.log(JSON.stringify({ same: esm.breakerRegistry() === cjs.breakerRegistry(), names, cjsSeesEsm: cjs.breakerRegistry().breakers('from-esm').length }));
      fromCjs.dispose();
    `;
    const { stdout } = await run('node', ['--input-type=module', '-e', script], { cwd: root });
    expect(JSON.parse(stdout)).toEqual({
      same: true,
      names: ['from-cjs', 'from-esm'],
      cjsSeesEsm: 1,
    });
  });

  it('a breaker nobody holds leaves the registry when it is garbage-collected', async () => {
    const script = `
      import { circuitBreaker, createBreakerRegistry } from './dist/esm/index.js';
      const registry = createBreakerRegistry();
      for (let i = 0; i < 100; i++) circuitBreaker({ name: 'temp', registry });
      const before = registry.size;
      // Reading the registry derefs its breakers, which keeps them alive until the task ends: collect in later tasks.
      for (let i = 0; i < 5; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        globalThis.gc();
      }
      console.log(JSON.stringify([before, registry.size]));
    `;
    const { stdout } = await run('node', ['--expose-gc', '--input-type=module', '-e', script], {
      cwd: root,
    });
    expect(JSON.parse(stdout)).toEqual([100, 0]);
  });
});

describe('registry snapshot', () => {
  it('describes each breaker, JSON-safe: its snapshot(), retryAt while open, last transition, totals', async () => {
    const { scheduler, advanceTo } = virtualClock();
    const registry = createBreakerRegistry();
    const breaker = breakerIn(registry, 'pricing', { failMax: 2, resetTimeout: 5_000, scheduler });
    of(1).pipe(breaker).subscribe();
    advanceTo(100);
    fail()
      .pipe(breaker)
      .subscribe({ error: () => undefined });
    expect(registry.snapshot()).toEqual([
      {
        id: expect.any(Number) as number,
        name: 'pricing',
        state: 'closed',
        failCounter: 1,
        successCounter: 0,
        openedAt: null,
        retryAt: null,
        attempt: 0,
        failMax: 2,
        calls: 2,
        failures: 1,
        rejections: 0,
      },
    ]);
    advanceTo(200);
    fail()
      .pipe(breaker)
      .subscribe({ error: () => undefined });
    of(1)
      .pipe(breaker)
      .subscribe({ error: () => undefined });
    const [entry] = registry.snapshot();
    expect(entry).toMatchObject({
      state: 'open',
      failCounter: 2,
      retryAt: 5_200,
      calls: 3,
      failures: 2,
      rejections: 1,
      lastTransition: {
        time: 200,
        from: 'closed',
        to: 'open',
        reason: 'failure_threshold',
      },
    });
    expect(JSON.parse(JSON.stringify(registry.snapshot()))).toEqual(registry.snapshot());
    await breaker.close();
    expect(registry.snapshot()[0]).toMatchObject({
      retryAt: null,
      state: 'closed',
      lastTransition: { reason: 'manual' },
    });
  });

  it(
    'snapshot$ emits on subscribe, then once per burst of transitions (coalesced), never for calls',
    marbles((m) => {
      const registry = createBreakerRegistry({ coalesceTime: 10, scheduler: m.scheduler });
      const breakers = Array.from({ length: 100 }, (_, index) =>
        breakerIn(registry, `storm-${index}`, { failMax: 1, scheduler: m.scheduler }),
      );
      // Calls at frame 5, a storm of 100 trips at frame 20, one more at frame 25.
      m.hot('-----c').subscribe(() =>
        breakers.forEach((breaker) => of(1).pipe(breaker).subscribe()),
      );
      const tripAll = (list: typeof breakers) =>
        list.forEach((breaker) =>
          fail()
            .pipe(breaker)
            .subscribe({ error: () => undefined }),
        );
      m.hot('--------------------t').subscribe(() => tripAll(breakers.slice(0, 99)));
      m.hot('-------------------------t').subscribe(() => tripAll(breakers.slice(99)));
      const openCount = registry.snapshot$.pipe(
        map((entries) => entries.filter(({ state }) => state === 'open').length),
      );
      m.expect(openCount, '^' + '-'.repeat(40) + '!').toBeObservable(
        '0-----------------------------x',
        { 0: 0, x: 100 },
      );
    }),
  );
});

describe('registry streams', () => {
  it('events$ carries every breaker’s events tagged with its name and id; transition$ the transitions', () => {
    const registry = createBreakerRegistry();
    const a = breakerIn(registry, 'a', { failMax: 1 });
    const events: RegistryEvent[] = [];
    const transitions: RegistryEvent[] = [];
    const subscription = registry.events$.subscribe((event) => events.push(event));
    registry.transition$.subscribe((event) => transitions.push(event));
    const b = breakerIn(registry, 'b', { failMax: 1 });
    of(1).pipe(a).subscribe();
    fail()
      .pipe(b)
      .subscribe({ error: () => undefined });
    const [idA, idB] = registry.snapshot().map(({ id }) => id);
    expect(events.map(({ name, id, event }) => [name, id, event.type])).toEqual([
      ['a', idA, 'call'],
      ['a', idA, 'success'],
      ['b', idB, 'call'],
      ['b', idB, 'failure'],
      ['b', idB, 'transition'],
    ]);
    expect(transitions).toEqual([events[4]]);
    subscription.unsubscribe();
  });
});
