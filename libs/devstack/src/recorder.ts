import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ComponentError } from './errors';
import { exec, which } from './exec';
import { ManagedProcess } from './managed-process';
import { BIN_DIR, PROJECT_ROOT } from './paths';
import type { Logger } from './provision';
import { httpOk, waitUntilReady } from './wait';

/** Parley's Go-SDK track recorder (recorder/), the local and CI stand-in for LiveKit track egress. */
export const RECORDER_SOURCE_DIR = join(PROJECT_ROOT, 'recorder');

// The binary is named after a digest of its sources, so an edit rebuilds it and nothing else does.
function sourceDigest(): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.go$|^go\.(mod|sum)$/.test(entry.name) && !entry.name.endsWith('_test.go')) {
        hash.update(path.slice(RECORDER_SOURCE_DIR.length)).update(readFileSync(path));
      }
    }
  };
  walk(RECORDER_SOURCE_DIR);
  return hash.digest('hex').slice(0, 12);
}

/** Builds recorder/ into .parley/bin/parley-recorder-<digest> once (modules from the Go proxy). */
export async function ensureRecorder(log: Logger): Promise<string> {
  const target = join(BIN_DIR, `parley-recorder-${sourceDigest()}`);
  if (existsSync(target)) return target;
  const go = which('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
  if (!go) {
    throw new ComponentError('parley-recorder', 'the Go toolchain is needed to build it', 'install Go 1.26');
  }
  log('building parley-recorder (recorder/) with modules from the Go module proxy (first run only; a few minutes)');
  mkdirSync(BIN_DIR, { recursive: true });
  const partial = `${target}.${process.pid}.partial`;
  try {
    await exec(go, ['build', '-trimpath', '-o', partial, '.'], {
      cwd: RECORDER_SOURCE_DIR,
      env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false -mod=mod' },
    });
    renameSync(partial, target);
  } catch (err) {
    rmSync(partial, { force: true });
    throw new ComponentError('parley-recorder', `go build failed: ${(err as Error).message}`);
  }
  return target;
}

export interface RecorderOptions {
  name: string;
  port: number;
  livekitUrl: string;
  livekitApiKey: string;
  livekitApiSecret: string;
  objectStore: { endpoint: string; region: string; bucket: string; accessKeyId: string; secretAccessKey: string };
  webhookUrl: string;
  spoolDir: string;
  logDir?: string;
}

export interface RecorderHandle {
  url: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** Starts the recorder; secrets go through the environment, never argv. */
export async function startRecorder(options: RecorderOptions, log: Logger): Promise<RecorderHandle> {
  const binary = await ensureRecorder(log);
  mkdirSync(options.spoolDir, { recursive: true });
  const url = `http://127.0.0.1:${options.port}`;
  const proc = ManagedProcess.start({
    name: options.name,
    command: binary,
    args: [],
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      RECORDER_LISTEN: `127.0.0.1:${options.port}`,
      LIVEKIT_URL: options.livekitUrl,
      LIVEKIT_API_KEY: options.livekitApiKey,
      LIVEKIT_API_SECRET: options.livekitApiSecret,
      S3_ENDPOINT: options.objectStore.endpoint,
      S3_REGION: options.objectStore.region,
      S3_BUCKET: options.objectStore.bucket,
      S3_ACCESS_KEY_ID: options.objectStore.accessKeyId,
      S3_SECRET_ACCESS_KEY: options.objectStore.secretAccessKey,
      RECORDER_WEBHOOK_URL: options.webhookUrl,
      RECORDER_SPOOL_DIR: options.spoolDir,
    },
    logDir: options.logDir,
  });
  try {
    await waitUntilReady(() => httpOk(`${url}/health`), {
      component: 'parley-recorder',
      timeoutMs: 20_000,
      abortReason: () => proc.exitDescription(),
      hint: `see ${proc.logFile}; is port ${options.port} free?`,
    });
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { url, process: proc, stop: () => proc.stop() };
}
