import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BreakerSettings, BreakerState } from '../src/core/BreakerState.js';
import { initialState } from '../src/core/BreakerState.js';
import { circuitStates } from '../src/core/CircuitState.js';
import type { CircuitState, Transition } from '../src/core/CircuitState.js';
import { exponentialBackoff } from '../src/core/exponentialBackoff.js';
import { openTime } from '../src/core/openTime.js';
import * as machine from '../src/core/stateMachine.js';
import type { Permit, Step } from '../src/core/stateMachine.js';
import { redisKeys } from '../src/redis/keys.js';
import type { RedisKeys } from '../src/redis/keys.js';
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

/** One run: the in-memory state beside the Redis keys, and the calls admitted and not finished. */
class World {
  memory: BreakerState = initialState;
  readonly held: Held[] = [];
  private trialCount = 0;

  constructor(
    readonly settings: BreakerSettings,
    private readonly keys: RedisKeys,
  ) {}

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
}

/** Applies one in-memory rule at `now` (the time the script read); returns what it did. */
type MemoryRule = (world: World, now: number) => Outcome;

function fromStep(step: Step, answer?: boolean): Outcome {
  return { state: step.state, transition: step.transition, answer };
}

function fromReply(world: World, reply: ScriptReply, answer?: boolean): Outcome {
  const state = toBreakerState(reply.shared, (ms) => ms);
  return { state, transition: ownTransition(reply, state, world.settings), answer };
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
  const memory = rule(world, reply.redisNow);
  world.memory = memory.state;
  seen.add(memory.state.name).add(`attempt ${Math.min(memory.state.attempt, 3)}`);
  if (memory.transition) seen.add(memory.transition.reason);
  expect(fromReply(world, reply, answered ? reply.flag : undefined)).toEqual(memory);
}

/** Compares the states after a step that has no script of its own. */
async function compareStates(world: World): Promise<void> {
  const reply = await world.script('read', []);
  expect(toBreakerState(reply.shared, (ms) => ms)).toEqual(world.memory);
}

/** One operation of a sequence; fast-check prints it by its label in a counterexample. */
interface Operation {
  readonly run: (world: World) => Promise<void>;
}

function operation(label: string, run: Operation['run']): Operation {
  return { run, [fc.toStringMethod]: () => label } as Operation;
}

/** The operations a sequence is made of: a new rule of the state machine is a new entry here. */
const operations: Record<string, fc.Arbitrary<Operation>> = {
  acquire: fc.constant(
    operation('acquire', async (world) => {
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
    }),
  ),
  success: fc.nat().map((pick) =>
    operation(`success #${pick}`, async (world) => {
      const permit = world.take(pick);
      if (!permit) return;
      const args = [permit.generation, world.settings.successThreshold, permit.trialId];
      await both(world, 'success', args, true, (w) => {
        const recorded = machine.recordSuccess(w.memory, permit, w.settings);
        return fromStep(recorded, recorded.counted);
      });
    }),
  ),
  failure: fc.nat().map((pick) =>
    operation(`failure #${pick}`, async (world) => {
      const permit = world.take(pick);
      if (!permit) return;
      const args = [permit.generation, world.settings.failMax, world.openFor];
      await both(world, 'failure', args, true, (w, now) => {
        const recorded = machine.recordFailure(w.memory, permit, now, w.settings);
        return fromStep(recorded, recorded.counted);
      });
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

const settings = fc.record(
  {
    failMax: fc.integer({ min: 1, max: 4 }),
    resetTimeout: fc.oneof(fc.integer({ min: 1, max: 5000 }), backoff),
    successThreshold: fc.integer({ min: 1, max: 3 }),
    halfOpenMaxCalls: fc.integer({ min: 1, max: 3 }),
    maxHalfOpenWait: fc.integer({ min: 1, max: 5000 }),
  },
  { requiredKeys: ['failMax', 'resetTimeout', 'successThreshold', 'halfOpenMaxCalls'] },
);

describe('the Lua scripts and the in-memory rules', () => {
  it('agree on states, transitions and answers over random sequences of operations', async () => {
    steps = 0;
    seen.clear();
    await fc.assert(
      fc.asyncProperty(
        settings,
        fc.array(fc.oneof(...Object.values(operations)), { minLength: 30, maxLength: 100 }),
        async (chosen, sequence) => {
          defineScripts(server.admin);
          const world = new World(chosen, redisKeys(freshNamespace(), 'payments'));
          for (const operation of sequence) await operation.run(world);
        },
      ),
      { numRuns: 100 },
    );
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
    ])
      expect(seen, rule).toContain(rule);
  });
});
