import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import type { BreakerSettings, BreakerState } from '../src/core/BreakerState.js';
import { initialState } from '../src/core/BreakerState.js';
import { circuitStates } from '../src/core/CircuitState.js';
import type { CircuitState, Transition } from '../src/core/CircuitState.js';
import { exponentialBackoff } from '../src/core/exponentialBackoff.js';
import { openTime } from '../src/core/openTime.js';
import type { OutcomeCounts, OutcomeWindow } from '../src/core/OutcomeWindow.js';
import { createWindow } from '../src/core/OutcomeWindow.js';
import { isSlow } from '../src/core/tripPolicy.js';
import * as machine from '../src/core/stateMachine.js';
import type { Permit, Step } from '../src/core/stateMachine.js';
import { redisKeys } from '../src/redis/keys.js';
import type { RedisKeys } from '../src/redis/keys.js';
import { aloneFailure, OutcomeBatch } from '../src/redis/OutcomeBatch.js';
import { parseScriptReply } from '../src/redis/parseReply.js';
import { defineScripts, runScript } from '../src/redis/scripts.js';
import type { ScriptName } from '../src/redis/scripts.js';
import type { ScriptReply } from '../src/redis/sharedState.js';
import { ownTransition, toBreakerState } from '../src/redis/sharedState.js';
import { namespaces } from './support/namespaces.js';
import { useRedisServer } from './support/useRedisServer.js';

/*
 * The two copies of the rules: src/core/stateMachine.ts (what the in-memory store applies) and the Lua scripts of
 * the Redis store. Random sequences of operations run serially through both, on a real redis-server, and after
 * every step both must agree on the state (name, generation, counters, trials, openedAt), on the transition made,
 * and on the answer (permit granted, outcome counted).
 *
 * Time: the scripts read Redis's clock, so each step first runs its script and then applies the in-memory rule at
 * the `now` that script read. A time step moves the moment the circuit opened back on both sides (the same, for a
 * deadline, as moving the clock forward), so no step waits for real time.
 *
 * The rate rules: an outcome in the closed (or disabled) state goes to the script the Redis store would send it
 * with (the `failure` or `success` script carrying it, or a `flush` of a batch of one), so the shared window is
 * compared after every flush; a time window's buckets roll with Redis's real clock, read by both sides.
 *
 * A new rule of the state machine (a trip policy, a window, a new state) is one more entry in `operations`.
 */

const server = useRedisServer();
const freshNamespace = namespaces('differential');
/** Long enough that no trial permit expires during a run (the in-memory rules have no such expiry). */
const trialPermitTtl = 3_600_000;

/** A call admitted by both sides: its generation, and the trial slot it holds in Redis. */
interface Held extends Permit {
  readonly trialId: string;
}

/** How many scripts ran and were compared, over all runs. */
let steps = 0;
/** The states, transition reasons and attempts (backoff) the compared steps went through, over all runs. */
const seen = new Set<string>();

/** One run: the in-memory state and window beside the Redis keys, and the calls admitted and not finished. */
class World {
  memory: BreakerState = initialState;
  readonly window: OutcomeWindow | undefined;
  readonly held: Held[] = [];
  private trialCount = 0;

  constructor(
    readonly settings: BreakerSettings,
    private readonly keys: RedisKeys,
  ) {
    this.window = createWindow(settings);
  }

  /** Whether an outcome of this call goes into the window (a closed or disabled circuit of its generation). */
  counts(permit: Permit): boolean {
    const { name, generation } = this.memory;
    return (
      this.window !== undefined &&
      generation === permit.generation &&
      (name === 'closed' || name === 'disabled')
    );
  }

  /**
   * The batch arguments of a script carrying this one outcome (a batch of one), as the Redis store sends them; a
   * failure outside the window is sent alone.
   */
  batchOf(permit: Permit, failed: boolean, duration: number): (string | number)[] {
    if (!this.counts(permit)) return [...aloneFailure];
    const batch = new OutcomeBatch(this.settings);
    batch.add(permit.generation, failed, isSlow(duration, this.settings));
    return batch.take();
  }

  /** The script arguments the Redis store derives from the settings and its mirror (here: the memory side). */
  get reset(): number | '' {
    const { resetTimeout } = this.settings;
    return typeof resetTimeout === 'number' ? resetTimeout : '';
  }

  get wait(): number | '' {
    return this.settings.maxHalfOpenWait ?? '';
  }

  get openFor(): number {
    return openTime(this.settings, this.memory.attempt + 1, undefined);
  }

  nextTrialId(): string {
    this.trialCount += 1;
    return `trial-${this.trialCount}`;
  }

  /** Takes the held call at `pick` (modulo their number), or undefined when none is held. */
  take(pick: number): Held | undefined {
    if (this.held.length === 0) return undefined;
    return this.held.splice(pick % this.held.length, 1)[0];
  }

  async script(name: ScriptName, args: readonly (string | number)[]): Promise<ScriptReply> {
    const raw = await runScript(server.admin, name, this.keys, 'differential', args);
    steps += 1;
    return parseScriptReply(raw);
  }

  /**
   * Moves the moment an open circuit opened, or a half-open one became half-open, `ms` into the past on both
   * sides (other states have no deadline).
   */
  async age(ms: number): Promise<void> {
    if (this.memory.name === 'open') {
      this.memory = { ...this.memory, openedAt: this.memory.openedAt - ms };
      await server.admin.hincrby(this.keys.state, 'o', -ms);
    } else if (this.memory.name === 'half-open') {
      this.memory = { ...this.memory, since: this.memory.since - ms };
      await server.admin.hincrby(this.keys.state, 't', -ms);
    }
  }
}

/** What one step did on one side. */
interface Outcome {
  readonly state: BreakerState;
  readonly transition: Transition | undefined;
  /** The operation's answer: permit granted, outcome counted (undefined for operations without one). */
  readonly answer: boolean | undefined;
  /** The window as the step judged it: for a rate trip, the window that tripped; else as it is after the step. */
  readonly window?: OutcomeCounts;
}

/** Applies one in-memory rule at `now` (the time the script read); returns what it did. */
type MemoryRule = (world: World, now: number) => Outcome;

function fromStep(step: Step, answer?: boolean): Outcome {
  return { state: step.state, transition: step.transition, answer };
}

function fromReply(world: World, reply: ScriptReply, answer?: boolean): Outcome {
  const state = toBreakerState(reply.shared, (ms) => ms);
  const transition = ownTransition(reply, state, world.settings);
  return { state, transition, answer, window: reply.window };
}

/** The in-memory window's counts at `now`; empty when no rate rule is set. */
function countsOf(window: OutcomeWindow | undefined, now: number): OutcomeCounts {
  if (!window) return { calls: 0, failures: 0, slowCalls: 0 };
  window.advance(now);
  const { calls, failures, slowCalls } = window;
  return { calls, failures, slowCalls };
}

const rateTrips: readonly string[] = ['failure_rate', 'slow_call_rate'];

/** Whether a rate of the window equals its threshold exactly. */
function atThreshold({ calls, failures, slowCalls }: OutcomeCounts, settings: BreakerSettings) {
  return failures / calls === settings.failureRate || slowCalls / calls === settings.slowCallRate;
}

/** One step on both sides: the script first (for Redis's `now`), then the in-memory rule at that `now`. */
async function both(
  world: World,
  name: ScriptName,
  args: readonly (string | number)[],
  answered: boolean,
  rule: MemoryRule,
): Promise<void> {
  const reply = await world.script(name, args);
  const now = reply.redisNow;
  const memory = rule(world, now);
  world.memory = memory.state;
  // The in-memory store empties the window on every transition; a rate trip is judged on the window before.
  const judged = countsOf(world.window, now);
  if (memory.transition) world.window?.reset();
  const rateTrip = rateTrips.includes(memory.transition?.reason ?? '');
  const window = rateTrip ? judged : countsOf(world.window, now);
  seen.add(memory.state.name).add(`attempt ${Math.min(memory.state.attempt, 3)}`);
  if (memory.transition) seen.add(memory.transition.reason);
  if (rateTrip && atThreshold(judged, world.settings)) seen.add('rate at threshold');
  expect(fromReply(world, reply, answered ? reply.flag : undefined)).toEqual({ ...memory, window });
}

/** Compares the states and windows after a step that has no script of its own. */
async function compareStates(world: World): Promise<void> {
  const reply = await world.script('read', []);
  expect(toBreakerState(reply.shared, (ms) => ms)).toEqual(world.memory);
  expect(reply.window).toEqual(countsOf(world.window, reply.redisNow));
}

/** One operation of a sequence; fast-check prints it by its label in a counterexample. */
interface Operation {
  readonly run: (world: World) => Promise<void>;
}

function operation(label: string, run: Operation['run']): Operation {
  return { run, [fc.toStringMethod]: () => label } as Operation;
}

/** Admits a call on both sides; a call admitted by both is held. */
async function acquire(world: World): Promise<void> {
  const { halfOpenMaxCalls } = world.settings;
  const trialId = world.nextTrialId();
  const { reset, wait, openFor } = world;
  const args = [reset, halfOpenMaxCalls, trialId, trialPermitTtl, wait, openFor];
  let granted: Permit | undefined;
  await both(world, 'acquire', args, true, (w, now) => {
    const admission = machine.acquire(w.memory, now, w.settings);
    granted = admission.permit;
    return fromStep(admission, granted !== undefined);
  });
  if (granted) world.held.push({ generation: granted.generation, trialId });
}

/**
 * Ends the held call at `pick` with a success or a failure that took `duration` ms, sent to the script the Redis
 * store would send it with: with a rate rule, in the closed state, a batch of one (`flush`), unless the
 * consecutive rule needs the `failure` script (which carries the batch); otherwise `success` or `failure`. A slow
 * trial call is a failed one.
 */
async function end(world: World, pick: number, failed: boolean, duration: number): Promise<void> {
  const permit = world.take(pick);
  if (!permit) return;
  const { settings } = world;
  const batch = world.batchOf(permit, failed, duration);
  const counts = world.counts(permit);
  const consecutive = Number.isFinite(settings.failMax);
  const failMax = consecutive ? settings.failMax : '';
  const slowTrial = world.memory.name === 'half-open' && isSlow(duration, settings);
  const flush: [ScriptName, (string | number)[]] = [
    'flush',
    [permit.generation, world.openFor, ...batch],
  ];
  const [name, args]: [ScriptName, (string | number)[]] =
    failed || slowTrial
      ? counts && !consecutive
        ? flush
        : ['failure', [permit.generation, failMax, world.openFor, ...batch]]
      : counts
        ? flush
        : ['success', [permit.generation, settings.successThreshold, permit.trialId]];
  await both(world, name, args, true, (w, now) => {
    const recorded = failed
      ? machine.recordFailure(w.memory, permit, now, w.settings, duration, undefined, w.window)
      : machine.recordSuccess(w.memory, permit, w.settings, now, duration, w.window);
    return fromStep(recorded, recorded.counted);
  });
}

const duration = fc.integer({ min: 0, max: 100 });

/** The operations a sequence is made of: a new rule of the state machine is a new entry here. */
const operations: Record<string, fc.Arbitrary<Operation>> = {
  acquire: fc.constant(operation('acquire', acquire)),
  success: fc
    .tuple(fc.nat(), duration)
    .map(([pick, ms]) =>
      operation(`success #${pick} in ${ms} ms`, (world) => end(world, pick, false, ms)),
    ),
  failure: fc
    .tuple(fc.nat(), duration)
    .map(([pick, ms]) =>
      operation(`failure #${pick} in ${ms} ms`, (world) => end(world, pick, true, ms)),
    ),
  // A whole call, admitted and ended at once: the bulk of what fills a window.
  call: fc.tuple(fc.boolean(), duration).map(([failed, ms]) =>
    operation(`call (${failed ? 'failure' : 'success'} in ${ms} ms)`, async (world) => {
      const held = world.held.length;
      await acquire(world);
      if (world.held.length > held) await end(world, held, failed, ms);
    }),
  ),
  release: fc.nat().map((pick) =>
    operation(`release #${pick}`, async (world) => {
      const permit = world.take(pick);
      if (!permit) return;
      await both(world, 'release', [permit.generation, permit.trialId], false, (w) => ({
        state: machine.release(w.memory, permit),
        transition: undefined,
        answer: undefined,
      }));
    }),
  ),
  settle: fc.constant(
    operation('settle', (world) =>
      both(world, 'settle', [world.reset, world.wait, world.openFor], false, (w, now) =>
        fromStep(machine.settle(w.memory, now, w.settings)),
      ),
    ),
  ),
  force: fc
    .constantFrom<CircuitState>(...circuitStates)
    .map((to) =>
      operation(`force ${to}`, (world) =>
        both(world, 'force', [to, world.openFor], false, (w, now) =>
          fromStep(machine.force(w.memory, to, now, w.settings)),
        ),
      ),
    ),
  time: fc.integer({ min: 1, max: 4000 }).map((ms) =>
    operation(`time +${ms} ms`, async (world) => {
      await world.age(ms);
      await compareStates(world);
    }),
  ),
};

/** A deterministic backoff (the jitter of `exponentialBackoff` is injectable; none here). */
const backoff = fc
  .record({ initial: fc.integer({ min: 1, max: 2000 }), max: fc.integer({ min: 2000, max: 8000 }) })
  .map((options) => exponentialBackoff(options));

const stateRules = {
  failMax: fc.integer({ min: 1, max: 4 }),
  resetTimeout: fc.oneof(fc.integer({ min: 1, max: 5000 }), backoff),
  successThreshold: fc.integer({ min: 1, max: 3 }),
  halfOpenMaxCalls: fc.integer({ min: 1, max: 3 }),
  maxHalfOpenWait: fc.integer({ min: 1, max: 5000 }),
};

/** A rate in tenths, as users write them. */
const rate = fc.integer({ min: 1, max: 10 }).map((tenths) => tenths / 10);

/** The rate rules: a count window, or a time window short enough for its buckets to roll during a run. */
const rateRules = fc
  .record(
    {
      failureRate: rate,
      slowCallRate: rate,
      window: fc.oneof(
        fc.record({ calls: fc.integer({ min: 1, max: 8 }) }),
        fc.record({
          duration: fc.integer({ min: 5, max: 60 }),
          buckets: fc.integer({ min: 1, max: 4 }),
        }),
      ),
      minimumCalls: fc.integer({ min: 1, max: 8 }),
      consecutive: fc.boolean(),
    },
    { requiredKeys: ['window', 'minimumCalls', 'consecutive'] },
  )
  .filter((rules) => rules.failureRate !== undefined || rules.slowCallRate !== undefined)
  .map(({ consecutive, minimumCalls, window, ...rates }) => ({
    ...rates,
    window,
    // A count window never holds more calls than its size.
    minimumCalls: 'calls' in window ? Math.min(minimumCalls, window.calls) : minimumCalls,
    slowCallDuration: 50,
    // failMax unset with a rate rule: the consecutive rule is off (resolveFailMax).
    ...(consecutive ? {} : { failMax: Infinity }),
  }));

const settings = fc
  .tuple(
    fc.record(stateRules, {
      requiredKeys: ['failMax', 'resetTimeout', 'successThreshold', 'halfOpenMaxCalls'],
    }),
    fc.option(rateRules, { nil: undefined }),
  )
  .map(([rules, rates]): BreakerSettings => ({ ...rules, ...rates }));

/** Runs random sequences of `operations` under `chosen` settings through both copies. */
async function compareOn(
  chosen: fc.Arbitrary<BreakerSettings>,
  operation: fc.Arbitrary<Operation>,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      chosen,
      fc.array(operation, { minLength: 30, maxLength: 100 }),
      async (settings, sequence) => {
        defineScripts(server.admin);
        const world = new World(settings, redisKeys(freshNamespace(), 'payments'));
        for (const step of sequence) await step.run(world);
      },
    ),
    { numRuns: 100 },
  );
}

describe('the Lua scripts and the in-memory rules', () => {
  beforeEach(() => {
    steps = 0;
    seen.clear();
  });

  it('agree on states, transitions and answers over random sequences of operations', async () => {
    await compareOn(settings, fc.oneof(...Object.values(operations)));
    // Thousands of steps went through both copies (without a failure, fast-check ran each sequence once).
    expect(steps).toBeGreaterThan(2000);
    // ...and through every rule the scripts share: backoff (a third opening before a close), the half-open time
    // limit, the held states.
    for (const rule of [
      ...circuitStates,
      'attempt 3',
      'failure_threshold',
      'trial_failure',
      'trial_success',
      'reset_timeout',
      'half_open_timeout',
      'manual',
      'failure_rate',
      'slow_call_rate',
    ])
      expect(seen, rule).toContain(rule);
  });

  it('agree on the shared window over sequences made mostly of whole calls', async () => {
    const { call, ...others } = operations;
    await compareOn(
      fc
        .tuple(
          fc.record(stateRules, {
            requiredKeys: ['failMax', 'resetTimeout', 'successThreshold', 'halfOpenMaxCalls'],
          }),
          rateRules,
        )
        .map(([rules, rates]) => ({ ...rules, ...rates })),
      fc.oneof(
        { arbitrary: call, weight: 12 },
        ...Object.values(others).map((arbitrary) => ({ arbitrary, weight: 1 })),
      ),
    );
    // Trips on both rates, including at exactly the threshold (where '>=' and '>' part).
    for (const rule of ['failure_rate', 'slow_call_rate', 'rate at threshold'])
      expect(seen, rule).toContain(rule);
  });
});
