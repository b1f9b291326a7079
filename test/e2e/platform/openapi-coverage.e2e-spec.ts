import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadUserManagementConfig } from '../../../apps/user-management/src/config';
import { createUserManagement } from '../../../apps/user-management/src/create-app';
import { loadVideoStreamingServerConfig } from '../../../apps/video-streaming-server/src/config';
import { createVideoStreamingServer } from '../../../apps/video-streaming-server/src/create-app';

const env = inject('stackEnv');
const apps: NestFastifyApplication[] = [];

// Every route the app really serves, seen as Fastify registers it, must be in its OpenAPI
// document with the same method; and every documented operation must be served.
async function routesAndDocument(create: () => Promise<NestFastifyApplication>) {
  const app = await create();
  apps.push(app);
  const served: string[] = [];
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const method of methods) served.push(`${method} ${route.url.replace(/:([A-Za-z]+)/g, '{$1}')}`);
    });
  await app.init();
  const response = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: '/docs/openapi.json' });
  const document = response.json() as { paths: Record<string, Record<string, unknown>> };
  const documented = Object.entries(document.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
  );
  const api = served.filter((r) => !r.startsWith('HEAD ') && !/ \/docs|\*/.test(r) && !r.endsWith(' /metrics'));
  return { served: [...new Set(api)].sort(), documented: [...new Set(documented)].sort() };
}

describe('OpenAPI documents every endpoint', () => {
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('user-management', async () => {
    const { served, documented } = await routesAndDocument(() =>
      createUserManagement(loadUserManagementConfig({ ...env, LOG_LEVEL: 'silent' })),
    );
    expect(served.length).toBeGreaterThan(30);
    expect(served).toEqual(documented);
    expect(documented).toEqual(
      expect.arrayContaining([
        'POST /v1/meetings/{id}/token',
        'POST /v1/invites/redeem',
        'PUT /internal/v1/recordings/{id}',
      ]),
    );
  });

  it('video-streaming-server', async () => {
    const { served, documented } = await routesAndDocument(() =>
      createVideoStreamingServer(loadVideoStreamingServerConfig({ ...env, LOG_LEVEL: 'silent' })),
    );
    expect(served.length).toBeGreaterThan(8);
    expect(served).toEqual(documented);
  });
});
