import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { httpOk, LOG_DIR, PROJECT_ROOT, waitUntilReady } from '@app/devstack';

export const BENCH_LOG_DIR = join(LOG_DIR, 'bench');

export interface NodeServer {
  name: string;
  url: string;
  pid: number;
  stderrLog: string;
  stop(): Promise<void>;
}

/**
 * Runs `node <script>` (a file under dist/) as a child in its own process group, the way the
 * Docker image runs the apps (--enable-source-maps, NODE_ENV=production). Its stdout goes straight
 * to /dev/null — not through this process, which is busy generating load — and its stderr to
 * .parley/logs/bench/<name>.stderr.log. Resolves once GET <url>/healthz answers 200.
 */
export async function startNodeServer(options: {
  name: string;
  script: string;
  port: number;
  env: Record<string, string>;
}): Promise<NodeServer> {
  mkdirSync(BENCH_LOG_DIR, { recursive: true });
  const stderrLog = join(BENCH_LOG_DIR, `${options.name}.stderr.log`);
  const devNull = openSync('/dev/null', 'w');
  const errFd = openSync(stderrLog, 'w');
  const child = spawn(process.execPath, ['--enable-source-maps', join(PROJECT_ROOT, options.script)], {
    cwd: PROJECT_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(options.port),
      ...options.env,
    },
    stdio: ['ignore', devNull, errFd],
    detached: true,
  });
  closeSync(devNull);
  closeSync(errFd);
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = `${options.name} exited (code ${code}, signal ${signal}); see ${stderrLog}`;
      resolve();
    });
    child.once('error', (err) => {
      exit = `${options.name} could not start: ${err.message}`;
      resolve();
    });
  });
  const signal = (sig: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      // already gone
    }
  };
  // Never leave the server behind, even if the benchmark crashes.
  const onExit = () => signal('SIGKILL');
  process.once('exit', onExit);
  const stop = async () => {
    process.removeListener('exit', onExit);
    if (exit) return;
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitUntilReady(() => httpOk(`${url}/healthz`), {
      component: options.name,
      timeoutMs: 30_000,
      abortReason: () => exit,
      hint: `see ${stderrLog}`,
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { name: options.name, url, pid: child.pid!, stderrLog, stop };
}
