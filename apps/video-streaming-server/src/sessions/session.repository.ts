import { Inject, Injectable } from '@nestjs/common';
import type { TelemetryEvent, TimelineEntry } from '@app/contracts';
import { REDIS_CLIENT } from '@app/redis';
import type Redis from 'ioredis';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';

// Key layout (all soft state; the business truth lives in user-management's database):
//   vss:liveness                     zset  member "<room>/<identity>", score = last heartbeat (ms)
//   vss:session:<room>/<identity>    hash  status active|abandoned|ended, livekit joined|left, times
//   vss:room:<room>                  set   identities with a session in the room
//   vss:rooms                        set   rooms with sessions (for reconciliation)
//   vss:timeline:<room>/<identity>   stream, capped in entries and bytes (R-R5)
//   vss:reaper:pending               zset  claimed zombies whose cleanup has not finished
//   vss:ratelimit:events:<room>/<identity>  hash  token bucket for client events
//   vss:reaper:hold_until, vss:reaper:redis_run_id   reaper holds (ReaperService)
//   vss:reconcile:lock               string  one reconciling replica at a time (ReconciliationService)
//   bull:vss-livekit-events:*, bull:vss-interview-status:*   BullMQ's own keys for the two queues
//   vss:recording*:*, bull:vss-recording-*:*   recordings: listed in recordings/recording.repository.ts
// Every key the media plane writes is named here, so one look shows its whole footprint in Redis.
// Per-session keys (hash, timeline, room set) live while the session is active and expire the
// retention period after it ends; a reopened session drops the expiry again. vss:rooms only holds
// rooms with an active session (reconciliation prunes the rest), so it stays as small as the live set.
//
// Ordering: LiveKit webhooks arrive late, twice, out of order and are applied concurrently, and a
// reconciliation snapshot can be older than what it is compared with. So every change is a Lua
// compare-and-set on the session's times (ms):
//   epoch        latest (re)join: the latest open, or the join time of the latest connection seen
//   livekitConn  join time of the LiveKit connection the presence fields describe
// An end applies only when strictly newer than the epoch; a "left" only for the known connection or
// a newer one and not older than the epoch; a "joined" only for a newer connection than the known one.
export const VSS_KEYS = {
  liveness: 'vss:liveness',
  pending: 'vss:reaper:pending',
  rooms: 'vss:rooms',
  session: (member: string) => `vss:session:${member}`,
  room: (room: string) => `vss:room:${room}`,
  timeline: (member: string) => `vss:timeline:${member}`,
  eventBudget: (member: string) => `vss:ratelimit:events:${member}`,
  reaperHoldUntil: 'vss:reaper:hold_until',
  reaperRedisRunId: 'vss:reaper:redis_run_id',
  reconcileLock: 'vss:reconcile:lock',
};
const K = VSS_KEYS;

export const sessionMember = (room: string, identity: string) => `${room}/${identity}`;
export function parseMember(member: string): { room: string; identity: string } {
  const slash = member.indexOf('/');
  return { room: member.slice(0, slash), identity: member.slice(slash + 1) };
}

export type SessionStatus = 'active' | 'abandoned' | 'ended';
export interface SessionState {
  room: string;
  identity: string;
  status: SessionStatus;
  livekit?: 'joined' | 'left';
  role?: string;
  org?: string;
  createdAt: number;
  /** Latest (re)join (ms): events older than this cannot end or alter the session. */
  epoch?: number;
  lastHeartbeatAt?: number;
  endedAt?: number;
  endReason?: string;
}

/** A session that an end of its room ended (for reporting it onwards). */
export interface EndedSession {
  room: string;
  identity: string;
  role?: string;
  org?: string;
}

export type EventBudget = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface SessionSubject {
  room: string;
  identity: string;
  role?: string;
  org?: string;
}

export type HeartbeatResult = 'alive' | 'ended';

// Upserts the session (Redis may have lost it: it is soft state), refuses ended sessions, and
// refreshes liveness, all in one round trip. Exported for the heartbeat benchmark's baseline.
export const HEARTBEAT_SCRIPT = `
local status = redis.call('HGET', KEYS[2], 'status')
if status == 'abandoned' or status == 'ended' then return 0 end
if not status then
  redis.call('HSET', KEYS[2], 'room', ARGV[3], 'identity', ARGV[4], 'status', 'active', 'createdAt', ARGV[2], 'epoch', ARGV[2], 'role', ARGV[5], 'org', ARGV[6])
  redis.call('PERSIST', KEYS[3])
  redis.call('SADD', KEYS[3], ARGV[4])
  redis.call('SADD', KEYS[4], ARGV[3])
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], 'lastHeartbeatAt', ARGV[2])
return 1`;

// Opening (again) makes an ended session active: a candidate who rejoins gets a fresh start. The
// epoch moves to now (never back), so events from before this (re)join cannot end it; the keys lose
// the expiry an earlier end gave them. Returns the epoch.
const OPEN = `
local epoch = math.max(tonumber(redis.call('HGET', KEYS[2], 'epoch') or '0') or 0, tonumber(ARGV[2]))
redis.call('HSET', KEYS[2], 'room', ARGV[3], 'identity', ARGV[4], 'status', 'active', 'createdAt', ARGV[2], 'epoch', string.format('%.0f', epoch), 'lastHeartbeatAt', ARGV[2], 'role', ARGV[5], 'org', ARGV[6])
redis.call('HDEL', KEYS[2], 'endedAt', 'endReason', 'reapNoted')
redis.call('PERSIST', KEYS[2])
redis.call('PERSIST', KEYS[3])
redis.call('PERSIST', KEYS[5])
redis.call('SADD', KEYS[3], ARGV[4])
redis.call('SADD', KEYS[4], ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return string.format('%.0f', epoch)`;

// LiveKit presence, applied only when not older than what the session already knows (see the
// ordering note above). ARGV: room, identity, joined|left, event time, connection join time.
// A "joined" for an unknown session creates it (participants we did not mint telemetry for); a
// "left" for one is dropped. Returns 1 when applied, 0 when stale.
const PRESENCE = `
local cur = redis.call('HMGET', KEYS[1], 'status', 'epoch', 'livekitConn')
local at, conn = tonumber(ARGV[4]), tonumber(ARGV[5])
if not cur[1] then
  if ARGV[3] ~= 'joined' then return 0 end
  redis.call('HSET', KEYS[1], 'room', ARGV[1], 'identity', ARGV[2], 'status', 'active', 'createdAt', ARGV[4], 'epoch', ARGV[5])
  redis.call('PERSIST', KEYS[2])
  redis.call('SADD', KEYS[2], ARGV[2])
  redis.call('SADD', KEYS[3], ARGV[1])
else
  local epoch = tonumber(cur[2]) or 0
  local known = tonumber(cur[3])
  if ARGV[3] == 'joined' then
    if known and conn <= known then return 0 end
    if conn > epoch then redis.call('HSET', KEYS[1], 'epoch', ARGV[5]) end
  else
    if known and conn < known then return 0 end
    if math.max(at, conn) < epoch then return 0 end
  end
end
redis.call('HSET', KEYS[1], 'livekit', ARGV[3], 'livekitAt', ARGV[4], 'livekitConn', ARGV[5], 'livekit_' .. ARGV[3] .. '_at', ARGV[4])
return 1`;

// Ends the room's active sessions that are strictly older than ARGV[2] (an end time of -1 ends none:
// it only tidies), puts every ended session's keys on the retention clock, forgets members whose
// keys already expired, and, when no session of the room is active any more, lets the room set
// expire and drops the room from vss:rooms. A member that joined the set after the caller read it
// counts as active. KEYS: room set, rooms, liveness, then session and timeline per member.
// ARGV: room, end time, reason, retention (s), n, n identities, n members.
// Returns the ended sessions as a flat list: identity, role, org, ...
const SETTLE_ROOM = `
local at, retention, n = tonumber(ARGV[2]), tonumber(ARGV[4]), tonumber(ARGV[5])
local ended, listed, busy = {}, {}, false
local function retain(key)
  if redis.call('TTL', key) == -1 then redis.call('EXPIRE', key, retention) end
end
for i = 1, n do
  local session, timeline = KEYS[2 + 2 * i], KEYS[3 + 2 * i]
  local identity, member = ARGV[5 + i], ARGV[5 + n + i]
  listed[identity] = true
  local cur = redis.call('HMGET', session, 'status', 'epoch', 'role', 'org')
  if not cur[1] then
    redis.call('SREM', KEYS[1], identity)
  elseif cur[1] == 'active' and at > (tonumber(cur[2]) or 0) then
    redis.call('HSET', session, 'status', 'ended', 'endedAt', ARGV[2], 'endReason', ARGV[3], 'livekit', 'left')
    redis.call('ZREM', KEYS[3], member)
    redis.call('EXPIRE', session, retention)
    redis.call('EXPIRE', timeline, retention)
    table.insert(ended, identity)
    table.insert(ended, cur[3] or '')
    table.insert(ended, cur[4] or '')
  elseif cur[1] == 'active' then
    busy = true
  else
    retain(session)
    retain(timeline)
  end
end
for _, identity in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if not listed[identity] then busy = true end
end
if not busy then
  retain(KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[1])
end
return ended`;

// Appends client events to the timeline, then drops the oldest entries until it holds at most
// ARGV[1] entries and ARGV[2] bytes (field names plus values; the newest entry always stays). The
// byte count lives in the session hash; the stream never outlives the hash (same expiry).
// ARGV: max entries, max bytes, then per entry its field count and fields. Returns -1 when there is
// no such session, else the entries kept.
const APPEND_TIMELINE = `
if redis.call('EXISTS', KEYS[2]) == 0 then return -1 end
local maxEntries, maxBytes = tonumber(ARGV[1]), tonumber(ARGV[2])
local bytes = 0
if redis.call('EXISTS', KEYS[1]) == 1 then
  local counted = redis.call('HGET', KEYS[2], 'timelineBytes')
  if counted then
    bytes = tonumber(counted) or 0
  else
    -- A timeline written before bytes were counted: count it once.
    local from = '-'
    repeat
      local batch = redis.call('XRANGE', KEYS[1], from, '+', 'COUNT', 100)
      for _, entry in ipairs(batch) do
        for _, v in ipairs(entry[2]) do bytes = bytes + #v end
      end
      if #batch > 0 then from = '(' .. batch[#batch][1] end
    until #batch < 100
  end
end
local i = 3
while i <= #ARGV do
  local count, fields, size = tonumber(ARGV[i]), {}, 0
  for j = i + 1, i + count do
    fields[#fields + 1] = ARGV[j]
    size = size + #ARGV[j]
  end
  redis.call('XADD', KEYS[1], '*', unpack(fields))
  bytes = bytes + size
  i = i + count + 1
end
local len = redis.call('XLEN', KEYS[1])
local overCount = len - maxEntries
local drop, freed, from = 0, 0, '-'
while drop < len - 1 and (drop < overCount or bytes - freed > maxBytes) do
  local batch = redis.call('XRANGE', KEYS[1], from, '+', 'COUNT', 100)
  if #batch == 0 then break end
  for _, entry in ipairs(batch) do
    if not (drop < len - 1 and (drop < overCount or bytes - freed > maxBytes)) then break end
    for _, v in ipairs(entry[2]) do freed = freed + #v end
    drop = drop + 1
  end
  from = '(' .. batch[#batch][1]
end
if drop > 0 then redis.call('XTRIM', KEYS[1], 'MAXLEN', len - drop) end
redis.call('HSET', KEYS[2], 'timelineBytes', math.max(0, bytes - freed))
local ttl = redis.call('PTTL', KEYS[2])
if ttl > 0 then redis.call('PEXPIRE', KEYS[1], ttl) end
return len - drop`;

// A token bucket per session for client events: refills at ARGV[2] per second up to ARGV[3]; a
// request takes ARGV[4] tokens or, when there are not enough, none. The key expires once the bucket
// would be full again. Returns {1, 0} when allowed, {0, ms until enough tokens} when not.
const TAKE_EVENT_BUDGET = `
local now, rate, burst, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(b[1]) or burst, tonumber(b[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
if tokens < cost then return {0, math.ceil((cost - tokens) * 1000 / rate)} end
tokens = tokens - cost
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return {1, 0}`;

// Claims up to ARGV[2] sessions whose last heartbeat is at or before ARGV[1], plus pending claims
// older than ARGV[4] (a reaper died mid-cleanup). Claimed members leave the liveness set in the
// same atomic step, so two reapers can never claim the same session.
const CLAIM = `
local claimed = {}
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, m in ipairs(expired) do
  redis.call('ZREM', KEYS[1], m)
  redis.call('ZADD', KEYS[2], ARGV[3], m)
  table.insert(claimed, m)
end
local stuck = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[4], 'LIMIT', 0, tonumber(ARGV[2]))
for _, m in ipairs(stuck) do
  redis.call('ZADD', KEYS[2], ARGV[3], m)
  table.insert(claimed, m)
end
return claimed`;

// The reaper's atomic "still a zombie? then it is abandoned now" step, run for claimed members
// right before any side effect (R-H2). For each member it re-checks liveness (a heartbeat after
// the claim put the member back in vss:liveness) and marks the session `abandoned` BEFORE the
// participant is removed from the room: from this point the heartbeat script refuses the session
// (410), so a heartbeat can no longer land between the check and the removal and leave a kicked
// participant "alive". The member stays in vss:reaper:pending until FINISH_REAP; a side effect
// that fails is retried from there by a later pass, which finds the session already abandoned (2)
// and resumes. Keys of the ended session expire after the retention period. One call covers a
// whole claimed batch (one round trip instead of one per zombie).
// KEYS: liveness, pending, then per member its session hash and timeline. ARGV: now, reason,
// retention seconds, then the members. Returns per member {1|2|0|-1, role, endedAt}: 1 abandoned
// by this call, 2 abandoned earlier and its cleanup not finished (resume), 0 ended some other way
// (nothing to do), -1 alive again.
const ABANDON = `
local out = {}
for i = 4, #ARGV do
  local m = ARGV[i]
  local session = KEYS[(i - 4) * 2 + 3]
  local timeline = KEYS[(i - 4) * 2 + 4]
  local status = redis.call('HGET', session, 'status')
  if redis.call('ZSCORE', KEYS[1], m) then
    redis.call('ZREM', KEYS[2], m)
    table.insert(out, {-1, '', ''})
  elseif status == 'abandoned' then
    table.insert(out, {2, redis.call('HGET', session, 'role') or '', redis.call('HGET', session, 'endedAt') or ARGV[1]})
  elseif status ~= 'active' then
    redis.call('ZREM', KEYS[2], m)
    table.insert(out, {0, '', ''})
  else
    redis.call('HSET', session, 'status', 'abandoned', 'endedAt', ARGV[1], 'endReason', ARGV[2])
    redis.call('EXPIRE', session, ARGV[3])
    redis.call('EXPIRE', timeline, ARGV[3])
    table.insert(out, {1, redis.call('HGET', session, 'role') or '', ARGV[1]})
  end
end
return out`;

// The reaper's last step for members whose side effects are done: one timeline entry each (once,
// even when two passes finish the same member), out of the pending set, keys on their retention
// clock. KEYS: pending, then per member its session hash and timeline. ARGV: max timeline
// entries, now, message, retention seconds, then the members.
const FINISH_REAP = `
for i = 5, #ARGV do
  local session = KEYS[(i - 5) * 2 + 2]
  local timeline = KEYS[(i - 5) * 2 + 3]
  if redis.call('HGET', session, 'status') == 'abandoned' and redis.call('HSETNX', session, 'reapNoted', '1') == 1 then
    redis.call('XADD', timeline, 'MAXLEN', '~', ARGV[1], '*', 'type', 'session', 'receivedAt', ARGV[2], 'message', ARGV[3])
  end
  redis.call('ZREM', KEYS[1], ARGV[i])
  redis.call('EXPIRE', session, ARGV[4])
  redis.call('EXPIRE', timeline, ARGV[4])
end
return 1`;

export type AbandonOutcome =
  | { outcome: 'abandoned'; role: string | undefined; endedAt: number }
  | { outcome: 'resume'; role: string | undefined; endedAt: number }
  | { outcome: 'already-ended' }
  | { outcome: 'alive' };

@Injectable()
export class SessionRepository {
  private readonly maxTimeline: number;
  private readonly timelineBudget: VideoStreamingServerConfig['timeline'];
  private readonly retentionSeconds: number;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(VSS_CONFIG) config: VideoStreamingServerConfig,
  ) {
    this.maxTimeline = config.timeline.maxEntries;
    this.timelineBudget = config.timeline;
    this.retentionSeconds = config.retention.sessionSeconds;
    this.redis.defineCommand('vssHeartbeat', { numberOfKeys: 4, lua: HEARTBEAT_SCRIPT });
    this.redis.defineCommand('vssOpen', { numberOfKeys: 5, lua: OPEN });
    this.redis.defineCommand('vssPresence', { numberOfKeys: 3, lua: PRESENCE });
    // Keys vary with the room's size: the caller passes their count first.
    this.redis.defineCommand('vssSettleRoom', { lua: SETTLE_ROOM });
    this.redis.defineCommand('vssAppendTimeline', { numberOfKeys: 2, lua: APPEND_TIMELINE });
    this.redis.defineCommand('vssTakeEventBudget', { numberOfKeys: 1, lua: TAKE_EVENT_BUDGET });
    this.redis.defineCommand('vssClaim', { numberOfKeys: 2, lua: CLAIM });
    // The reaper's batch scripts take a variable number of keys (numkeys comes first).
    this.redis.defineCommand('vssAbandon', { lua: ABANDON });
    this.redis.defineCommand('vssFinishReap', { lua: FINISH_REAP });
  }

  private keysFor(room: string, identity: string): string[] {
    const member = sessionMember(room, identity);
    return [K.liveness, K.session(member), K.room(room), K.rooms];
  }

  /** Opens or reopens the session; returns its new epoch (ms). */
  async open(subject: SessionSubject, now: number): Promise<number> {
    const member = sessionMember(subject.room, subject.identity);
    const epoch = await this.command(
      'vssOpen',
      ...this.keysFor(subject.room, subject.identity),
      K.timeline(member),
      member,
      now,
      subject.room,
      subject.identity,
      subject.role ?? '',
      subject.org ?? '',
    );
    return Number(epoch);
  }

  async heartbeat(subject: SessionSubject, now: number): Promise<HeartbeatResult> {
    const member = sessionMember(subject.room, subject.identity);
    const result = await this.command(
      'vssHeartbeat',
      ...this.keysFor(subject.room, subject.identity),
      member,
      now,
      subject.room,
      subject.identity,
      subject.role ?? '',
      subject.org ?? '',
    );
    return result === 1 ? 'alive' : 'ended';
  }

  async claimExpired(cutoff: number, limit: number, now: number, retryPendingBefore: number): Promise<string[]> {
    return (await this.command('vssClaim', K.liveness, K.pending, cutoff, limit, now, retryPendingBefore)) as string[];
  }

  /** The reaper's claim for action on claimed members; see ABANDON. Call before any side effect. */
  async abandon(members: readonly string[], now: number, reason: string): Promise<AbandonOutcome[]> {
    if (members.length === 0) return [];
    const keys = members.flatMap((m) => [K.session(m), K.timeline(m)]);
    const rows = (await this.command(
      'vssAbandon',
      keys.length + 2,
      K.liveness,
      K.pending,
      ...keys,
      now,
      reason,
      this.retentionSeconds,
      ...members,
    )) as Array<[number, string, string]>;
    return rows.map(([code, role, endedAt]): AbandonOutcome => {
      if (code === 1) return { outcome: 'abandoned', role: role || undefined, endedAt: Number(endedAt) };
      if (code === 2) return { outcome: 'resume', role: role || undefined, endedAt: Number(endedAt) };
      return { outcome: code === 0 ? 'already-ended' : 'alive' };
    });
  }

  /** After the side effects of an abandon: the timeline entries (once) and out of the pending set. */
  async finishClaim(members: readonly string[], now: number, message: string): Promise<void> {
    if (members.length === 0) return;
    const keys = members.flatMap((m) => [K.session(m), K.timeline(m)]);
    await this.command(
      'vssFinishReap',
      keys.length + 1,
      K.pending,
      ...keys,
      this.maxTimeline,
      now,
      message,
      this.retentionSeconds,
      ...members,
    );
  }

  /** Newest heartbeat score and how many sessions are tracked (O(log N)). */
  async livenessSummary(): Promise<{ newest: number | undefined; count: number }> {
    const [newest, count] = await Promise.all([
      this.redis.zrevrange(K.liveness, 0, 0, 'WITHSCORES'),
      this.redis.zcard(K.liveness),
    ]);
    return { newest: newest.length === 2 ? Number(newest[1]) : undefined, count };
  }

  async get(room: string, identity: string): Promise<SessionState | undefined> {
    const hash = await this.redis.hgetall(K.session(sessionMember(room, identity)));
    return hash.status ? toState(hash) : undefined;
  }

  /**
   * Applies LiveKit presence seen at `at` (ms) for the connection that joined at `connectedAt` (ms;
   * when unknown, the event time stands for it). Returns false when it was older than what the session
   * knows and changed nothing.
   */
  async setLiveKitPresence(
    room: string,
    identity: string,
    presence: 'joined' | 'left',
    at: number,
    connectedAt: number = at,
  ): Promise<boolean> {
    const result = await this.command(
      'vssPresence',
      K.session(sessionMember(room, identity)),
      K.room(room),
      K.rooms,
      room,
      identity,
      presence,
      Math.trunc(at),
      Math.trunc(connectedAt),
    );
    return result === 1;
  }

  /**
   * Ends the room's sessions that (re)joined before `at` (ms): LiveKit finished the room, or a
   * snapshot taken at `at` no longer lists it. Sessions (re)joined since are left alone.
   */
  async endRoom(room: string, at: number, reason: string): Promise<EndedSession[]> {
    return this.settleRoom(room, Math.trunc(at), reason);
  }

  /**
   * Ends the room like endRoom and returns every session of the room that is no longer active,
   * not only those this call ended: a retried room-end job finds its sessions already ended by the
   * first attempt, and what happens next (reporting interviews) must still see them. Consumers must
   * be idempotent per session.
   */
  async endRoomForReport(room: string, at: number, reason: string): Promise<EndedSession[]> {
    const ended = await this.endRoom(room, at, reason);
    if (ended.length > 0) return ended;
    return (await this.sessionsInRoom(room))
      .filter((s) => s.status !== 'active')
      .map(({ identity, role, org }) => ({ room, identity, role, org }));
  }

  /** Forgets expired members and, when none of its sessions is active, releases the room. */
  async tidyRoom(room: string): Promise<void> {
    await this.settleRoom(room, -1, '');
  }

  private async settleRoom(room: string, at: number, reason: string): Promise<EndedSession[]> {
    const identities = await this.redis.smembers(K.room(room));
    const members = identities.map((identity) => sessionMember(room, identity));
    const flat = (await this.command(
      'vssSettleRoom',
      identities.length * 2 + 3,
      K.room(room),
      K.rooms,
      K.liveness,
      ...members.flatMap((member) => [K.session(member), K.timeline(member)]),
      room,
      at,
      reason,
      this.retentionSeconds,
      identities.length,
      ...identities,
      ...members,
    )) as string[];
    const ended: EndedSession[] = [];
    for (let i = 0; i < flat.length; i += 3) {
      ended.push({ room, identity: flat[i], role: flat[i + 1] || undefined, org: flat[i + 2] || undefined });
    }
    return ended;
  }

  async knownRooms(): Promise<string[]> {
    return this.redis.smembers(K.rooms);
  }

  async sessionsInRoom(room: string): Promise<SessionState[]> {
    const identities = await this.redis.smembers(K.room(room));
    const states = await Promise.all(identities.map((identity) => this.get(room, identity)));
    return states.filter((s): s is SessionState => s !== undefined);
  }

  /**
   * Takes `count` tokens from the session's client-event bucket, or none when there are not enough
   * (then says how long until there are).
   */
  async takeEventBudget(room: string, identity: string, count: number, now: number): Promise<EventBudget> {
    const { eventsPerSecond, eventsBurst } = this.timelineBudget;
    const [allowed, retryAfterMs] = (await this.command(
      'vssTakeEventBudget',
      K.eventBudget(sessionMember(room, identity)),
      now,
      eventsPerSecond,
      eventsBurst,
      count,
    )) as [number, number];
    return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterMs };
  }

  /** Appends to the capped timeline; returns false when the session is unknown (nothing written). */
  async appendTimeline(room: string, identity: string, events: TelemetryEvent[], receivedAt: number): Promise<boolean> {
    const member = sessionMember(room, identity);
    const encoded: string[] = [];
    for (const event of events) {
      const fields = ['type', event.type, 'receivedAt', String(receivedAt), 'message', event.message];
      if (event.level) fields.push('level', event.level);
      if (event.at) fields.push('at', event.at);
      if (event.data) fields.push('data', JSON.stringify(event.data));
      encoded.push(String(fields.length), ...fields);
    }
    const kept = await this.command(
      'vssAppendTimeline',
      K.timeline(member),
      K.session(member),
      this.timelineBudget.maxEntries,
      this.timelineBudget.maxBytes,
      ...encoded,
    );
    return kept !== -1;
  }

  async timeline(room: string, identity: string, limit: number): Promise<TimelineEntry[]> {
    const rows = await this.redis.xrevrange(K.timeline(sessionMember(room, identity)), '+', '-', 'COUNT', limit);
    return rows.reverse().map(([id, flat]) => {
      const f: Record<string, string> = {};
      for (let i = 0; i < flat.length; i += 2) f[flat[i]] = flat[i + 1];
      return {
        id,
        type: f.type as TimelineEntry['type'],
        receivedAt: new Date(Number(f.receivedAt)).toISOString(),
        message: f.message ?? '',
        ...(f.level ? { level: f.level } : {}),
        ...(f.at ? { at: f.at } : {}),
        ...(f.data ? { data: JSON.parse(f.data) } : {}),
      };
    });
  }

  private command(name: string, ...args: Array<string | number>): Promise<unknown> {
    return (this.redis as unknown as Record<string, (...a: Array<string | number>) => Promise<unknown>>)[name](...args);
  }
}

function toState(hash: Record<string, string>): SessionState {
  const num = (v: string | undefined) => (v ? Number(v) : undefined);
  return {
    room: hash.room,
    identity: hash.identity,
    status: hash.status as SessionStatus,
    livekit: (hash.livekit as SessionState['livekit']) || undefined,
    role: hash.role || undefined,
    org: hash.org || undefined,
    createdAt: Number(hash.createdAt),
    epoch: num(hash.epoch),
    lastHeartbeatAt: num(hash.lastHeartbeatAt),
    endedAt: num(hash.endedAt),
    endReason: hash.endReason || undefined,
  };
}
