// A copy of the HEARTBEAT Lua script of apps/video-streaming-server/src/sessions/session.repository.ts
// (not exported there), for the bare baseline. bench/heartbeat.bench.ts checks that the two
// are still the same before it measures.
export const HEARTBEAT = `
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
