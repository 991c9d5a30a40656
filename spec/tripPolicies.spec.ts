import { NEVER, catchError, filter, map, of, skip, take, takeWhile } from 'rxjs';
import { describe, it } from 'vitest';
import { circuitBreaker, exponentialBackoff, memoryStore } from '../src/index.js';
import type {
  CircuitBreaker,
  CircuitBreakerConfig,
  CircuitBreakerError,
  CircuitState,
  TransitionEvent,
} from '../src/index.js';
import { marbles } from './marbles.js';
import { at } from './support/at.js';
import {
  isolatedRefusal,
  stillOpen,
  trialFailed,
  trialsBusy,
  tripped,
} from './support/breakerErrors.js';
import { probe } from './support/probe.js';
import { allStates, states } from './support/states.js';

const boom = new Error('boom');

class Aborted extends Error {
  override readonly name = 'Aborted';
}
const aborted = new Aborted('the caller gave up');

/** `marble` after `frames` idle frames (time windows need long gaps). */
const after = (frames: number, marble: string) => ` ${'-'.repeat(frames)}${marble}`;

/** What a refused call's error says about the retry time (marbles compare errors by message only). */
const retryAtOf = (error: unknown) => of((error as CircuitBreakerError).retryAt);

/** The first transition on `events$` (the trip), reduced to what a test names. */
function trip(breaker: CircuitBreaker, pick: (event: TransitionEvent) => object) {
  return breaker.events$.pipe(
    filter((event) => event.type === 'transition'),
    take(1),
    map(pick),
  );
}

/** `state$` up to the trip (the reset timer goes on afterwards). */
const untilOpen = (breaker: CircuitBreaker) =>
  breaker.state$.pipe(takeWhile((state) => state !== 'open', true));

// prettier-ignore
describe('failure rate in a count window', () => {
  const options: CircuitBreakerConfig = { name: 'db', failureRate: 0.5, window: { calls: 4 }, resetTimeout: 100 };

  it('trips when failures / calls reaches the rate, exactly at the threshold; the tripping error is kind tripped', marbles((m) => {
    const breaker = circuitBreaker({ ...options, scheduler: m.scheduler });
    const working = m.cold('   -a|');
    const failing = m.cold('   -#', undefined, boom);

    m.expect(working.pipe(breaker), ' ^         ').toBeObservable(' -a|       ');
    m.expect(working.pipe(breaker), ' ---^      ').toBeObservable(' ----a|    ');
    m.expect(failing.pipe(breaker), ' ------^   ').toBeObservable(' -------#  ', undefined, boom);
    m.expect(failing.pipe(breaker), ' --------^ ').toBeObservable(' ---------#', undefined, tripped);
    m.expect(working.pipe(breaker), ' ----------^').toBeObservable(' ----------#', undefined, stillOpen);
    m.expect(untilOpen(breaker)).toBeObservable(' c--------(o|)', states);
    m.expect(trip(breaker, ({ reason, retryAt, failureRate, slowCallRate }) => ({ reason, retryAt, failureRate, slowCallRate })))
      .toBeObservable(' ---------(t|)', { t: { reason: 'failure_rate', retryAt: 109, failureRate: 0.5, slowCallRate: 0 } });
    m.expect(breaker.transition$.pipe(take(1)))
      .toBeObservable(' ---------(t|)', { t: { from: 'closed', to: 'open', reason: 'failure_rate', retryAt: 109, failureRate: 0.5, slowCallRate: 0 } });
  }));

  it('does not judge the rate below minimumCalls; a success that reaches it trips and is delivered unchanged', marbles((m) => {
    const breaker = circuitBreaker({ ...options, scheduler: m.scheduler });
    const working = m.cold('   -a|');
    const failing = m.cold('   -#', undefined, boom);

    m.expect(failing.pipe(breaker), ' ^       ').toBeObservable(' -#      ', undefined, boom);
    m.expect(failing.pipe(breaker), ' --^     ').toBeObservable(' ---#    ', undefined, boom);
    m.expect(failing.pipe(breaker), ' ----^   ').toBeObservable(' -----#  ', undefined, boom);
    m.expect(working.pipe(breaker), ' ------^ ').toBeObservable(' -------a|');
    m.expect(untilOpen(breaker)).toBeObservable(' c-------(o|)', states);
    m.expect(probe(m, ' ------x', () => breaker.failCounter)).toBeObservable(' ------n', { n: 3 });
  }));

  it('with failMax given too, the consecutive rule still applies (its reason comes first)', marbles((m) => {
    const breaker = circuitBreaker({ ...options, failMax: 2, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);

    m.expect(failing.pipe(breaker), ' ^   ').toBeObservable(' -#  ', undefined, boom);
    m.expect(failing.pipe(breaker), ' --^ ').toBeObservable(' ---#', undefined, tripped);
    m.expect(trip(breaker, ({ reason }) => ({ reason }))).toBeObservable(' ---(t|)', { t: { reason: 'failure_threshold' } });
  }));
});

// prettier-ignore
describe('failure rate in a time window', () => {
  const options: CircuitBreakerConfig = {
    name: 'db',
    failureRate: 1,
    minimumCalls: 2,
    window: { duration: 10, buckets: 2 },
    resetTimeout: 100,
  };

  it('trips once the window holds minimumCalls failures', marbles((m) => {
    const breaker = circuitBreaker({ ...options, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);

    m.expect(failing.pipe(breaker), ' ^         ').toBeObservable(' -#        ', undefined, boom);
    m.expect(failing.pipe(breaker), ' --------^ ').toBeObservable(' ---------#', undefined, tripped);
    m.expect(untilOpen(breaker)).toBeObservable(' c--------(o|)', states);
  }));

  it('forgets a bucket once it is `buckets` buckets old: an old failure no longer counts', marbles((m) => {
    const breaker = circuitBreaker({ ...options, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);

    m.expect(failing.pipe(breaker), ' ^').toBeObservable(' -#', undefined, boom);
    // Frame 10 is in bucket 2: bucket 0, holding the failure of frame 1, has left the window.
    m.expect(failing.pipe(breaker), after(9, '^')).toBeObservable(after(10, '#'), undefined, boom);
    m.expect(failing.pipe(breaker), after(10, '^')).toBeObservable(after(11, '#'), undefined, tripped);
    m.expect(untilOpen(breaker)).toBeObservable(' c----------(o|)', states);
  }));
});

// prettier-ignore
describe('slow calls', () => {
  const options: CircuitBreakerConfig = {
    name: 'db',
    slowCallRate: 0.5,
    slowCallDuration: 3,
    window: { calls: 2 },
    resetTimeout: 100,
  };

  it('a slow success counts as slow; one that trips is delivered unchanged (reason slow_call_rate)', marbles((m) => {
    const breaker = circuitBreaker({ ...options, scheduler: m.scheduler });
    const fast = m.cold('   -a|');
    const slow = m.cold('   ---a|');

    m.expect(fast.pipe(breaker), ' ^        ').toBeObservable(' -a|      ');
    m.expect(slow.pipe(breaker), ' ---^     ').toBeObservable(' ------a| ');
    m.expect(untilOpen(breaker)).toBeObservable(' c------(o|)', states);
    m.expect(trip(breaker, ({ reason, slowCallRate }) => ({ reason, slowCallRate })))
      .toBeObservable(' -------(t|)', { t: { reason: 'slow_call_rate', slowCallRate: 0.5 } });
  }));

  it('exactly slowCallDuration is not slow (strictly above is)', marbles((m) => {
    const breaker = circuitBreaker({ ...options, scheduler: m.scheduler });
    const fast = m.cold('   -a|');
    const justInTime = m.cold('   --a|');

    m.expect(fast.pipe(breaker), ' ^      ').toBeObservable(' -a|    ');
    m.expect(justInTime.pipe(breaker), ' ---^   ').toBeObservable(' -----a|');
    m.expect(breaker.state$).toBeObservable(' c', states);
  }));

  it('a slow failure counts as slow too; the error that trips is kind tripped', marbles((m) => {
    const breaker = circuitBreaker({ ...options, scheduler: m.scheduler });
    const fast = m.cold('   -a|');
    const slowFailure = m.cold('   -----#', undefined, boom);

    m.expect(fast.pipe(breaker), ' ^        ').toBeObservable(' -a|      ');
    m.expect(slowFailure.pipe(breaker), ' ---^     ').toBeObservable(' --------#', undefined, tripped);
    m.expect(breaker.failure$.pipe(map(({ slow }) => slow))).toBeObservable(' --------s', { s: true });
    m.expect(untilOpen(breaker)).toBeObservable(' c-------(o|)', states);
  }));

  it('a slow trial call in half-open is a failed trial', marbles((m) => {
    const breaker = circuitBreaker({ ...options, resetTimeout: 2, scheduler: m.scheduler });
    const slow = m.cold('   ----a|');

    at(m, '                 x', () => breaker.open());
    m.expect(slow.pipe(breaker), ' --^      ').toBeObservable(' ------a| ');
    m.expect(breaker.transition$.pipe(map(({ to, reason }) => ({ to, reason })))).toBeObservable(' o-h----t-h', {
      o: { to: 'open', reason: 'manual' },
      h: { to: 'half-open', reason: 'reset_timeout' },
      t: { to: 'open', reason: 'trial_failure' },
    });
  }));
});

// prettier-ignore
describe('failWhen', () => {
  const values = { a: 'ok', b: 'bad', c: 'ok' };

  it('the first value it accepts fails the call then; every value is delivered and the completion is not counted', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 2, failWhen: (value) => value === 'bad', scheduler: m.scheduler });
    const source = m.cold('   -a-b-b-c|', values);

    m.expect(source.pipe(breaker)).toBeObservable(' -a-b-b-c|', values);
    m.expect(breaker.failure$.pipe(map(({ error, failCounter }) => ({ error, failCounter }))))
      .toBeObservable(' ---f', { f: { error: 'bad', failCounter: 1 } });
    m.expect(breaker.success$).toBeObservable(' -');
    m.expect(probe(m, ' ---------x', () => breaker.failCounter)).toBeObservable(' ---------n', { n: 1 });
  }));

  it('a failing value that trips the circuit is still delivered, and the call ends as its source ends', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, failWhen: (value) => value === 'bad', scheduler: m.scheduler });
    const source = m.cold('   -a-b-c|', values);

    m.expect(source.pipe(breaker)).toBeObservable(' -a-b-c|', values);
    m.expect(untilOpen(breaker)).toBeObservable(' c--(o|)', states);
  }));

  it('a throwing failWhen counts the call as a failure and breaks nothing downstream', marbles((m) => {
    const thrown = new Error('failWhen broke');
    const breaker = circuitBreaker({
      name: 'db',
      failMax: 1,
      failWhen: () => { throw thrown; },
      scheduler: m.scheduler,
    });
    const source = m.cold('   -a-c|', values);

    m.expect(source.pipe(breaker)).toBeObservable(' -a-c|', values);
    m.expect(breaker.failure$.pipe(map(({ error }) => error))).toBeObservable(' -f', { f: thrown });
    m.expect(untilOpen(breaker)).toBeObservable(' c(o|)', states);
  }));
});

// prettier-ignore
describe('ignore', () => {
  it('in closed: the error reaches the subscriber unchanged, counts nowhere, and events$ reports it as neutral', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, ignore: [Aborted], scheduler: m.scheduler });
    const abort = m.cold('   -#', undefined, aborted);

    m.expect(breaker.events$.pipe(map(({ type }) => type))).toBeObservable(' cn-cn', { c: 'call', n: 'neutral' });
    m.expect(abort.pipe(breaker), ' ^  ').toBeObservable(' -#  ', undefined, aborted);
    m.expect(abort.pipe(breaker), ' ---^').toBeObservable(' ----#', undefined, aborted);
    m.expect(breaker.state$).toBeObservable(' c', states);
  }));

  it('in half-open: the trial slot is given back, so the next trial runs', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 2, ignore: [Aborted], scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    const abort = m.cold('     -#', undefined, aborted);
    const working = m.cold('   -a|');

    m.expect(failing.pipe(breaker), ' ^      ').toBeObservable(' -#     ', undefined, tripped);
    m.expect(abort.pipe(breaker), '   ---^   ').toBeObservable(' ----#   ', undefined, aborted);
    m.expect(working.pipe(breaker), ' -----^  ').toBeObservable(' ------a|');
    m.expect(breaker.state$).toBeObservable(' co-h---c', states);
  }));

  it('wins over exclude when both match; the setters change both at run time, checked', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, exclude: [Aborted], ignore: [Aborted], scheduler: m.scheduler });
    const abort = m.cold('   -#', undefined, aborted);

    at(m, '                 --x', () => { breaker.ignore = []; });
    m.expect(abort.pipe(breaker), ' ^   ').toBeObservable(' -#  ', undefined, aborted);
    m.expect(abort.pipe(breaker), ' ---^').toBeObservable(' ----#', undefined, aborted);
    m.expect(breaker.events$.pipe(filter(({ type }) => type !== 'call'), map(({ type }) => type)))
      .toBeObservable(' -n--s', { n: 'neutral', s: 'success' });
  }));
});

// prettier-ignore
describe('resetTimeout as a function: backoff and retryAt', () => {
  it('grows the open time with each opening, resets it on close; retryAt is exact on the transition, the refusal and the snapshot', marbles((m) => {
    const breaker = circuitBreaker({
      name: 'db',
      failMax: 1,
      resetTimeout: exponentialBackoff({ initial: 2, max: 100 }),
      scheduler: m.scheduler,
    });
    const failing = m.cold('   -#', undefined, boom);
    const working = m.cold('   -a|');

    m.expect(failing.pipe(breaker), ' ^           ').toBeObservable(' -#          ', undefined, tripped);
    m.expect(failing.pipe(breaker), ' ---^        ').toBeObservable(' ----#       ', undefined, trialFailed);
    m.expect(working.pipe(breaker, catchError(retryAtOf)), ' -----^').toBeObservable(' -----(r|)', { r: 8 });
    m.expect(working.pipe(breaker), ' --------^   ').toBeObservable(' ---------a| ');
    m.expect(failing.pipe(breaker), ' -----------^').toBeObservable(' ------------#', undefined, tripped);
    m.expect(probe(m, ' ------x', () => breaker.snapshot().retryAt)).toBeObservable(' ------r', { r: 8 });
    m.expect(breaker.transition$).toBeObservable(' -a-bc---d-e-f-g', {
      a: { from: 'closed', to: 'open', reason: 'failure_threshold', retryAt: 3 },
      b: { from: 'open', to: 'half-open', reason: 'reset_timeout' },
      c: { from: 'half-open', to: 'open', reason: 'trial_failure', retryAt: 8 },
      d: { from: 'open', to: 'half-open', reason: 'reset_timeout' },
      e: { from: 'half-open', to: 'closed', reason: 'trial_success' },
      f: { from: 'closed', to: 'open', reason: 'failure_threshold', retryAt: 14 },
      g: { from: 'open', to: 'half-open', reason: 'reset_timeout' },
    });
  }));

  it('the resetTimeout setter takes a function too', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 50, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);

    breaker.resetTimeout = ({ attempt }) => attempt * 3;
    m.expect(failing.pipe(breaker)).toBeObservable(' -#', undefined, tripped);
    m.expect(breaker.state$).toBeObservable(' co--h', states);
  }));
});

// prettier-ignore
describe('maxHalfOpenWait', () => {
  it('re-opens a half-open circuit that has not closed in time (reason half_open_timeout), at that moment', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 2, maxHalfOpenWait: 3, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);

    at(m, '                 ---------x', () => breaker.dispose());
    m.expect(failing.pipe(breaker), ' ^').toBeObservable(' -#', undefined, tripped);
    // The trial never ends: without maxHalfOpenWait it would pin the circuit half-open.
    m.expect(NEVER.pipe(breaker), ' ---^').toBeObservable(' -');
    m.expect(breaker.transition$.pipe(map(({ to, reason, retryAt }) => ({ to, reason, retryAt }))))
      .toBeObservable(' -o-h--t-h|', {
        o: { to: 'open', reason: 'failure_threshold', retryAt: 3 },
        h: { to: 'half-open', reason: 'reset_timeout', retryAt: undefined },
        t: { to: 'open', reason: 'half_open_timeout', retryAt: 8 },
      });
    m.expect(probe(m, ' ----x-x', () => breaker.state)).toBeObservable(' ----h-o', states);
  }));
});

const reach: Record<CircuitState, ((breaker: CircuitBreaker) => Promise<void>) | undefined> = {
  closed: undefined,
  open: (breaker) => breaker.open(),
  'half-open': (breaker) => breaker.halfOpen(),
  isolated: (breaker) => breaker.isolate(),
  disabled: (breaker) => breaker.disable(),
};
const moves = { isolate: 'isolated', disable: 'disabled', close: 'closed' } as const;

// prettier-ignore
describe('isolate(), disable() and close() from every state', () => {
  for (const [from, reachIt] of Object.entries(reach) as [CircuitState, typeof reach.closed][]) {
    for (const [move, to] of Object.entries(moves) as [keyof typeof moves, CircuitState][]) {
      it(`${move}() from ${from}: a manual transition to ${to}`, marbles((m) => {
        const breaker = circuitBreaker({ name: 'db', resetTimeout: 100, scheduler: m.scheduler });
        if (reachIt) at(m, '   x', () => reachIt(breaker));
        at(m, '                --x', () => breaker[move]());
        m.expect(breaker.transition$.pipe(skip(reachIt ? 1 : 0)))
          .toBeObservable(' --t', { t: { from, to, reason: 'manual' } });
        m.expect(probe(m, ' ---x', () => breaker.state)).toBeObservable(' ---s', { s: to });
      }));
    }
  }

  it('isolated: every call is refused (kind isolated), no timer runs, until close()', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, resetTimeout: 2, scheduler: m.scheduler });
    const working = m.cold('   -a|');

    at(m, '                 x', () => breaker.isolate());
    at(m, '                 ---------x', () => breaker.close());
    m.expect(working.pipe(breaker), ' ---^      ').toBeObservable(' ---#      ', undefined, isolatedRefusal);
    m.expect(working.pipe(breaker), ' ----------^').toBeObservable(' -----------a|');
    m.expect(working).toHaveSubscriptions(' ----------^-!');
    m.expect(breaker.state$).toBeObservable(' (ci)-----c', allStates);
  }));

  it('disabled: every call runs and is counted on the streams, and nothing trips', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', failMax: 1, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);

    at(m, '                 x', () => breaker.disable());
    m.expect(failing.pipe(breaker), ' -^   ').toBeObservable(' --#  ', undefined, boom);
    m.expect(failing.pipe(breaker), ' ---^ ').toBeObservable(' ----#', undefined, boom);
    m.expect(breaker.failure$.pipe(map(({ failCounter }) => failCounter))).toBeObservable(' --a-b', { a: 1, b: 2 });
    m.expect(breaker.state$).toBeObservable(' (cd)', allStates);
  }));

  it('in half-open, with every trial slot taken, a call is refused as trials-busy (not isolated)', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', scheduler: m.scheduler });

    at(m, '                  x', () => breaker.halfOpen());
    m.expect(NEVER.pipe(breaker), ' -^').toBeObservable(' -');
    m.expect(NEVER.pipe(breaker), ' --^').toBeObservable(' --#', undefined, trialsBusy);
  }));
});

// prettier-ignore
describe('snapshot() and memoryStore(snapshot)', () => {
  const options: CircuitBreakerConfig = { name: 'db', failureRate: 0.5, window: { calls: 4 }, resetTimeout: 10 };

  it('round-trips a closed circuit with its window figures (through JSON)', marbles((m) => {
    const breaker = circuitBreaker({ ...options, scheduler: m.scheduler });
    const working = m.cold('   -a|');
    const failing = m.cold('   -#', undefined, boom);
    let restored: CircuitBreaker | undefined;

    m.expect(working.pipe(breaker), ' ^   ').toBeObservable(' -a| ');
    m.expect(failing.pipe(breaker), ' --^ ').toBeObservable(' ---#', undefined, boom);
    at(m, '                 -----x', () => {
      const saved = JSON.parse(JSON.stringify(breaker.snapshot())) as ReturnType<CircuitBreaker['snapshot']>;
      restored = circuitBreaker({ ...options, store: memoryStore(saved), scheduler: m.scheduler });
    });
    m.expect(probe(m, ' ------x', () => restored?.snapshot())).toBeObservable(' ------s', {
      s: {
        name: 'db',
        state: 'closed',
        failCounter: 1,
        successCounter: 0,
        openedAt: null,
        retryAt: null,
        attempt: 0,
        window: { calls: 2, failures: 1, slowCalls: 0, failureRate: 0.5, slowCallRate: 0 },
      },
    });
  }));

  it('round-trips an open circuit: the restored breaker half-opens at the saved retryAt', marbles((m) => {
    const breaker = circuitBreaker({ ...options, failMax: 1, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    let restored: CircuitBreaker | undefined;

    m.expect(failing.pipe(breaker)).toBeObservable(' -#', undefined, tripped);
    at(m, '                 ---x', () => {
      restored = circuitBreaker({ ...options, failMax: 1, store: memoryStore(breaker.snapshot()), scheduler: m.scheduler });
    });
    m.expect(probe(m, ' ----x------x', () => restored?.state)).toBeObservable(' ----o------h', states);
    m.expect(probe(m, ' ----x', () => restored?.snapshot().retryAt)).toBeObservable(' ----r', { r: 11 });
  }));

  it('a restored open circuit whose retryAt has passed is half-open at once', marbles((m) => {
    const breaker = circuitBreaker({ ...options, failMax: 1, scheduler: m.scheduler });
    const failing = m.cold('   -#', undefined, boom);
    let restored: CircuitBreaker | undefined;

    m.expect(failing.pipe(breaker)).toBeObservable(' -#', undefined, tripped);
    let saved: ReturnType<CircuitBreaker['snapshot']> | undefined;
    at(m, '                 --x', () => (saved = breaker.snapshot()));
    // Restored at frame 12, past the saved retryAt (11).
    at(m, after(11, 'x'), () => {
      restored = circuitBreaker({ ...options, failMax: 1, store: memoryStore(saved), scheduler: m.scheduler });
    });
    m.expect(probe(m, ' --x', () => saved?.retryAt)).toBeObservable(' --r', { r: 11 });
    m.expect(probe(m, after(11, 'x'), () => restored?.snapshot().state)).toBeObservable(after(11, 'h'), states);
  }));

  it('round-trips isolated and disabled', marbles((m) => {
    const breaker = circuitBreaker({ name: 'db', scheduler: m.scheduler });
    const restore = () =>
      circuitBreaker({ name: 'db', store: memoryStore(breaker.snapshot()), scheduler: m.scheduler }).state;

    at(m, '                 x-x', () => (breaker.state === 'isolated' ? breaker.disable() : breaker.isolate()));
    m.expect(probe(m, ' -x-x', restore)).toBeObservable(' -i-d', allStates);
  }));
});
