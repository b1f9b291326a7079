import { mkdirSync } from 'node:fs';
import { ObjectStore } from '@app/object-store';
import { ManagedProcess } from './managed-process';
import { ensureGoTool, VERSITYGW, type Logger } from './provision';
import { httpOk, waitUntilReady } from './wait';

export interface ObjectStoreServerOptions {
  name: string;
  port: number;
  dataDir: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  region: string;
  logDir?: string;
}

export interface ObjectStoreServerHandle {
  endpoint: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * versitygw with its posix backend: a real S3 server whose buckets are folders under dataDir.
 * Credentials go through the environment, not argv, so `ps` does not show them.
 */
export async function startObjectStoreServer(
  options: ObjectStoreServerOptions,
  log: Logger,
): Promise<ObjectStoreServerHandle> {
  const binary = await ensureGoTool(VERSITYGW, log);
  mkdirSync(options.dataDir, { recursive: true });
  const endpoint = `http://127.0.0.1:${options.port}`;
  const proc = ManagedProcess.start({
    name: options.name,
    command: binary,
    args: [
      '--port',
      `127.0.0.1:${options.port}`,
      '--health',
      '/health',
      '--region',
      options.region,
      '--quiet',
      'posix',
      options.dataDir,
    ],
    env: { ...process.env, ROOT_ACCESS_KEY_ID: options.accessKeyId, ROOT_SECRET_ACCESS_KEY: options.secretAccessKey },
    logDir: options.logDir,
  });
  try {
    await waitUntilReady(() => httpOk(`${endpoint}/health`), {
      component: 'object store (versitygw)',
      timeoutMs: 20_000,
      abortReason: () => proc.exitDescription(),
      hint: `see ${proc.logFile}; is port ${options.port} free?`,
    });
    const store = ObjectStore.fromOptions({ ...options, endpoint, forcePathStyle: true });
    try {
      await store.ensureBucket();
    } finally {
      store.destroy();
    }
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { endpoint, process: proc, stop: () => proc.stop() };
}
