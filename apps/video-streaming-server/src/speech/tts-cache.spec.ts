import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TTS_CACHE_INDEX, TtsCache, ttsCacheKey } from './tts-cache';

// A private redis-server on a unix socket (no port, no shared DB): the real Lua script and TTLs.

const base = { provider: 'openai:tts-1@http://vendor/v1', voice: 'alloy', format: 'mp3', text: 'Hello there.' };

describe(ttsCacheKey.name, () => {
  it('is stable, fixed-length and differs in every field', () => {
    const key = ttsCacheKey(base);
    expect(ttsCacheKey({ ...base })).toBe(key);
    expect(key).toMatch(/^parley:tts:v1:[0-9a-f]{64}$/);
    const others = [
      { ...base, provider: 'espeak-ng:150wpm' },
      { ...base, provider: 'openai:tts-1-hd@http://vendor/v1' },
      { ...base, voice: 'echo' },
      { ...base, format: 'opus' },
      { ...base, text: 'Hello there!' },
    ].map(ttsCacheKey);
    expect(new Set([key, ...others]).size).toBe(6);
  });

  it('cannot be forged by moving text between fields', () => {
    expect(ttsCacheKey({ ...base, voice: 'alloy', text: 'x' })).not.toBe(
      ttsCacheKey({ ...base, voice: 'alloy","x', text: '' }),
    );
    // The text itself never appears in the key.
    expect(ttsCacheKey({ ...base, text: 'secret interview answer' })).not.toContain('secret');
  });
});

describe(TtsCache.name, () => {
  let dir: string;
  let server: ChildProcess;
  let redis: Redis;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tts-cache-spec-'));
    const socket = join(dir, 'redis.sock');
    server = spawn('redis-server', ['--port', '0', '--unixsocket', socket, '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    for (let i = 0; !existsSync(socket); i++) {
      if (i > 100) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
    redis = new Redis({ path: socket });
    await redis.ping();
  });
  afterAll(async () => {
    redis?.disconnect();
    server?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await redis.flushall();
  });

  const bytes = (n: number, fill = 1) => Buffer.alloc(n, fill);
  const key = (i: number) => ttsCacheKey({ ...base, text: `utterance ${i}` });

  it('returns what was stored, byte for byte', async () => {
    const cache = new TtsCache(redis, { maxEntries: 10, maxEntryBytes: 1024, ttlSeconds: 60 });
    const value = Buffer.from([0xff, 0xfb, 0x90, 0x00, 1, 2, 3]);
    expect(await cache.get(key(1))).toBeNull();
    expect(await cache.put(key(1), value)).toBe(0);
    expect(await cache.get(key(1))).toEqual(value);
  });

  it('holds at most maxEntries, evicting the least recently used', async () => {
    const cache = new TtsCache(redis, { maxEntries: 3, maxEntryBytes: 1024, ttlSeconds: 60 });
    for (const i of [1, 2, 3]) {
      await cache.put(key(i), bytes(10, i));
      await new Promise((r) => setTimeout(r, 3));
    }
    // Reading 1 makes 2 the oldest.
    expect(await cache.get(key(1))).not.toBeNull();
    await new Promise((r) => setTimeout(r, 20));
    expect(await cache.put(key(4), bytes(10, 4))).toBe(1);
    expect(await cache.get(key(2))).toBeNull();
    for (const i of [1, 3, 4]) expect(await cache.get(key(i)), `entry ${i}`).not.toBeNull();
    expect(await redis.zcard(TTS_CACHE_INDEX)).toBe(3);

    for (let i = 5; i < 25; i++) await cache.put(key(i), bytes(10, i));
    expect(await redis.zcard(TTS_CACHE_INDEX)).toBe(3);
    expect((await redis.keys('parley:tts:v1:*')).length).toBe(4); // three entries and the index
  });

  it('never stores an entry over maxEntryBytes (or an empty one)', async () => {
    const cache = new TtsCache(redis, { maxEntries: 10, maxEntryBytes: 100, ttlSeconds: 60 });
    expect(cache.admits(100)).toBe(true);
    expect(cache.admits(101)).toBe(false);
    expect(cache.admits(0)).toBe(false);
    expect(await cache.put(key(1), bytes(101))).toBe(-1);
    expect(await cache.put(key(2), bytes(100))).toBe(0);
    expect(await cache.get(key(1))).toBeNull();
    expect(await cache.get(key(2))).not.toBeNull();
  });

  it('expires entries with their TTL and forgets them in the index', async () => {
    const cache = new TtsCache(redis, { maxEntries: 10, maxEntryBytes: 100, ttlSeconds: 1 });
    await cache.put(key(1), bytes(10));
    expect(await redis.ttl(key(1))).toBe(1);
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await cache.get(key(1))).toBeNull();
    await cache.put(key(2), bytes(10));
    expect(await redis.zrange(TTS_CACHE_INDEX, 0, -1)).toEqual([key(2)]);
  });

  it('is off with maxEntries 0', async () => {
    const cache = new TtsCache(redis, { maxEntries: 0, maxEntryBytes: 100, ttlSeconds: 60 });
    expect(cache.enabled).toBe(false);
    expect(await cache.put(key(1), bytes(10))).toBe(-1);
    expect(await redis.exists(key(1))).toBe(0);
  });

  it('fails open and fast when Redis does not answer', async () => {
    const stuck = new Redis({ path: join(dir, 'nothing-here.sock'), lazyConnect: true, maxRetriesPerRequest: null });
    stuck.on('error', () => undefined);
    const cache = new TtsCache(stuck, { maxEntries: 10, maxEntryBytes: 100, ttlSeconds: 60, timeoutMs: 100 });
    const started = Date.now();
    expect(await cache.get(key(1))).toBeNull();
    expect(await cache.put(key(1), bytes(10))).toBe(-1);
    expect(Date.now() - started).toBeLessThan(500);
    stuck.disconnect();
  });
});
