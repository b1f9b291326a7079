import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';

// R-A1: identical requests (text, voice, format, provider and its model) are answered from Redis.
// Bounded two ways: entry count (a sorted-set index by last use; inserting beyond the limit evicts
// the least recently used) and entry size (a longer answer is streamed but never stored). Entries
// also expire (TTL), and the index forgets them with it. Every Redis call here has a short
// deadline and fails open: a slow or absent Redis costs a cache miss, never a failed request.

const PREFIX = 'parley:tts:v1:';
export const TTS_CACHE_INDEX = `${PREFIX}index`;

export interface TtsCacheKeyInput {
  /** e.g. `openai:tts-1` or `espeak-ng`: another provider or model is another answer. */
  provider: string;
  voice: string;
  format: string;
  text: string;
}

/**
 * The entry's Redis key: a SHA-256 over the fields as a JSON array (no separator can be forged by
 * the text), so keys have a fixed length and the text never appears in Redis's key space.
 */
export function ttsCacheKey(input: TtsCacheKeyInput): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([input.provider, input.voice, input.format, input.text]))
    .digest('hex');
  return `${PREFIX}${digest}`;
}

export interface TtsCacheOptions {
  /** 0: the cache is off. */
  maxEntries: number;
  maxEntryBytes: number;
  ttlSeconds: number;
  /** Each Redis call's deadline. */
  timeoutMs?: number;
}

// KEYS: entry, index. ARGV: value, ttl seconds, now ms, max entries. Atomic, so concurrent inserts
// from several instances never leave the index over its bound.
const PUT = `
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], KEYS[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[3]) - tonumber(ARGV[2]) * 1000)
local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
local evicted = 0
if over > 0 then
  local old = redis.call('ZPOPMIN', KEYS[2], over)
  for i = 1, #old, 2 do
    redis.call('DEL', old[i])
    evicted = evicted + 1
  end
end
return evicted
`;

export class TtsCache {
  private readonly logger = new Logger('TtsCache');
  private readonly timeoutMs: number;

  constructor(
    private readonly redis: Redis,
    readonly options: TtsCacheOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 250;
  }

  get enabled(): boolean {
    return this.options.maxEntries > 0;
  }

  /** Whether an answer of this many bytes may be stored. */
  admits(bytes: number): boolean {
    return this.enabled && bytes > 0 && bytes <= this.options.maxEntryBytes;
  }

  /** The stored answer, or null (not there, cache off, Redis slow or down). */
  async get(key: string): Promise<Buffer | null> {
    if (!this.enabled) return null;
    try {
      const value = await this.within(this.redis.getBuffer(key));
      // Last use moves the entry to the back of the eviction queue (XX: only if still indexed).
      if (value) void this.redis.zadd(TTS_CACHE_INDEX, 'XX', Date.now(), key).catch(() => undefined);
      return value;
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'TTS cache read failed; treated as a miss');
      return null;
    }
  }

  /** Stores an answer; returns how many entries were evicted for it, or -1 when it was not stored. */
  async put(key: string, value: Buffer): Promise<number> {
    if (!this.admits(value.length)) return -1;
    try {
      const evicted = await this.within(
        this.redis.eval(
          PUT,
          2,
          key,
          TTS_CACHE_INDEX,
          value,
          this.options.ttlSeconds,
          Date.now(),
          this.options.maxEntries,
        ) as Promise<number>,
      );
      return Number(evicted);
    } catch (err) {
      this.logger.warn({ err: { message: (err as Error).message } }, 'TTS cache write failed');
      return -1;
    }
  }

  private within<T>(promise: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer from Redis within ${this.timeoutMs} ms`)), this.timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }
}
