import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadUserManagementConfig } from '../../../apps/user-management/src/config';
import { createUserManagement } from '../../../apps/user-management/src/create-app';
import { loadVideoStreamingServerConfig } from '../../../apps/video-streaming-server/src/config';
import { createVideoStreamingServer } from '../../../apps/video-streaming-server/src/create-app';
import { ReadinessReport } from '@app/contracts';
import {
  DATA_DIR,
  DIST_DIR,
  httpOk,
  LOG_DIR,
  ManagedProcess,
  startObjectStoreServer,
  TEST_PROFILE,
  waitUntilReady,
  type ObjectStoreServerHandle,
} from '@app/devstack';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const env = inject('stackEnv');
// A private object store, so stopping it cannot disturb other test files.
// Beside the profile's own ports, so parallel test slots (PARLEY_TEST_SLOT) never share it.
const PRIVATE_STORE_PORT = TEST_PROFILE.objectStorePort + 50;

async function get(app: NestFastifyApplication, url: string, headers: Record<string, string> = {}) {
  return app.getHttpAdapter().getInstance().inject({ method: 'GET', url, headers });
}

describe('health, readiness and operations endpoints', () => {
  let store: ObjectStoreServerHandle;
  let vss: NestFastifyApplication;
  let um: NestFastifyApplication;
  const startStore = async () => {
    store = await startObjectStoreServer(
      {
        name: 'object-store-readiness',
        port: PRIVATE_STORE_PORT,
        dataDir: join(DATA_DIR, TEST_PROFILE.name, 'object-store-readiness'),
        accessKeyId: env.S3_ACCESS_KEY_ID,
        secretAccessKey: env.S3_SECRET_ACCESS_KEY,
        bucket: env.S3_BUCKET,
        region: env.S3_REGION,
        logDir: join(LOG_DIR, TEST_PROFILE.name),
      },
      () => undefined,
    );
  };

  beforeAll(async () => {
    await startStore();
    const appEnv = { ...env, S3_ENDPOINT: store.endpoint, LOG_LEVEL: 'silent' };
    vss = await createVideoStreamingServer(loadVideoStreamingServerConfig(appEnv));
    um = await createUserManagement(loadUserManagementConfig(appEnv));
    for (const app of [vss, um]) {
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
    }
  });

  afterAll(async () => {
    await vss?.close();
    await um?.close();
    await store?.stop();
  });

  it('lists every dependency of each app as up', async () => {
    for (const [app, expected] of [
      [vss, ['livekit', 'objectStore', 'redis']],
      [um, ['objectStore', 'postgres', 'redis']],
    ] as const) {
      const response = await get(app, '/readyz');
      const report = ReadinessReport.parse(response.json());
      expect(response.statusCode, JSON.stringify(report)).toBe(200);
      expect(report.status).toBe('ready');
      expect(report.dependencies.map((d) => d.name).sort()).toEqual(expected);
      expect(report.dependencies.every((d) => d.status === 'up')).toBe(true);
    }
  });

  it('marks only what an app cannot answer without as critical', async () => {
    for (const [app, critical] of [
      [vss, ['redis']],
      [um, ['postgres']],
    ] as const) {
      const report = ReadinessReport.parse((await get(app, '/readyz')).json());
      expect(
        report.dependencies
          .filter((d) => d.critical)
          .map((d) => d.name)
          .sort(),
      ).toEqual(critical);
    }
  });

  it('reports a stopped object store as degraded (still in rotation: presigning is local), and ready once it is back', async () => {
    await store.stop();
    for (const app of [vss, um]) {
      const response = await get(app, '/readyz');
      expect(response.statusCode).toBe(200);
      const report = ReadinessReport.parse(response.json());
      expect(report.status).toBe('degraded');
      const byName = Object.fromEntries(report.dependencies.map((d) => [d.name, d]));
      expect(byName.objectStore.status).toBe('down');
      expect(byName.objectStore.critical).toBe(false);
      expect(byName.objectStore.error).toBeTruthy();
      expect(byName.redis.status).toBe('up');
      // Liveness does not depend on dependencies: a restart would not help.
      expect((await get(app, '/healthz')).statusCode).toBe(200);
    }
    const metrics = (await get(vss, '/metrics')).body;
    expect(metrics).toMatch(/parley_dependency_up\{[^}]*dependency="objectStore"[^}]*\} 0/);

    await startStore();
    for (const app of [vss, um]) {
      const response = await get(app, '/readyz');
      expect(response.statusCode).toBe(200);
      expect(ReadinessReport.parse(response.json()).status).toBe('ready');
    }
    expect((await get(vss, '/metrics')).body).toMatch(/parley_dependency_up\{[^}]*dependency="objectStore"[^}]*\} 1/);
  });

  it('answers unknown routes with the error shape and echoes a safe request id', async () => {
    const response = await get(vss, '/v1/nope', { 'x-request-id': 'trace-42' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['x-request-id']).toBe('trace-42');
    expect(response.json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND', requestId: 'trace-42' });

    const forged = await get(vss, '/healthz', { 'x-request-id': 'bad id\n{"level":60}' });
    expect(forged.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves Prometheus metrics and the OpenAPI document', async () => {
    await get(um, '/healthz');
    const metrics = await get(um, '/metrics');
    expect(metrics.statusCode).toBe(200);
    expect(metrics.body).toContain('parley_process_cpu_user_seconds_total');
    expect(metrics.body).toMatch(/parley_http_request_duration_seconds_count\{[^}]*route="\/healthz"/);
    const docs = await get(vss, '/docs/openapi.json');
    expect(docs.statusCode).toBe(200);
    expect(Object.keys(docs.json().paths)).toEqual(expect.arrayContaining(['/healthz', '/readyz']));
  });
});

describe('a built app as a process', () => {
  it('refuses to start on invalid config, naming the variable and hiding the value', async () => {
    const secretValue = 'short-secret-value';
    const child = spawn(process.execPath, [join(DIST_DIR, 'apps/video-streaming-server/src/main.js')], {
      env: {
        PATH: process.env.PATH,
        ...env,
        LIVEKIT_API_SECRET: secretValue,
        S3_ACCESS_KEY_ID: '',
        PORT: 'not-a-port',
      },
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('LIVEKIT_API_SECRET: must be at least 32 characters');
    expect(stderr).toContain('PORT');
    expect(stderr).toContain('S3_ACCESS_KEY_ID');
    expect(stderr).not.toContain(secretValue);
  });

  it('writes JSON logs whose request lines carry the request id', async () => {
    const port = 13101;
    const proc = ManagedProcess.start({
      name: 'video-streaming-server-logs',
      command: process.execPath,
      args: [join(DIST_DIR, 'apps/video-streaming-server/src/main.js')],
      env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'info' },
      logDir: join(LOG_DIR, TEST_PROFILE.name),
    });
    try {
      await waitUntilReady(() => httpOk(`http://127.0.0.1:${port}/healthz`), {
        component: 'video-streaming-server',
        timeoutMs: 30_000,
        abortReason: () => proc.exitDescription(),
      });
      const requestId = `log-trace-${Date.now()}`;
      const response = await fetch(`http://127.0.0.1:${port}/v1/nope`, {
        headers: { 'x-request-id': requestId, authorization: 'Bearer super-secret' },
      });
      expect(response.status).toBe(404);
      const line = await waitForLogLine(proc.logFile, requestId);
      const entry = JSON.parse(line);
      expect(entry.service).toBe('video-streaming-server');
      expect(entry.requestId).toBe(requestId);
      expect(entry).toMatchObject({ method: 'GET', url: '/v1/nope' });
      expect(entry.msg).toBe('request completed');
      expect(entry.statusCode).toBe(404);
      expect(await readFile(proc.logFile, 'utf8')).not.toContain('super-secret');
    } finally {
      await proc.stop();
    }
  });
});

async function waitForLogLine(file: string, needle: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = (await readFile(file, 'utf8')).split('\n').find((l) => l.includes(needle) && l.startsWith('{'));
    if (line) return line;
    if (Date.now() > deadline) throw new Error(`no log line with ${needle}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
