import { randomUUID } from 'node:crypto';
import type { Subscription } from 'rxjs';
import type { CircuitState, Transition } from '../core/CircuitState.js';
import type { BreakerState } from '../core/BreakerState.js';
import { initialState } from '../core/BreakerState.js';
import type { BreakerSnapshot } from '../core/BreakerSnapshot.js';
import { snapshotOf } from '../core/BreakerSnapshot.js';
import { openTime } from '../core/openTime.js';
import type { OutcomeCounts, OutcomeWindow, WindowFigures } from '../core/OutcomeWindow.js';
import { createWindow, figuresOf, windowFigures } from '../core/OutcomeWindow.js';
import { isSlow } from '../core/tripPolicy.js';
import type { MaybePromise, StateStore, StoreContext } from '../core/StateStore.js';
import * as machine from '../core/stateMachine.js';
import type { Admission, Permit, Recorded, Step } from '../core/stateMachine.js';
import { unrefTimer } from '../breaker/unrefTimer.js';
import { ClockOffset } from './ClockOffset.js';
import type { RedisKeys } from './keys.js';
import { keyPrefixOf, redisKeys } from './keys.js';
import { LocalMode } from './LocalMode.js';
import { aloneFailure, defaultFlushInterval, OutcomeBatch } from './OutcomeBatch.js';
import { Resync } from './Resync.js';
import { parseScriptReply, parseTransitionMessage } from './parseReply.js';
import type { RedisClientLike } from './RedisClientLike.js';
import type { RedisPermit } from './RedisPermit.js';
import { RedisStoreError } from './RedisStoreError.js';
import { badDataError, storeError, unavailableError } from './storeErrors.js';
import { defineScripts, runScript } from './scripts.js';
import type { ScriptName } from './scripts.js';
import type { ScriptReply } from './sharedState.js';
import { ownTransition, toBreakerState } from './sharedState.js';
import { listen } from './subscriberHub.js';
import type { ResolvedRedisStoreOptions } from './validateRedisStoreOptions.js';
import { withTimeout } from './withTimeout.js';

/** Which life of the shared state hash, and which generation in it, the local mirror reflects. */
interface SharedVersion {
  readonly incarnation: string;
  readonly generation: number;
}

/** A script's reply, and the shared state it carries as this process sees it (deadlines on the local clock). */
interface Answer {
  readonly reply: ScriptReply;
  readonly state: BreakerState;
}

/** How many times `settle` waits for Redis's clock to reach the deadline before leaving it to the next call. */
const settleAttempts = 3;

const noOutcomes: OutcomeCounts = { calls: 0, failures: 0, slowCalls: 0 };

/**
 * One breaker's state, shared through Redis.
 *
 * @remarks
 * It keeps a mirror of the shared state in `state` and answers from it where the rules allow (closed admissions,
 * refusals while open, successes with no failures to reset: the hot path makes no round trip). Every other
 * decision is one Lua script, whose reply carries the whole shared state and Redis's clock. Transitions made
 * elsewhere arrive by pub/sub and are reported through `context.reportTransition`; a full read resynchronises the mirror on
 * every (re)connect.
 *
 * The trip policies are shared: one `attempt` counter for the fleet, the open time chosen by the process that
 * opens the circuit (its `resetTimeout` evaluated there) and stored with the opening so that every process reads
 * one `retryAt`, `maxHalfOpenWait` judged on Redis's clock, the `isolated` and `disabled` states, and the rate
 * rules' window. Outcomes recorded in the closed state go into a local {@link OutcomeBatch}, flushed to the
 * shared window by one script at most once per `flushInterval`, and at once when it could trip a rule; with the
 * consecutive rule on, each failure still makes its own round trip (and carries the batch along).
 *
 * When Redis is unreachable (the client is not ready, a command failed or timed out) the store reports it, enters
 * "local" mode, and applies the state machine to the mirror (switched to `fallbackState` if one is set) until a
 * read succeeds again. Calls admitted in local mode are counted only in local mode.
 */
export class RedisStateStore implements StateStore {
  state: BreakerState = initialState;

  private readonly keys: RedisKeys;
  /** Names this store in the messages it publishes, so that it does not take its own transitions for remote. */
  private readonly origin = randomUUID();
  private readonly clock = new ClockOffset();
  private readonly timers = new Set<Subscription>();
  private stopListening: (() => void) | undefined;
  private readonly resync = new Resync(
    () => this.exchange('read', []).then(() => undefined),
    () => this.client.status === 'ready',
  );
  private shared?: SharedVersion;
  /** When (local clock) the last transition message was taken into the mirror. */
  private messageAt = Number.NEGATIVE_INFINITY;
  /** Whether decisions are local because Redis is unreachable, and since which outage. */
  private readonly local = new LocalMode();
  private permitCount = 0;
  private disposed = false;
  /** The outcomes not yet flushed to the shared window (rate rules only). */
  private readonly batch: OutcomeBatch | undefined;
  /** The shared window's figures as the last reply showed them. */
  private sharedWindow = noOutcomes;
  /** The figures of a batch on its way to Redis. */
  private inFlight: OutcomeCounts | undefined;
  private flushArmed = false;
  /** The window the rate rules judge while Redis is unreachable. */
  private readonly localWindow: OutcomeWindow | undefined;

  constructor(
    private readonly client: RedisClientLike,
    private readonly context: StoreContext,
    private readonly options: ResolvedRedisStoreOptions,
  ) {
    this.keys = redisKeys(options.namespace, context.name, keyPrefixOf(client));
    this.localWindow = createWindow(context.settings);
    if (this.localWindow) this.batch = new OutcomeBatch(context.settings);
    defineScripts(client);
    this.listen();
    client.on('ready', this.onClientReady);
    client.on('close', this.onConnectionLost);
    client.on('end', this.onClientEnd);
    this.schedule(() => this.giveUpFirstSync(), options.commandTimeout);
    // A client made with `lazyConnect` connects on its first command; this store may send none for a while.
    if (client.status === 'wait') client.connect().then(undefined, () => undefined);
  }

  settle(now: number): MaybePromise<Step> {
    return this.settleWithin(now, settleAttempts);
  }

  acquire(now: number): MaybePromise<Admission> {
    if (!this.resync.firstDone) return this.afterFirstRead(() => this.acquire(this.now()));
    const state = this.state;
    // Refused on the mirror: an open circuit before its retry time, an isolated one (until a manual transition,
    // which every process hears by pub/sub).
    if (state.name === 'isolated') return { state };
    if (state.name === 'open' && now < machine.halfOpenAt(state, this.context.settings)) {
      return { state };
    }
    const free = state.name === 'closed' || state.name === 'disabled';
    if (this.decidesLocally('acquire', !free)) return this.acquireLocally(now);
    // The hot path: a state carries its generation, so it serves as the permit (no allocation).
    if (free) return { state, permit: state };
    const trialId = `${this.origin}:${++this.permitCount}`;
    const { halfOpenMaxCalls } = this.context.settings;
    const { trialPermitTtl } = this.options;
    return this.run(
      'acquire',
      [this.reset, halfOpenMaxCalls, trialId, trialPermitTtl, this.wait, this.openFor()],
      (reply, shared) => {
        const transition = this.ownTransition(reply, shared);
        if (!reply.flag) return { state: shared, transition };
        const permit: RedisPermit =
          shared.name === 'half-open'
            ? { generation: shared.generation, trialId }
            : { generation: shared.generation };
        return { state: shared, transition, permit };
      },
      () => this.acquireLocally(this.now()),
    );
  }

  release(permit: Permit): void {
    const { trialId, localEpoch } = permit as RedisPermit;
    if (localEpoch !== undefined || this.local.active) {
      if (this.local.admits(permit)) this.state = machine.release(this.state, permit);
      return;
    }
    if (trialId === undefined) return;
    this.state = machine.release(this.state, permit);
    if (this.decidesLocally('release', true)) return;
    void this.run(
      'release',
      [permit.generation, trialId],
      () => undefined,
      () => undefined,
    );
  }

  recordSuccess(permit: Permit, now: number, duration: number): MaybePromise<Recorded> {
    const settings = this.context.settings;
    const state = this.state;
    const { localEpoch, trialId = '' } = permit as RedisPermit;
    const decide = () =>
      machine.recordSuccess(this.state, permit, settings, now, duration, this.localWindow);
    if (localEpoch !== undefined) return this.recordLocally(permit, decide);
    const counting =
      state.generation === permit.generation &&
      (state.name === 'closed' || state.name === 'disabled');
    // The hot path: nothing to count (an older generation, or open), or nothing to reset. No round trip.
    if (!counting && state.name !== 'half-open') return { state, counted: false };
    // A slow trial call is a failed one (when slow calls are tracked).
    if (!counting && isSlow(duration, settings)) return this.recordFailure(permit, now, duration);
    // With a rate rule, the batch carries the success (and the reset of the shared failure counter) too.
    if (counting && this.batch) {
      return this.batched(this.batch, permit, false, isSlow(duration, settings), decide);
    }
    if (counting && state.failCounter === 0) return { state, counted: true };
    if (this.decidesLocally('success', true)) return this.keep(decide());
    // The reset will happen unless the generation moved, and then the reply corrects the mirror: so successes
    // that follow while it is in flight need no round trip of their own.
    if (counting) this.state = { ...state, failCounter: 0 };
    return this.run(
      'success',
      [permit.generation, settings.successThreshold, trialId],
      this.recorded,
      () => this.keep(decide()),
    );
  }

  recordFailure(
    permit: Permit,
    now: number,
    duration: number,
    error?: unknown,
  ): MaybePromise<Recorded> {
    const settings = this.context.settings;
    const decide = () =>
      machine.recordFailure(this.state, permit, now, settings, duration, error, this.localWindow);
    if ((permit as RedisPermit).localEpoch !== undefined) return this.recordLocally(permit, decide);
    const state = this.state;
    if (
      state.generation !== permit.generation ||
      state.name === 'open' ||
      state.name === 'isolated'
    ) {
      return { state, counted: false };
    }
    const slow = isSlow(duration, settings);
    const inWindow = state.name !== 'half-open';
    // With the rate rules alone, a failure is counted like a success: in the batch, with no round trip.
    if (inWindow && this.batch && this.batchesFailures) {
      return this.batched(this.batch, permit, true, slow, decide);
    }
    if (this.decidesLocally('failure', true)) return this.keep(decide());
    const failMax = Number.isFinite(settings.failMax) ? settings.failMax : '';
    const window = inWindow ? this.batchWith(permit, slow) : aloneFailure;
    return this.run(
      'failure',
      [permit.generation, failMax, this.openFor(error), ...window],
      this.recorded,
      () => this.keep(decide()),
    );
  }

  force(to: CircuitState, now: number): MaybePromise<Step> {
    // A manual transition right after start-up waits for the first read (at most commandTimeout), so that it is
    // shared rather than decided on a local state that the read would then replace.
    if (!this.resync.firstDone) return this.afterFirstRead(() => this.force(to, this.now()));
    if (this.decidesLocally('force', true))
      return this.keep(machine.force(this.state, to, now, this.context.settings));
    return this.run(
      'force',
      [to, this.openFor()],
      (reply, shared) => ({ state: shared, transition: this.ownTransition(reply, shared) }),
      () => this.keep(machine.force(this.state, to, this.now(), this.context.settings)),
    );
  }

  /**
   * The mirror of the shared state; the window's figures are the shared window's as of this process's last
   * script, plus its own outcomes not flushed yet (or the local window's while Redis is unreachable).
   */
  snapshot(now: number): BreakerSnapshot {
    return snapshotOf(this.context.name, this.state, now, this.context.settings, this.figures(now));
  }

  dispose(): void {
    if (this.disposed) return;
    // The outcomes counted and not yet shared go to Redis (if it can be reached; nothing waits for the answer).
    if (this.batch && !this.batch.empty && this.client.status === 'ready') void this.flush();
    this.disposed = true;
    this.stopListening?.();
    this.client.removeListener('ready', this.onClientReady);
    this.client.removeListener('close', this.onConnectionLost);
    this.client.removeListener('end', this.onClientEnd);
    for (const timer of this.timers) timer.unsubscribe();
    this.timers.clear();
    // Calls waiting for the first read go on with the local state, instead of waiting for a read that never comes.
    this.resync.stop();
  }

  /**
   * Counts an outcome in the batch: no round trip, unless merging the batch could trip a rate rule (then the
   * flush's answer is the call's, and so is the trip). Otherwise the batch goes at the end of the flush interval.
   */
  private batched(
    batch: OutcomeBatch,
    permit: Permit,
    failed: boolean,
    slow: boolean,
    decide: () => Recorded,
  ): MaybePromise<Recorded> {
    if (this.decidesLocally(failed ? 'failure' : 'success', false)) return this.keep(decide());
    batch.add(permit.generation, failed, slow);
    // As the rules say: a success resets the failure counter (in Redis with the batch, when it lands).
    const state = this.state;
    if (!failed && state.failCounter !== 0) this.state = { ...state, failCounter: 0 };
    if (!this.inFlight && batch.couldTrip(this.sharedWindow)) return this.flush();
    this.armFlush();
    return { state: this.state, counted: true };
  }

  /** The `failure` script's batch arguments: the batch, with this failure last (or this failure alone). */
  private batchWith(permit: Permit, slow: boolean): readonly (string | number)[] {
    const batch = this.batch;
    if (!batch) return aloneFailure;
    batch.add(permit.generation, true, slow);
    return batch.take();
  }

  /** Sends the batch to the shared window; a trip it causes is this process's own. */
  private flush(): MaybePromise<Recorded> {
    const { batch, state } = this;
    if (!batch) return { state, counted: false };
    const current = state.generation === batch.generation;
    if (batch.empty || !current || (state.name !== 'closed' && state.name !== 'disabled')) {
      batch.clear();
      return { state, counted: false };
    }
    const { calls, failures, slowCalls } = batch;
    this.inFlight = { calls, failures, slowCalls };
    const args = [batch.generation, this.openFor(), ...batch.take()];
    return this.run('flush', args, this.flushed, () => {
      this.inFlight = undefined;
      return { state: this.state, counted: false };
    });
  }

  private readonly flushed = (reply: ScriptReply, shared: BreakerState): Recorded => {
    this.inFlight = undefined;
    const batch = this.batch;
    if (batch && !batch.empty) {
      if (batch.couldTrip(this.sharedWindow)) this.flushAndReport();
      else this.armFlush();
    }
    return this.recorded(reply, shared);
  };

  /** A flush no call waits for: a trip it causes is reported as this store's own. */
  private flushAndReport(): void {
    const recorded = this.flush();
    if (recorded instanceof Promise) void recorded.then(this.reportOwn);
  }

  /** Flushes the batch at the end of the flush interval; a trip it causes is reported as this store's own. */
  private armFlush(): void {
    if (this.flushArmed) return;
    this.flushArmed = true;
    this.schedule(
      () => {
        this.flushArmed = false;
        if (!this.disposed && !this.inFlight) this.flushAndReport();
      },
      this.options.flushInterval ?? defaultFlushInterval(this.context.settings),
    );
  }

  private readonly reportOwn = ({ transition }: Recorded): void => {
    if (transition && !this.disposed) this.context.reportTransition(transition);
  };

  /** The window figures `snapshot()` shows. */
  private figures(now: number): WindowFigures | undefined {
    const { batch, localWindow } = this;
    if (!batch || !localWindow) return undefined;
    if (this.local.active) return windowFigures(localWindow, now);
    return figuresOf(this.knownWindow(batch));
  }

  /** The shared window as this process knows it: as last read, with its own outcomes not yet flushed. */
  private knownWindow(batch: OutcomeBatch): OutcomeCounts {
    const counting = batch.generation === this.state.generation;
    return counting ? batch.mergedWith(this.sharedWindow) : this.sharedWindow;
  }

  /**
   * Whether failures in the closed state are batched like successes: with the rate rules alone (no `failMax`),
   * since no rule needs each one at once. The batch then moves the shared failure counter too.
   */
  private get batchesFailures(): boolean {
    return this.batch !== undefined && !Number.isFinite(this.context.settings.failMax);
  }

  /** A numeric `resetTimeout` is read live by the scripts (as by the rules); a function's answer is stored. */
  private get reset(): number | '' {
    const { resetTimeout } = this.context.settings;
    return typeof resetTimeout === 'number' ? resetTimeout : '';
  }

  private get wait(): number | '' {
    return this.context.settings.maxHalfOpenWait ?? '';
  }

  /**
   * The open time of an opening this process may make next: its `resetTimeout` evaluated for the next attempt of
   * the shared counter, as the mirror knows it. The script stores it, so every process agrees on the retry time.
   */
  private openFor(error?: unknown): number {
    // Whole milliseconds: Redis keeps integers (a jittered backoff answers fractions).
    return Math.ceil(openTime(this.context.settings, this.state.attempt + 1, error));
  }

  private ownTransition(reply: ScriptReply, shared: BreakerState): Transition | undefined {
    return ownTransition(reply, shared, this.context.settings);
  }

  private readonly recorded = (reply: ScriptReply, shared: BreakerState): Recorded => ({
    state: shared,
    counted: reply.flag,
    transition: this.ownTransition(reply, shared),
  });

  private settleWithin(now: number, attempts: number): MaybePromise<Step> {
    const settings = this.context.settings;
    const deadline = machine.nextDeadline(this.state, settings);
    if (deadline === undefined || now < deadline) return { state: this.state };
    const decide = () => this.keep(machine.settle(this.state, this.now(), settings));
    if (this.decidesLocally('settle', true)) return decide();
    return this.run(
      'settle',
      [this.reset, this.wait, this.openFor()],
      (reply, shared): MaybePromise<Step> => {
        const transition = this.ownTransition(reply, shared);
        const next = machine.nextDeadline(shared, settings);
        if (transition || next === undefined || attempts <= 1) return { state: shared, transition };
        // Redis's clock has not reached the deadline yet (the local estimate of it was a little early).
        const redisDeadline = machine.nextDeadline(
          toBreakerState(reply.shared, (ms) => ms),
          settings,
        );
        const left = (redisDeadline ?? reply.redisNow) - reply.redisNow;
        const delay = Math.max(1, left, next - this.now());
        return this.later(delay, () => this.settleWithin(this.now(), attempts - 1));
      },
      decide,
    );
  }

  /**
   * Sends one script, bounded by `commandTimeout`, and hands its reply (already absorbed into the mirror) to
   * `onReply`, or decides locally when Redis is unreachable, fails or is too slow. Never rejects.
   */
  private run<R>(
    script: ScriptName,
    args: readonly (string | number)[],
    onReply: (reply: ScriptReply, shared: BreakerState) => MaybePromise<R>,
    decideLocally: () => R,
  ): MaybePromise<R> {
    if (this.client.status !== 'ready') {
      this.goLocal(this.unavailable(script));
      return decideLocally();
    }
    return this.exchange(script, args).then((answer) =>
      answer ? onReply(answer.reply, answer.state) : decideLocally(),
    );
  }

  private async exchange(
    script: ScriptName,
    args: readonly (string | number)[],
  ): Promise<Answer | undefined> {
    const sentAt = this.now();
    const timeout = this.options.commandTimeout;
    let raw: unknown;
    let reply: ScriptReply;
    try {
      raw = await withTimeout(
        this.send(script, args),
        timeout,
        this.context.scheduler,
        () => new RedisStoreError('timeout', script, `no reply within ${timeout} ms`),
      );
    } catch (error) {
      this.goLocal(storeError('command', script, error));
      return undefined;
    }
    try {
      reply = parseScriptReply(raw);
    } catch (error) {
      this.goLocal(storeError('bad-data', script, error));
      return undefined;
    }
    this.clock.sample(sentAt, this.now(), reply.redisNow);
    if (reply.badData) this.report(badDataError(this.keys, script));
    const state = toBreakerState(reply.shared, (ms) => this.clock.toLocal(ms));
    this.absorb(reply, state, sentAt);
    return { reply, state };
  }

  private send(script: ScriptName, args: readonly (string | number)[]): PromiseLike<unknown> {
    try {
      return runScript(this.client, script, this.keys, this.origin, args);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * Takes the shared state from a script's reply into the mirror. A reply is the truth at the moment its script
   * ran, so it also ends local mode; if the mirror missed transitions on the way (made elsewhere, not yet
   * delivered by pub/sub), that is reported as a remote transition.
   */
  private absorb(reply: ScriptReply, state: BreakerState, sentAt: number): void {
    const { shared, own } = reply;
    const known = this.shared;
    const sameLife = known?.incarnation === shared.incarnation;
    // A message about a later transition was applied already: this reply is older news, in every mode (a reply
    // queued during a stall can arrive after the message about the trip it preceded).
    if (sameLife && shared.generation < known.generation) return;
    // A message about another life of the hash arrived while this script was on its way: the script ran before
    // that life began (a first read of a hash not created yet, answered after the message about the trip that
    // created it). Its generations cannot be compared, but its moment can. (Had the hash been deleted after the
    // message, the next reply shows it.)
    if (known && !sameLife && this.messageAt >= sentAt) return;
    const before = this.state.name;
    const diverged = this.local.leave();
    this.shared = { incarnation: shared.incarnation, generation: shared.generation };
    this.state = state;
    this.sharedWindow = own ? noOutcomes : reply.window;
    const expected = own ? shared.generation - 1 : shared.generation;
    if (!diverged && sameLife && known.generation === expected) return;
    const seen = own ? own.from : shared.name;
    if (before !== seen || seen === 'open') this.emitRemote(before, seen);
  }

  /** A transition published by another process. */
  private onMessage(text: string): void {
    if (this.disposed) return;
    const message = parseTransitionMessage(text);
    if (!message) {
      this.report(
        new RedisStoreError('bad-data', 'subscribe', `unexpected message ${JSON.stringify(text)}`),
      );
      return;
    }
    const { origin, shared } = message;
    const known = this.shared;
    if (origin === this.origin) return;
    if (known?.incarnation === shared.incarnation && shared.generation <= known.generation) return;
    const before = this.state.name;
    this.shared = { incarnation: shared.incarnation, generation: shared.generation };
    this.messageAt = this.now();
    this.state = toBreakerState(shared, (ms) => this.clock.toLocal(ms));
    // Every transition empties the window.
    this.sharedWindow = noOutcomes;
    this.emitRemote(before, shared.name);
  }

  private listen(): void {
    this.stopListening = listen(this.client, this.keys.channel, {
      message: (text) => this.onMessage(text),
      subscribed: () => void this.resync.run(),
      error: (error) => this.report(storeError('subscriber', 'subscribe', error)),
    });
  }

  /** A reconnect (or the first connect, if the subscription was confirmed before it) calls for a full read. */
  private readonly onClientReady = () => {
    if (!this.stopListening) this.listen();
    else this.resync.connected();
  };

  /**
   * The connection is gone (a network fault, a server that went away, or the user's `disconnect()`): decide
   * locally from now on, so that `state` shows `fallbackState` at once rather than at the next call. ioredis
   * emits 'close' after every connection error too, so that no 'error' listener is needed (adding one to the
   * user's client would silence ioredis's own warning about unhandled errors).
   */
  private readonly onConnectionLost = () => {
    if (this.disposed || this.local.active) return;
    this.goLocal(
      new RedisStoreError(
        'unavailable',
        'connection',
        'lost the connection to Redis; deciding on the local state',
      ),
    );
  };

  /**
   * The user closed their client for good (`quit()`, or ioredis gave up reconnecting): close the pub/sub
   * connection too, or it alone would keep the process alive. Should the client connect again, it reopens.
   */
  private readonly onClientEnd = () => {
    this.stopListening?.();
    this.stopListening = undefined;
    this.giveUpFirstSync();
  };

  /**
   * Runs `next` once the first read is done or given up. A client that has ended (`quit()`, `disconnect()`, no
   * more reconnects) will read nothing: the wait is given up at once rather than after `commandTimeout`, whose
   * timer keeps no process alive (a script awaiting such a call would exit with it unsettled).
   */
  private afterFirstRead<T>(next: () => MaybePromise<T>): MaybePromise<T> {
    if (this.client.status === 'end') this.giveUpFirstSync();
    return this.resync.firstDone ? next() : this.resync.firstRead().then(next);
  }

  /** The first calls wait for the first read, at most `commandTimeout`; then they go on without it. */
  private giveUpFirstSync(): void {
    if (this.resync.firstDone || this.resync.busy) return;
    if (this.client.status === 'ready') {
      void this.resync.run();
      return;
    }
    this.goLocal(this.unavailable('read'));
  }

  private acquireLocally(now: number): Admission {
    const step = this.keep(machine.acquire(this.state, now, this.context.settings));
    if (!step.permit) return step;
    return { ...step, permit: this.local.permit(step.permit.generation) };
  }

  /** An outcome of a call admitted locally counts only while this store is still local since then. */
  private recordLocally(permit: Permit, decide: () => Recorded): Recorded {
    if (!this.local.admits(permit)) return { state: this.state, counted: false };
    return this.keep(decide());
  }

  /**
   * Whether this operation must be decided on the local state: Redis is unreachable, or was the last time we
   * tried. `write` says the operation would have sent a command (skipping it is reported as a store error).
   */
  private decidesLocally(operation: string, write: boolean): boolean {
    const ready = this.client.status === 'ready';
    if (!this.local.active) {
      if (ready) return false;
      this.goLocal(this.unavailable(operation));
      return true;
    }
    if (write) this.report(this.unavailable(operation));
    if (ready) void this.resync.run();
    return true;
  }

  /** Reports why Redis cannot be used now and, unless it is already local, makes this store decide locally. */
  private goLocal(error: RedisStoreError): void {
    this.report(error);
    this.resync.endFirst();
    if (!this.local.enter()) return;
    this.seedLocalWindow();
    this.scheduleRecovery();
    const fallback = this.options.fallbackState;
    if (fallback === undefined || fallback === this.state.name) return;
    const before = this.state.name;
    this.state = machine.force(this.state, fallback, this.now(), this.context.settings).state;
    this.local.diverge();
    this.emitRemote(before, fallback);
  }

  /**
   * The local rules start from what this process knows of the shared window: its figures as last read, with the
   * outcomes not yet shared (the batch, and one on its way that will not arrive).
   */
  private seedLocalWindow(): void {
    const { batch, localWindow } = this;
    if (!batch || !localWindow) return;
    let known = this.knownWindow(batch);
    if (this.inFlight) known = sum(known, this.inFlight);
    batch.clear();
    localWindow.refill(this.now(), known);
  }

  /**
   * While local, tries a full read every `commandTimeout`: a server that was slow or failing commands may recover
   * without the client ever disconnecting (so no 'ready' event), and calls refused locally send nothing.
   */
  private scheduleRecovery(): void {
    this.schedule(() => {
      if (!this.local.active || this.disposed) return;
      void this.resync.run().then(() => this.scheduleRecovery());
    }, this.options.commandTimeout);
  }

  /** Takes a decision made on the local state into the mirror; the local window holds one state's outcomes. */
  private keep<S extends Step>(step: S): S {
    this.state = step.state;
    if (step.transition) {
      this.local.diverge();
      this.localWindow?.reset();
    }
    return step;
  }

  /** A transition this process did not make; an opening carries the shared retry time (on the local clock). */
  private emitRemote(from: CircuitState, to: CircuitState): void {
    if (this.disposed) return;
    const state = this.state;
    const retryAt =
      to === 'open' && state.name === 'open'
        ? machine.halfOpenAt(state, this.context.settings)
        : undefined;
    this.context.reportTransition(
      retryAt === undefined
        ? { from, to, reason: 'remote' }
        : { from, to, reason: 'remote', retryAt },
    );
  }

  private later<T>(delay: number, next: () => MaybePromise<T>): Promise<T> {
    return new Promise<T>((resolve) => this.schedule(() => resolve(next()), delay));
  }

  private schedule(work: () => void, delay: number): void {
    const timer = unrefTimer(
      this.context.scheduler.schedule(() => {
        this.timers.delete(timer);
        work();
      }, delay),
    );
    this.timers.add(timer);
  }

  private report(error: unknown): void {
    if (!this.disposed) this.context.reportError(error);
  }

  private unavailable(operation: string): RedisStoreError {
    return unavailableError(operation, this.client.status, this.local.active);
  }

  private now(): number {
    return this.context.scheduler.now();
  }
}

function sum(a: OutcomeCounts, b: OutcomeCounts): OutcomeCounts {
  return {
    calls: a.calls + b.calls,
    failures: a.failures + b.failures,
    slowCalls: a.slowCalls + b.slowCalls,
  };
}
