import { Inject, Injectable } from '@nestjs/common';
import type { RecordingState } from '@app/contracts';
import { REDIS_CLIENT } from '@app/redis';
import type Redis from 'ioredis';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { LIVE_STATES, type RecordingRecord, type StopRequest, type TrackRecord } from './recording.model';

// Key layout (R-R3; soft state beside the session keys listed in session.repository.ts):
//   vss:recording:<id>              hash    the recording (RecordingRecord; JSON for nested fields)
//   vss:recording:<id>:tracks       hash    egress id → TrackRecord JSON
//   vss:recording:<id>:timeline     stream  every state change, capped
//   vss:recording-live:<room>       string  the room's live recording (starting|recording|stopping)
//   vss:recording-latest:<room>     string  the room's latest recording, for its status
//   vss:recording-egress:<egressId> string  the recording an egress belongs to
//   bull:vss-recording-finalize:*, bull:vss-recording-reports:*   the two BullMQ queues
// Everything survives a restart of the media plane (Redis is the state), and every change of state
// is a compare-and-set, so concurrent webhooks, API calls and jobs cannot undo one another.
export const RECORDING_KEYS = {
  recording: (id: string) => `vss:recording:${id}`,
  tracks: (id: string) => `vss:recording:${id}:tracks`,
  timeline: (id: string) => `vss:recording:${id}:timeline`,
  live: (room: string) => `vss:recording-live:${room}`,
  latest: (room: string) => `vss:recording-latest:${room}`,
  egress: (egressId: string) => `vss:recording-egress:${egressId}`,
};
const K = RECORDING_KEYS;

const TIMELINE_MAX_ENTRIES = 500;

// KEYS: live pointer, latest pointer, hash, timeline. ARGV: id, now, message, then field/value pairs.
// Returns '' when created, else the id of the room's live recording.
const CREATE = `
local live = redis.call('GET', KEYS[1])
if live then return live end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[3], unpack(ARGV, 4))
redis.call('XADD', KEYS[4], 'MAXLEN', '~', ${TIMELINE_MAX_ENTRIES}, '*', 'at', ARGV[2], 'state', 'starting', 'message', ARGV[3])
return ''
`;

// KEYS: hash, timeline, live pointer. ARGV: allowed states (comma list), next state, now, message,
// whether the next state is live ('1'/'0'), then field/value pairs to set (an empty value deletes).
// Returns 'ok' or the current state ('' when there is no such recording).
const TRANSITION = `
local current = redis.call('HGET', KEYS[1], 'state')
if not current then return '' end
local allowed = false
for s in string.gmatch(ARGV[1], '[^,]+') do
  if s == current then allowed = true end
end
if not allowed then return current end
redis.call('HSET', KEYS[1], 'state', ARGV[2])
for i = 6, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[1], ARGV[i]) else redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
if ARGV[5] == '0' and redis.call('GET', KEYS[3]) == redis.call('HGET', KEYS[1], 'id') then
  redis.call('DEL', KEYS[3])
end
if current ~= ARGV[2] or ARGV[4] ~= '' then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ${TIMELINE_MAX_ENTRIES}, '*', 'at', ARGV[3], 'state', ARGV[2], 'message', ARGV[4])
end
return 'ok'
`;

// KEYS: tracks hash, egress pointer. ARGV: egress id, JSON, recording id, pointer ttl.
// A track that ended stays ended: a late or redelivered "started" never revives it.
const PUT_TRACK = `
local existing = redis.call('HGET', KEYS[1], ARGV[1])
if existing and cjson.decode(ARGV[2]).status == 'active' then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[4])
return 1
`;

// KEYS: hash, timeline. ARGV: expected request id ('' for none), its expected outcome, next JSON,
// now, message.
const STOP_REQUEST = `
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return 0 end
local stored = redis.call('HGET', KEYS[1], 'stopRequest')
local id, outcome = '', ''
if stored then
  local decoded = cjson.decode(stored)
  id, outcome = decoded.id, decoded.outcome
end
if id ~= ARGV[1] or outcome ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'stopRequest', ARGV[3])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ${TIMELINE_MAX_ENTRIES}, '*', 'at', ARGV[4], 'state', state, 'message', ARGV[5])
return 1
`;

const JSON_FIELDS = new Set(['stopRequest', 'codecs']);
const NUMBER_FIELDS = new Set([
  'startedAt',
  'stoppedAt',
  'finalizePercent',
  'finalizeAttempt',
  'durationMs',
  'sizeBytes',
  'mediaStartedAt',
]);

function toFields(patch: Partial<RecordingRecord>): string[] {
  return Object.entries(patch).flatMap(([name, value]) => {
    if (value === undefined || value === null) return [name, ''];
    if (JSON_FIELDS.has(name)) return [name, JSON.stringify(value)];
    if (typeof value === 'boolean') return [name, value ? '1' : '0'];
    if (typeof value === 'object') return [name, JSON.stringify(value)];
    return [name, String(value)];
  });
}

function fromHash(hash: Record<string, string>): RecordingRecord | undefined {
  if (!hash.id || !hash.state) return undefined;
  const record: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(hash)) {
    if (JSON_FIELDS.has(name)) record[name] = JSON.parse(value);
    else if (NUMBER_FIELDS.has(name)) record[name] = Number(value);
    else if (name === 'cutShort') record[name] = value === '1';
    else record[name] = value;
  }
  record.cutShort ??= false;
  return record as unknown as RecordingRecord;
}

export type TransitionResult = { ok: true } | { ok: false; current: RecordingState | undefined };

export interface TimelineItem {
  at: number;
  state: string;
  message: string;
}

@Injectable()
export class RecordingRepository {
  private readonly retentionSeconds: number;

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(VSS_CONFIG) config: VideoStreamingServerConfig,
  ) {
    this.retentionSeconds = config.retention.sessionSeconds;
    this.redis.defineCommand('vssRecordingCreate', { numberOfKeys: 4, lua: CREATE });
    this.redis.defineCommand('vssRecordingTransition', { numberOfKeys: 3, lua: TRANSITION });
    this.redis.defineCommand('vssRecordingPutTrack', { numberOfKeys: 2, lua: PUT_TRACK });
    this.redis.defineCommand('vssRecordingStopRequest', { numberOfKeys: 2, lua: STOP_REQUEST });
  }

  /** Creates the room's recording in `starting`, unless one is live: then that one's id. */
  async create(
    record: RecordingRecord,
    message: string,
  ): Promise<{ created: true } | { created: false; liveId: string }> {
    const result = (await this.command(
      'vssRecordingCreate',
      K.live(record.room),
      K.latest(record.room),
      K.recording(record.id),
      K.timeline(record.id),
      record.id,
      record.startedAt,
      message,
      ...toFields(record),
    )) as string;
    return result === '' ? { created: true } : { created: false, liveId: result };
  }

  async get(id: string): Promise<RecordingRecord | undefined> {
    return fromHash(await this.redis.hgetall(K.recording(id)));
  }

  async liveId(room: string): Promise<string | undefined> {
    return (await this.redis.get(K.live(room))) ?? undefined;
  }

  async latestId(room: string): Promise<string | undefined> {
    return (await this.redis.get(K.latest(room))) ?? undefined;
  }

  /**
   * Moves the recording from one of `from` to `to` and applies `patch`, atomically; a timeline entry
   * says what happened. Leaving the live states frees the room for its next recording.
   */
  async transition(
    record: Pick<RecordingRecord, 'id' | 'room'>,
    from: readonly RecordingState[],
    to: RecordingState,
    message: string,
    patch: Partial<RecordingRecord> = {},
    now = Date.now(),
  ): Promise<TransitionResult> {
    const result = (await this.command(
      'vssRecordingTransition',
      K.recording(record.id),
      K.timeline(record.id),
      K.live(record.room),
      from.join(','),
      to,
      now,
      message,
      LIVE_STATES.includes(to) ? '1' : '0',
      ...toFields(patch),
    )) as string;
    if (result === 'ok') {
      if (to === 'ready' || to === 'failed') await this.expire(record.id);
      return { ok: true };
    }
    return { ok: false, current: (result || undefined) as RecordingState | undefined };
  }

  /** Sets fields without a change of state (finalize progress, a pending stop request). */
  async patch(id: string, patch: Partial<RecordingRecord>, timelineMessage?: string): Promise<void> {
    const current = await this.redis.hget(K.recording(id), 'state');
    if (!current) return;
    const multi = this.redis.multi();
    const fields = toFields(patch);
    for (let i = 0; i < fields.length; i += 2) {
      if (fields[i + 1] === '') multi.hdel(K.recording(id), fields[i]);
      else multi.hset(K.recording(id), fields[i], fields[i + 1]);
    }
    if (timelineMessage) {
      multi.xadd(
        K.timeline(id),
        'MAXLEN',
        '~',
        TIMELINE_MAX_ENTRIES,
        '*',
        'at',
        String(Date.now()),
        'state',
        current,
        'message',
        timelineMessage,
      );
    }
    await multi.exec();
  }

  /**
   * Compare-and-set on the stop request: `next` replaces the stored one only while the stored one is
   * still `expected` (same id and outcome; none for a first request). Two approvals, or an approval
   * racing a new request, cannot both apply.
   */
  async replaceStopRequest(
    id: string,
    expected: StopRequest | undefined,
    next: StopRequest,
    message: string,
  ): Promise<boolean> {
    const applied = await this.command(
      'vssRecordingStopRequest',
      K.recording(id),
      K.timeline(id),
      expected?.id ?? '',
      expected?.outcome ?? '',
      JSON.stringify(next),
      Date.now(),
      message,
    );
    return applied === 1;
  }

  /** Records a track (or its end); a track already ended is never set back to active. */
  async putTrack(recordingId: string, track: TrackRecord): Promise<boolean> {
    const applied = await this.command(
      'vssRecordingPutTrack',
      K.tracks(recordingId),
      K.egress(track.egressId),
      track.egressId,
      JSON.stringify(track),
      recordingId,
      this.retentionSeconds,
    );
    return applied === 1;
  }

  async tracks(recordingId: string): Promise<TrackRecord[]> {
    const all = await this.redis.hgetall(K.tracks(recordingId));
    return Object.values(all)
      .map((json) => JSON.parse(json) as TrackRecord)
      .sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0) || a.egressId.localeCompare(b.egressId));
  }

  async recordingOfEgress(egressId: string): Promise<string | undefined> {
    return (await this.redis.get(K.egress(egressId))) ?? undefined;
  }

  async timeline(id: string, limit = 100): Promise<TimelineItem[]> {
    const entries = await this.redis.xrevrange(K.timeline(id), '+', '-', 'COUNT', limit);
    return entries.reverse().map(([, fields]) => {
      const map: Record<string, string> = {};
      for (let i = 0; i < fields.length; i += 2) map[fields[i]] = fields[i + 1];
      return { at: Number(map.at), state: map.state, message: map.message };
    });
  }

  /** A finished recording's keys stay for the retention period (debugging after the fact), then go. */
  private async expire(id: string): Promise<void> {
    await this.redis
      .multi()
      .expire(K.recording(id), this.retentionSeconds)
      .expire(K.tracks(id), this.retentionSeconds)
      .expire(K.timeline(id), this.retentionSeconds)
      .exec();
  }

  private command(name: string, ...args: Array<string | number>): Promise<unknown> {
    return (this.redis as unknown as Record<string, (...a: Array<string | number>) => Promise<unknown>>)[name](...args);
  }
}
