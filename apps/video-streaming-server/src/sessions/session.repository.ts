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
//   vss:timeline:<room>/<identity>   stream, capped (R-R5)
//   vss:reaper:pending               zset  claimed zombies whose cleanup has not finished
const K = {
  liveness: 'vss:liveness',
  pending: 'vss:reaper:pending',
  rooms: 'vss:rooms',
  session: (member: string) => `vss:session:${member}`,
  room: (room: string) => `vss:room:${room}`,
  timeline: (member: string) => `vss:timeline:${member}`,
};

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
  lastHeartbeatAt?: number;
  endedAt?: number;
  endReason?: string;
}

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
  redis.call('HSET', KEYS[2], 'room', ARGV[3], 'identity', ARGV[4], 'status', 'active', 'createdAt', ARGV[2], 'role', ARGV[5], 'org', ARGV[6])
  redis.call('SADD', KEYS[3], ARGV[4])
  redis.call('SADD', KEYS[4], ARGV[3])
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[2], 'lastHeartbeatAt', ARGV[2])
return 1`;

// Opening (again) makes an ended session active: a candidate who rejoins gets a fresh start.
const OPEN = `
redis.call('HSET', KEYS[2], 'room', ARGV[3], 'identity', ARGV[4], 'status', 'active', 'createdAt', ARGV[2], 'lastHeartbeatAt', ARGV[2], 'role', ARGV[5], 'org', ARGV[6])
redis.call('HDEL', KEYS[2], 'endedAt', 'endReason')
redis.call('SADD', KEYS[3], ARGV[4])
redis.call('SADD', KEYS[4], ARGV[3])
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
return 1`;

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

// Marks a claimed session abandoned exactly once, unless it heartbeated again after the claim.
// Returns 1 when this call ended it, 0 when it was already ended, -1 when it came back alive.
const ABANDON = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZREM', KEYS[3], ARGV[1])
  return -1
end
local status = redis.call('HGET', KEYS[2], 'status')
if status ~= 'active' then
  return 0
end
redis.call('HSET', KEYS[2], 'status', 'abandoned', 'endedAt', ARGV[2], 'endReason', ARGV[3])
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[4], '*', 'type', 'session', 'receivedAt', ARGV[2], 'message', ARGV[5])
return 1`;

@Injectable()
export class SessionRepository {
  private readonly maxTimeline: number;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(VSS_CONFIG) config: VideoStreamingServerConfig,
  ) {
    this.maxTimeline = config.timeline.maxEntries;
    this.redis.defineCommand('vssHeartbeat', { numberOfKeys: 4, lua: HEARTBEAT_SCRIPT });
    this.redis.defineCommand('vssOpen', { numberOfKeys: 4, lua: OPEN });
    this.redis.defineCommand('vssClaim', { numberOfKeys: 2, lua: CLAIM });
    this.redis.defineCommand('vssAbandon', { numberOfKeys: 4, lua: ABANDON });
  }

  private keysFor(room: string, identity: string): string[] {
    const member = sessionMember(room, identity);
    return [K.liveness, K.session(member), K.room(room), K.rooms];
  }

  async open(subject: SessionSubject, now: number): Promise<void> {
    const member = sessionMember(subject.room, subject.identity);
    await this.command(
      'vssOpen',
      ...this.keysFor(subject.room, subject.identity),
      member,
      now,
      subject.room,
      subject.identity,
      subject.role ?? '',
      subject.org ?? '',
    );
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

  async abandon(
    member: string,
    now: number,
    reason: string,
    message: string,
  ): Promise<'abandoned' | 'already-ended' | 'alive'> {
    const result = await this.command(
      'vssAbandon',
      K.liveness,
      K.session(member),
      K.pending,
      K.timeline(member),
      member,
      now,
      reason,
      this.maxTimeline,
      message,
    );
    return result === 1 ? 'abandoned' : result === 0 ? 'already-ended' : 'alive';
  }

  async finishClaim(member: string): Promise<void> {
    await this.redis.zrem(K.pending, member);
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

  async setLiveKitPresence(room: string, identity: string, presence: 'joined' | 'left', at: number): Promise<void> {
    const key = K.session(sessionMember(room, identity));
    await this.redis
      .multi()
      .hset(key, 'room', room, 'identity', identity, 'livekit', presence, `livekit_${presence}_at`, at)
      .hsetnx(key, 'status', 'active')
      .hsetnx(key, 'createdAt', at)
      .sadd(K.room(room), identity)
      .sadd(K.rooms, room)
      .exec();
  }

  /** Ends every session of a room that LiveKit says has finished. */
  async endRoom(room: string, at: number, reason: string): Promise<number> {
    const identities = await this.redis.smembers(K.room(room));
    let ended = 0;
    for (const identity of identities) {
      const member = sessionMember(room, identity);
      const status = await this.redis.hget(K.session(member), 'status');
      if (status === 'active') {
        await this.redis
          .multi()
          .hset(K.session(member), 'status', 'ended', 'endedAt', at, 'endReason', reason, 'livekit', 'left')
          .zrem(K.liveness, member)
          .exec();
        ended++;
      }
    }
    await this.redis.srem(K.rooms, room);
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

  async appendTimeline(room: string, identity: string, events: TelemetryEvent[], receivedAt: number): Promise<void> {
    const key = K.timeline(sessionMember(room, identity));
    const pipeline = this.redis.pipeline();
    for (const event of events) {
      const fields = ['type', event.type, 'receivedAt', String(receivedAt), 'message', event.message];
      if (event.level) fields.push('level', event.level);
      if (event.at) fields.push('at', event.at);
      if (event.data) fields.push('data', JSON.stringify(event.data));
      pipeline.xadd(key, 'MAXLEN', '~', this.maxTimeline, '*', ...fields);
    }
    await pipeline.exec();
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
    lastHeartbeatAt: num(hash.lastHeartbeatAt),
    endedAt: num(hash.endedAt),
    endReason: hash.endReason || undefined,
  };
}
