import { NEVER, of, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreakers, createBreakerRegistry } from '../src/index.js';
import type { CircuitBreaker, CircuitBreakerConfig } from '../src/index.js';
import { useCleanups } from './support/useCleanups.js';
import { virtualClock } from './support/virtualClock.js';

const cleanups = useCleanups();

/** A group on a virtual clock, its breakers in a registry of their own. */
function group(options: { idleTimeout?: number; maxSize?: number; config?: CircuitBreakerConfig }) {
  const clock = virtualClock();
  const registry = createBreakerRegistry({ scheduler: clock.scheduler });
  const breakers = circuitBreakers({
    config: (key: string) => ({
      name: `host:${key}`,
      failMax: 1,
      resetTimeout: 1_000_000,
      scheduler: clock.scheduler,
      registry,
      tracer: false,
      meter: false,
      ...options.config,
    }),
    idleTimeout: options.idleTimeout,
    maxSize: options.maxSize,
    scheduler: clock.scheduler,
  });
  cleanups.push(() => breakers.dispose());
  return { ...clock, registry, breakers };
}

const trip = (breaker: ReturnType<ReturnType<typeof group>['breakers']>) =>
  throwError(() => new Error('down'))
    .pipe(breaker)
    .subscribe({ error: () => undefined });

/** A disposed breaker refuses calls. */
function expectDisposed(breaker: CircuitBreaker) {
  let error: unknown;
  of(1)
    .pipe(breaker)
    .subscribe({ error: (caught: unknown) => (error = caught) });
  expect(String(error)).toMatch(/disposed/);
}

describe('circuitBreakers: creation', () => {
  it('creates one breaker per key on first use and returns it on later uses', () => {
    const { breakers } = group({});
    const a = breakers('a');
    expect(breakers('a')).toBe(a);
    expect(breakers('b')).not.toBe(a);
    expect(a.name).toBe('host:a');
    expect(breakers.size).toBe(2);
  });

  it('get(key) finds a breaker without creating one; forEach and iteration list them', () => {
    const { breakers } = group({});
    expect(breakers.get('a')).toBeUndefined();
    expect(breakers.size).toBe(0);
    const a = breakers('a');
    const b = breakers('b');
    expect(breakers.get('a')).toBe(a);
    expect([...breakers]).toEqual([
      ['a', a],
      ['b', b],
    ]);
    const seen: [string, unknown][] = [];
    breakers.forEach((breaker, key) => seen.push([key, breaker]));
    expect(seen).toEqual([
      ['a', a],
      ['b', b],
    ]);
  });

  it('keeps each key’s circuit apart', () => {
    const { breakers } = group({});
    trip(breakers('a'));
    expect(breakers('a').state).toBe('open');
    expect(breakers('b').state).toBe('closed');
  });

  it('throws at first use when the config of a key is invalid, naming the key and the option', () => {
    const breakers = circuitBreakers({
      config: (key: string) => ({ name: key, failMax: key === 'bad' ? 0 : 3, registry: false }),
    });
    cleanups.push(() => breakers.dispose());
    expect(() => breakers('good')).not.toThrow();
    expect(() => breakers('bad')).toThrow(RangeError);
    expect(() => breakers('bad')).toThrow(/key "bad".*"failMax" must be an integer ≥ 1/);
    expect(breakers.size).toBe(1);
  });

  it('refuses bad options, naming them', () => {
    const config = () => ({});
    expect(() => circuitBreakers({ config: 'x' as never })).toThrow(/"config" must be a function/);
    expect(() => circuitBreakers({ config, idleTimeout: 0 })).toThrow(RangeError);
    expect(() => circuitBreakers({ config, idleTimeout: '5' as never })).toThrow(/"idleTimeout"/);
    expect(() => circuitBreakers({ config, maxSize: 1.5 })).toThrow(/"maxSize" must be an integer/);
    expect(() => circuitBreakers({ config, scheduler: {} as never })).toThrow(/"scheduler"/);
    expect(() => circuitBreakers(undefined as never)).toThrow(TypeError);
    // A timer waits at most 2^31 - 1 ms: a longer idleTimeout would sweep every millisecond.
    expect(() => circuitBreakers({ config, idleTimeout: 30 * 24 * 3_600_000 })).toThrow(
      /"idleTimeout" must be .*≤ 2147483647.*received 2592000000/,
    );
    expect(() => circuitBreakers({ config, idletimeout: 1000 } as never)).toThrow(
      /unknown option "idletimeout" \(did you mean "idleTimeout"\?\)/,
    );
    expect(() => circuitBreakers({ config, maxSize: 10n } as never)).toThrow(
      /"maxSize" must be an integer ≥ 1, received 10n/,
    );
    expect(() => circuitBreakers({ config, scheduler: null } as never)).toThrow(
      /"scheduler" must be an RxJS SchedulerLike, received null/,
    );
  });

  it('after dispose(), has disposed every breaker and refuses new keys', () => {
    const { breakers, registry } = group({});
    const a = breakers('a');
    breakers.dispose();
    expect(breakers.size).toBe(0);
    expect(registry.size).toBe(0);
    expect(() => breakers('a')).toThrow(/disposed/);
    expectDisposed(a);
  });

  it('replaces a breaker disposed by hand with a fresh one', () => {
    const { breakers } = group({});
    const a = breakers('a');
    a.dispose();
    expect(breakers('a')).not.toBe(a);
  });
});

describe('circuitBreakers: idle eviction (idleTimeout 1000)', () => {
  it('disposes a closed breaker after idleTimeout and no later than twice it; the key then gets a fresh one', () => {
    const { breakers, advanceTo, registry } = group({ idleTimeout: 1000 });
    const a = breakers('a');
    advanceTo(999);
    expect(breakers.get('a')).toBe(a);
    advanceTo(1999);
    expect(breakers.get('a')).toBe(a);
    advanceTo(2000);
    expect(breakers.get('a')).toBeUndefined();
    expect(registry.size).toBe(0);
    expect(breakers('a')).not.toBe(a);
  });

  it('counts a call admitted as a use, as well as group(key)', () => {
    const { breakers, advanceTo } = group({ idleTimeout: 1000 });
    const a = breakers('a');
    advanceTo(1500);
    of(1).pipe(a).subscribe();
    advanceTo(2000);
    expect(breakers.get('a')).toBe(a);
    advanceTo(2999);
    expect(breakers.get('a')).toBe(a);
    advanceTo(3000);
    expect(breakers.get('a')).toBeUndefined();
  });

  it('never evicts an open breaker', () => {
    const { breakers, advanceTo } = group({ idleTimeout: 1000 });
    const a = breakers('a');
    trip(a);
    advanceTo(50_000);
    expect(breakers.get('a')).toBe(a);
    expect(a.state).toBe('open');
  });

  it('never evicts a breaker with a call in flight, and evicts it once the call ends', () => {
    const { breakers, advanceTo } = group({ idleTimeout: 1000 });
    const a = breakers('a');
    const call = NEVER.pipe(a).subscribe();
    advanceTo(50_000);
    expect(breakers.get('a')).toBe(a);
    call.unsubscribe();
    advanceTo(52_000);
    expect(breakers.get('a')).toBeUndefined();
  });
});

describe('circuitBreakers: maxSize', () => {
  it('evicts the least recently used closed breaker to make room', () => {
    const { breakers } = group({ maxSize: 2 });
    const a = breakers('a');
    const b = breakers('b');
    breakers('a');
    breakers('c');
    expect(breakers.get('a')).toBe(a);
    expect(breakers.get('b')).toBeUndefined();
    expect([...breakers].map(([key]) => key)).toEqual(['a', 'c']);
    expectDisposed(b);
  });

  it('counts calls through a breaker the caller kept as use, not only group(key)', () => {
    const { breakers } = group({ maxSize: 2 });
    const kept = breakers('kept');
    breakers('looked-up-once');
    for (let call = 0; call < 3; call++) of(call).pipe(kept).subscribe();
    breakers('new');
    expect([...breakers].map(([key]) => key)).toEqual(['kept', 'new']);
    let delivered: unknown;
    of(1)
      .pipe(kept)
      .subscribe({ next: (value) => (delivered = value) });
    expect(delivered).toBe(1);
  });

  it('skips open breakers and those with a call in flight', () => {
    const { breakers } = group({ maxSize: 3 });
    trip(breakers('open'));
    const call = NEVER.pipe(breakers('busy')).subscribe();
    const idle = breakers('idle');
    breakers('new');
    expect([...breakers].map(([key]) => key)).toEqual(['open', 'busy', 'new']);
    expect(breakers.get('idle')).toBeUndefined();
    expect(idle).not.toBe(breakers('idle'));
    call.unsubscribe();
  });

  it('grows past maxSize rather than evict an open breaker', () => {
    const { breakers } = group({ maxSize: 1 });
    trip(breakers('a'));
    breakers('b');
    expect(breakers.size).toBe(2);
    expect(breakers.get('a')?.state).toBe('open');
  });
});
