import { loadVideoStreamingServerConfig } from '../../apps/video-streaming-server/src/config';
import { createVideoStreamingServer } from '../../apps/video-streaming-server/src/create-app';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** video-streaming-server in this process, configured from the test stack plus overrides. */
export async function startVss(
  env: Record<string, string>,
  overrides: Record<string, string> = {},
  listenPort?: number,
): Promise<NestFastifyApplication> {
  const app = await createVideoStreamingServer(
    loadVideoStreamingServerConfig({ ...env, LOG_LEVEL: 'silent', ...overrides }),
  );
  if (listenPort !== undefined) {
    await app.listen(listenPort, '127.0.0.1');
  } else {
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  }
  return app;
}

export interface InjectOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  url: string;
  body?: unknown;
  payload?: string;
  headers?: Record<string, string>;
}

export async function call(app: NestFastifyApplication, options: InjectOptions) {
  const response = await app
    .getHttpAdapter()
    .getInstance()
    .inject({
      method: options.method ?? 'POST',
      url: options.url,
      headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
      payload: options.payload ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined),
    });
  let json: any;
  try {
    json = response.json();
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, json, headers: response.headers, body: response.body };
}
