import type { RedisKeys } from './keys.js';
import type { RedisClientLike } from './RedisClientLike.js';

/*
 * The breaker's rules (src/core/stateMachine.ts) as Lua, one script per store operation, so that each decision on
 * the shared state is one atomic round trip. Every script:
 * - takes KEYS[1] = the state hash, KEYS[2] = the trial-permit sorted set, KEYS[3] = the rate rules' window (all
 *   three carry the breaker's hash tag, so they live on one Cluster slot), ARGV[1] = the pub/sub channel, ARGV[2]
 *   = the caller's origin id (ioredis puts the client's keyPrefix on KEYS only, so the channel comes as an
 *   argument, prefixed by the caller: keys.ts);
 * - reads the time from Redis (`TIME`, in ms), so every process judges deadlines on one clock;
 * - deletes whatever it finds in its keys that it did not write, and reads it as missing (bad = 1);
 * - bumps the generation, empties the window and PUBLISHes on every transition;
 * - lets the state hash of a circuit that is not held (isolated, disabled) expire after a day without a write,
 *   plus the open time of an open one: a breaker no process uses any more leaves nothing behind;
 * - replies with a flat array of integers and strings (identical under RESP2 and RESP3):
 *   { redisNow, state, generation, failCounter, openedAt, successCounter, trials, incarnation,
 *     ownFrom, ownReason, flag, bad, attempt, openFor, halfOpenSince, calls, failures, slowCalls }
 *   where ownFrom/ownReason describe the transition THIS call made ('' when none), flag is the operation's
 *   yes/no answer (permit granted, outcome counted), and the last three are the window's figures as the script
 *   judged them (for a rate trip: the window that tripped, emptied right after).
 * The incarnation names one life of the state hash (it changes when the hash is deleted and re-created, e.g. by a
 * flush), so generations are only compared within one incarnation.
 */
const prelude = `
local stateKey, trialsKey, windowKey, channel, origin = KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local names = { closed = true, open = true, ['half-open'] = true, isolated = true, disabled = true }
-- How long the keys of a breaker nobody writes to live on (ms).
local idleTtl = 86400000

local function ms(value)
  return string.format('%d', value)
end

-- The largest integer a JavaScript number holds exactly: the store's parser accepts no more (and Lua reads
-- 'inf' or '1e20' as numbers, which Redis would turn into nonsense integers in the reply).
local maxSafe = 9007199254740991

local function count(value)
  local n = tonumber(value)
  if n and n >= 0 and n <= maxSafe and n == math.floor(n) then return n end
  return nil
end

-- A field an older version of these scripts did not write reads as 0.
local function optional(value)
  if value == false then return 0 end
  return count(value)
end

local function load()
  local st, bad = { s = 'closed', g = 0, f = 0, o = 0, c = 0, i = '', a = 0, p = 0, t = 0 }, 0
  local kind = redis.call('TYPE', stateKey).ok
  if kind == 'hash' then
    local v = redis.call('HMGET', stateKey, 's', 'g', 'f', 'o', 'c', 'i', 'a', 'p', 't')
    local g, f, o, c = count(v[2]), count(v[3]), count(v[4]), count(v[5])
    local a, p, t = optional(v[7]), optional(v[8]), optional(v[9])
    if names[v[1]] and g and f and o and c and a and p and t and type(v[6]) == 'string' and v[6] ~= '' then
      st = { s = v[1], g = g, f = f, o = o, c = c, i = v[6], a = a, p = p, t = t }
    else
      bad = 1
      redis.call('DEL', stateKey, trialsKey, windowKey)
    end
  elseif kind ~= 'none' then
    bad = 1
    redis.call('DEL', stateKey, trialsKey, windowKey)
  end
  kind = redis.call('TYPE', trialsKey).ok
  if kind ~= 'none' and kind ~= 'zset' then
    bad = 1
    redis.call('DEL', trialsKey)
  end
  return st, bad
end

local function save(st)
  if st.i == '' then st.i = ms(now) .. ':' .. origin end
  redis.call('HSET', stateKey, 's', st.s, 'g', st.g, 'f', st.f, 'o', ms(st.o), 'c', st.c, 'i', st.i,
    'a', st.a, 'p', ms(st.p), 't', ms(st.t))
  if st.s == 'isolated' or st.s == 'disabled' then
    redis.call('PERSIST', stateKey)
  elseif st.s == 'open' then
    redis.call('PEXPIRE', stateKey, ms(idleTtl + st.p))
  else
    redis.call('PEXPIRE', stateKey, idleTtl)
  end
end

-- openFor: how long an opening made by this call lasts (the caller evaluated its resetTimeout for it).
local function transition(st, to, reason, openFor)
  local from = st.s
  st.s, st.g, st.c = to, st.g + 1, 0
  if to == 'open' then st.o, st.a, st.p = now, st.a + 1, tonumber(openFor) end
  if to == 'half-open' then st.t = now end
  if to == 'closed' then st.f, st.a = 0, 0 end
  redis.call('DEL', trialsKey, windowKey)
  save(st)
  redis.call('PUBLISH', channel,
    table.concat({ origin, st.i, st.g, to, ms(st.o), st.f, from, reason, st.a, ms(st.p), ms(st.t) }, '|'))
  return { from, reason }
end

-- The open circuit's retry time passed (reset: the live numeric resetTimeout, or '' to use the stored open
-- time), or the half-open circuit outlived maxHalfOpenWait (wait, '' when none): the state moves on by itself.
local function settle(st, reset, wait, openFor)
  if st.s == 'open' then
    local openTime = st.p
    if reset ~= '' then openTime = tonumber(reset) end
    if now >= st.o + openTime then return transition(st, 'half-open', 'reset_timeout') end
  elseif st.s == 'half-open' and wait ~= '' and now >= st.t + tonumber(wait) then
    return transition(st, 'open', 'half_open_timeout', openFor)
  end
  return nil
end


-- The rate rules' window (KEYS[3]), a hash: 'k' names its shape, so that a change of settings starts it afresh.
-- A count window keeps its outcomes oldest first in 'r', one character each ('0' success, '1' failure, '2' slow
-- success, '3' slow failure), at most its size. A time window keeps one field per bucket slot (bucket number mod
-- buckets), 'bucket:calls:failures:slowCalls'; a slot counts while its bucket is less than 'buckets' buckets old.
-- Processes flush their outcomes in batches (see windowArgs); a batch lands in the bucket of Redis's 'now'.

-- The window arguments, ARGV[at] to ARGV[at + 9]: kind ('' when no rate rule is set, 'calls' or 'time'), size
-- (calls, or duration in ms), buckets, minimumCalls, failureRate ('' for none), slowCallRate ('' for none), then
-- the batch: calls, failures, slow calls, and the outcome characters (count windows: oldest first, at most the
-- window's size).
local function windowArgs(at)
  local kind = ARGV[at]
  if kind == nil or kind == '' then return nil end
  return {
    kind = kind, size = tonumber(ARGV[at + 1]), buckets = tonumber(ARGV[at + 2]), shape = kind .. ':' .. ARGV[at + 1] .. ':' .. ARGV[at + 2],
    minimum = tonumber(ARGV[at + 3]), failureRate = tonumber(ARGV[at + 4]), slowRate = tonumber(ARGV[at + 5]),
    calls = count(ARGV[at + 6]) or 0, failures = count(ARGV[at + 7]) or 0, slow = count(ARGV[at + 8]) or 0,
    codes = ARGV[at + 9] or '',
  }
end

local function countCodes(ring)
  local _, failures = string.gsub(ring, '[13]', '')
  local _, slow = string.gsub(ring, '[23]', '')
  return { c = #ring, f = failures, s = slow }
end

-- The live slots of a time window of 'size' ms in 'buckets' buckets at 'now', as { slot = { bucket, calls,
-- failures, slow } }; nil if the data is bad.
local function liveSlots(size, buckets, fields)
  local current = math.floor(now / (size / buckets))
  local slots = {}
  for i = 1, #fields, 2 do
    if fields[i] ~= 'k' then
      local b, c, f, s = string.match(fields[i + 1], '^(%-?%d+):(%d+):(%d+):(%d+)$')
      local slot = tonumber(fields[i])
      if not (b and slot and count(c) and count(f) and count(s)) then return nil end
      b = tonumber(b)
      if current - b < buckets and b <= current then slots[slot] = { b, tonumber(c), tonumber(f), tonumber(s) } end
    end
  end
  return slots
end

-- The window's figures (and its live part: a count window's ring, a time window's live slots), read without
-- writing; its shape comes from 'k'. Given the caller's window arguments 'w', a window of another shape is
-- deleted (the settings changed) and reads as empty. Data this store did not write is deleted too, and reads as
-- empty with bad = 1.
local function readWindow(w)
  local empty = { c = 0, f = 0, s = 0 }
  local kind = redis.call('TYPE', windowKey).ok
  if kind == 'none' then return empty, 0 end
  local fields = kind == 'hash' and redis.call('HGETALL', windowKey) or {}
  local stored = {}
  for i = 1, #fields, 2 do stored[fields[i]] = fields[i + 1] end
  local shape, size, buckets = string.match(stored.k or '', '^(%a+):([^:]+):([^:]*)$')
  size, buckets = tonumber(size), tonumber(buckets)
  local live
  if shape == 'calls' and size then
    live = stored.r or ''
    if string.find(live, '[^0-3]') or #live > size then live = nil end
  elseif shape == 'time' and size and buckets then
    live = liveSlots(size, buckets, fields)
  end
  if live == nil then
    redis.call('DEL', windowKey)
    return empty, 1
  end
  if w and stored.k ~= w.shape then
    redis.call('DEL', windowKey)
    return empty, 0
  end
  if shape == 'calls' then return countCodes(live), 0, live end
  local figures = { c = 0, f = 0, s = 0 }
  for _, v in pairs(live) do
    figures.c, figures.f, figures.s = figures.c + v[2], figures.f + v[3], figures.s + v[4]
  end
  return figures, 0, live
end

-- Adds the batch to the window and returns the figures after it.
local function mergeWindow(w)
  local figures, bad, live = readWindow(w)
  if w.kind == 'calls' then
    local ring = (live or '') .. w.codes
    if #ring > w.size then ring = string.sub(ring, -w.size) end
    redis.call('HSET', windowKey, 'k', w.shape, 'r', ring)
    redis.call('PEXPIRE', windowKey, idleTtl)
    return countCodes(ring), bad
  end
  local current = math.floor(now / (w.size / w.buckets))
  local slot = current % w.buckets
  local v = (live and live[slot]) or { current, 0, 0, 0 }
  v = { ms(current), v[2] + w.calls, v[3] + w.failures, v[4] + w.slow }
  redis.call('HSET', windowKey, 'k', w.shape, slot, table.concat(v, ':'))
  -- Every bucket written so far is out of the window 'size' ms from now.
  redis.call('PEXPIRE', windowKey, math.ceil(w.size) + 1)
  return { c = figures.c + w.calls, f = figures.f + w.failures, s = figures.s + w.slow }, bad
end

-- The rate rule that trips a closed circuit with these figures, if any (the order of the in-memory rules).
local function rateTrip(w, figures)
  if figures.c == 0 or figures.c < w.minimum then return nil end
  if w.failureRate and figures.f / figures.c >= w.failureRate then return 'failure_rate' end
  if w.slowRate and figures.s / figures.c >= w.slowRate then return 'slow_call_rate' end
  return nil
end

-- The failure counter after a batch of outcomes: its 'trailing' failures end it when the batch holds a success
-- before them ('sawSuccess' = '1'), else they add to it. (A failure sent alone is a batch of one: '1', '0'.)
local function countFailures(st, trailing, sawSuccess)
  local failures = count(trailing) or 0
  if sawSuccess == '1' then st.f = failures else st.f = st.f + failures end
end

-- Merges a batch recorded in the closed or disabled state into the window; a closed circuit trips when a rate
-- rule fires. Returns the transition made (or nil) and the figures judged.
local function flushBatch(st, w, openFor)
  if not w then return nil, nil, 0 end
  local figures, bad = mergeWindow(w)
  local reason = st.s == 'closed' and rateTrip(w, figures)
  if reason then return transition(st, 'open', reason, openFor), figures, bad end
  return nil, figures, bad
end

-- figures: the window as the script judged it; when nil, the window as it is now.
local function reply(st, bad, own, flag, figures)
  local trials = 0
  if st.s == 'half-open' then trials = redis.call('ZCOUNT', trialsKey, '(' .. ms(now), '+inf') end
  own = own or { '', '' }
  if not figures then
    local windowBad
    figures, windowBad = readWindow(nil)
    bad = math.max(bad, windowBad)
  end
  return { now, st.s, st.g, st.f, st.o, st.c, trials, st.i, own[1], own[2], flag or 0, bad, st.a, st.p, st.t,
    figures.c, figures.f, figures.s }
end
`;

/*
 * ARGV from ARGV[3] on. `reset` is the numeric resetTimeout ('' for a function: the open time stored at the
 * opening counts), `wait` is maxHalfOpenWait ('' for none), `openFor` is the open time of an opening this call
 * may make (attempt = the shared attempt + 1, as the calling process knows it).
 */
const bodies = {
  /* A full read, for (re)synchronisation. */
  read: `
local st, bad = load()
return reply(st, bad)
`,
  /* ARGV: reset, halfOpenMaxCalls, permitId, permitTtl, wait, openFor. Settles the state first. */
  acquire: `
local st, bad = load()
local own = settle(st, ARGV[3], ARGV[7], ARGV[8])
local granted = 0
if st.s == 'closed' or st.s == 'disabled' then
  granted = 1
elseif st.s == 'half-open' then
  redis.call('ZREMRANGEBYSCORE', trialsKey, '-inf', ms(now))
  if redis.call('ZCARD', trialsKey) < tonumber(ARGV[4]) then
    redis.call('ZADD', trialsKey, ms(now + tonumber(ARGV[6])), ARGV[5])
    local last = redis.call('ZRANGE', trialsKey, -1, -1, 'WITHSCORES')
    redis.call('PEXPIREAT', trialsKey, last[2])
    granted = 1
  end
end
return reply(st, bad, own, granted)
`,
  /* ARGV: generation, permitId. Frees a trial slot whose call ended without an outcome. */
  release: `
local st, bad = load()
if st.s == 'half-open' and st.g == tonumber(ARGV[3]) then redis.call('ZREM', trialsKey, ARGV[4]) end
return reply(st, bad)
`,
  /*
   * ARGV: generation, successThreshold, permitId ('' for a closed-state permit). In the closed state it resets the
   * failure counter (with a rate rule the store sends closed-state successes in its batches instead).
   */
  success: `
local st, bad = load()
local own, counted = nil, 0
if st.g == tonumber(ARGV[3]) then
  if st.s == 'closed' or st.s == 'disabled' then
    counted = 1
    if st.f ~= 0 then
      st.f = 0
      save(st)
    end
  elseif st.s == 'half-open' then
    counted = 1
    redis.call('ZREM', trialsKey, ARGV[5])
    st.f, st.c = 0, st.c + 1
    if st.c >= tonumber(ARGV[4]) then own = transition(st, 'closed', 'trial_success') else save(st) end
  end
end
return reply(st, bad, own, counted)
`,
  /*
   * ARGV: generation, failMax ('' for none), openFor, trailing, sawSuccess, then the window arguments from ARGV[8]
   * (the batch, this failure last; '1', '0', '' for a failure sent alone). Counts and trips in one step, so
   * concurrent failures trip exactly once. A disabled circuit counts and never trips.
   */
  failure: `
local st, bad = load()
local own, counted, figures, windowBad = nil, 0, nil, 0
local counts = st.s == 'closed' or st.s == 'disabled' or st.s == 'half-open'
if st.g == tonumber(ARGV[3]) and counts then
  counted = 1
  countFailures(st, ARGV[6], ARGV[7])
  if st.s == 'half-open' then
    own = transition(st, 'open', 'trial_failure', ARGV[5])
  elseif st.s == 'closed' and ARGV[4] ~= '' and st.f >= tonumber(ARGV[4]) then
    own = transition(st, 'open', 'failure_threshold', ARGV[5])
  else
    save(st)
    own, figures, windowBad = flushBatch(st, windowArgs(8), ARGV[5])
  end
end
return reply(st, math.max(bad, windowBad), own, counted, figures)
`,
  /*
   * ARGV: generation, openFor, trailing, sawSuccess, then the window arguments from ARGV[7]: a batch of outcomes
   * recorded in the closed or disabled state, merged into the window, and judged by the rate rules; it moves the
   * failure counter too (see countFailures).
   */
  flush: `
local st, bad = load()
local own, counted, figures, windowBad = nil, 0, nil, 0
if st.g == tonumber(ARGV[3]) and (st.s == 'closed' or st.s == 'disabled') then
  counted = 1
  countFailures(st, ARGV[5], ARGV[6])
  save(st)
  own, figures, windowBad = flushBatch(st, windowArgs(7), ARGV[4])
end
return reply(st, math.max(bad, windowBad), own, counted, figures)
`,
  /* ARGV: reset, wait, openFor. Moves the state on once Redis's clock has passed the shared deadline. */
  settle: `
local st, bad = load()
local own = settle(st, ARGV[3], ARGV[4], ARGV[5])
return reply(st, bad, own)
`,
  /* ARGV: the target state, openFor. A manual transition always happens. */
  force: `
local st, bad = load()
if not names[ARGV[3]] then return redis.error_reply('rxcb: unknown state ' .. tostring(ARGV[3])) end
local own = transition(st, ARGV[3], 'manual', ARGV[4])
return reply(st, bad, own)
`,
};

/** The store operations that run a script. */
export type ScriptName = keyof typeof bodies;

/** Namespaced and versioned, because the commands are defined on the user's client (and a change of any script
 * needs a new version, since two copies of this library may share one client). */
const commandNames: Record<ScriptName, string> = {
  read: 'rxcbReadV4',
  acquire: 'rxcbAcquireV4',
  release: 'rxcbReleaseV4',
  success: 'rxcbSuccessV4',
  failure: 'rxcbFailureV4',
  flush: 'rxcbFlushV4',
  settle: 'rxcbSettleV4',
  force: 'rxcbForceV4',
};

type ScriptCommand = (...args: (string | number)[]) => PromiseLike<unknown>;

const defined = new WeakSet<RedisClientLike>();

/** Defines the scripts on `client` (once per client). ioredis then sends EVALSHA, falling back to EVAL. */
export function defineScripts(client: RedisClientLike): void {
  if (defined.has(client)) return;
  for (const [script, name] of Object.entries(commandNames)) {
    client.defineCommand(name, { numberOfKeys: 3, lua: prelude + bodies[script as ScriptName] });
  }
  defined.add(client);
}

/** Runs one script on the keys of one breaker. */
export function runScript(
  client: RedisClientLike,
  script: ScriptName,
  keys: RedisKeys,
  origin: string,
  args: readonly (string | number)[],
): PromiseLike<unknown> {
  const command = (client as unknown as Record<string, ScriptCommand>)[commandNames[script]];
  if (typeof command !== 'function') {
    return Promise.reject(new TypeError(`the client lost its ${commandNames[script]} command`));
  }
  return command.call(client, keys.state, keys.trials, keys.window, keys.channel, origin, ...args);
}
