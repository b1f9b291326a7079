import Redis from 'ioredis';
import { join } from 'node:path';
import { ComponentError } from './errors';
import { which } from './exec';
import { ManagedProcess } from './managed-process';
import { ensureAptBinaries, type Logger } from './provision';
import { waitUntilReady } from './wait';

export async function pingRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } finally {
    redis.disconnect();
  }
}

export interface RedisHandle {
  startedByUs: boolean;
  stop(): Promise<void>;
}

/**
 * Uses the Redis that answers at `url`; otherwise installs Debian's redis-server if needed and runs
 * one as our child process (no persistence), which stops with the stack.
 */
export async function ensureRedis(url: string, log: Logger, runDir: string): Promise<RedisHandle> {
  try {
    await pingRedis(url);
    return { startedByUs: false, stop: async () => undefined };
  } catch {
    log('Redis is not answering; starting it');
  }
  await ensureAptBinaries([{ binary: 'redis-server', pkg: 'redis-server' }], log);
  const { hostname, port } = new URL(url);
  const proc = ManagedProcess.start({
    name: 'redis',
    command: which('redis-server')!,
    args: ['--bind', hostname, '--port', port || '6379', '--save', '', '--appendonly', 'no', '--dir', join(runDir)],
  });
  await waitUntilReady(() => pingRedis(url), {
    component: 'redis',
    timeoutMs: 15_000,
    abortReason: () => proc.exitDescription(),
    hint: `see ${proc.logFile}; is port ${port || 6379} taken by something else?`,
  }).catch(async (err) => {
    await proc.stop();
    throw err instanceof ComponentError ? err : new ComponentError('redis', String(err));
  });
  return { startedByUs: true, stop: () => proc.stop() };
}
