import type { RedisKeys } from './keys.js';
import type { RedisClientLike } from './RedisClientLike.js';

/*
 * The breaker's rules (src/core/stateMachine.ts) as Lua, one script per store operation, so that each decision on
 * the shared state is one atomic round trip. Every script:
 * - takes KEYS[1] = the state hash, KEYS[2] = the trial-permit sorted set (both carry the breaker's hash tag, so
 *   they live on one Cluster slot), ARGV[1] = the pub/sub channel, ARGV[2] = the caller's origin id (ioredis puts
 *   the client's keyPrefix on KEYS only, so the channel comes as an argument, prefixed by the caller: keys.ts);
 * - reads the time from Redis (`TIME`, in ms), so every process judges deadlines on one clock;
 * - deletes whatever it finds in its keys that it did not write, and reads it as missing (bad = 1);
 * - bumps the generation and PUBLISHes on every transition;
 * - replies with a flat array of integers and strings (identical under RESP2 and RESP3):
 *   { redisNow, state, generation, failCounter, openedAt, successCounter, trials, incarnation,
 *     ownFrom, ownReason, flag, bad, attempt, openFor, halfOpenSince }
 *   where ownFrom/ownReason describe the transition THIS call made ('' when none) and flag is the operation's
 *   yes/no answer (permit granted, outcome counted).
 * The incarnation names one life of the state hash (it changes when the hash is deleted and re-created, e.g. by a
 * flush), so generations are only compared within one incarnation.
 */
const prelude = `
local stateKey, trialsKey, channel, origin = KEYS[1], KEYS[2], ARGV[1], ARGV[2]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local names = { closed = true, open = true, ['half-open'] = true, isolated = true, disabled = true }

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
      redis.call('DEL', stateKey, trialsKey)
    end
  elseif kind ~= 'none' then
    bad = 1
    redis.call('DEL', stateKey, trialsKey)
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
end

-- openFor: how long an opening made by this call lasts (the caller evaluated its resetTimeout for it).
local function transition(st, to, reason, openFor)
  local from = st.s
  st.s, st.g, st.c = to, st.g + 1, 0
  if to == 'open' then st.o, st.a, st.p = now, st.a + 1, tonumber(openFor) end
  if to == 'half-open' then st.t = now end
  if to == 'closed' then st.f, st.a = 0, 0 end
  redis.call('DEL', trialsKey)
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

local function reply(st, bad, own, flag)
  local trials = 0
  if st.s == 'half-open' then trials = redis.call('ZCOUNT', trialsKey, '(' .. ms(now), '+inf') end
  own = own or { '', '' }
  return { now, st.s, st.g, st.f, st.o, st.c, trials, st.i, own[1], own[2], flag or 0, bad, st.a, st.p, st.t }
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
  /* ARGV: generation, successThreshold, permitId ('' for a closed-state permit). */
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
   * ARGV: generation, failMax ('' for none), openFor. Increments and trips in one step, so concurrent failures
   * trip exactly once. A disabled circuit counts and never trips.
   */
  failure: `
local st, bad = load()
local own, counted = nil, 0
local counts = st.s == 'closed' or st.s == 'disabled' or st.s == 'half-open'
if st.g == tonumber(ARGV[3]) and counts then
  counted = 1
  st.f = st.f + 1
  if st.s == 'half-open' then
    own = transition(st, 'open', 'trial_failure', ARGV[5])
  elseif st.s == 'closed' and ARGV[4] ~= '' and st.f >= tonumber(ARGV[4]) then
    own = transition(st, 'open', 'failure_threshold', ARGV[5])
  else
    save(st)
  end
end
return reply(st, bad, own, counted)
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
  read: 'rxcbReadV3',
  acquire: 'rxcbAcquireV3',
  release: 'rxcbReleaseV3',
  success: 'rxcbSuccessV3',
  failure: 'rxcbFailureV3',
  settle: 'rxcbSettleV3',
  force: 'rxcbForceV3',
};

type ScriptCommand = (...args: (string | number)[]) => PromiseLike<unknown>;

const defined = new WeakSet<RedisClientLike>();

/** Defines the scripts on `client` (once per client). ioredis then sends EVALSHA, falling back to EVAL. */
export function defineScripts(client: RedisClientLike): void {
  if (defined.has(client)) return;
  for (const [script, name] of Object.entries(commandNames)) {
    client.defineCommand(name, { numberOfKeys: 2, lua: prelude + bodies[script as ScriptName] });
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
  return command.call(client, keys.state, keys.trials, keys.channel, origin, ...args);
}
