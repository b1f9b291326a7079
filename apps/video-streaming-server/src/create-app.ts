import fastifyCors from '@fastify/cors';
import { FALLBACK_HEADER } from '@app/contracts';
import { REQUEST_ID_HEADER } from '@app/observability';
import { createHttpApp, type HttpAppOptions } from '@app/http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { VideoStreamingServerModule } from './app.module';
import { SERVICE_NAME, type VideoStreamingServerConfig } from './config';
import { serveHeartbeatOnLeanPath } from './sessions/heartbeat.route';
import { WEBHOOK_CONTENT_TYPE } from './webhooks/livekit-webhook.controller';

export async function createVideoStreamingServer(
  config: VideoStreamingServerConfig,
  // Tests capture the log lines (as in user-management's createUserManagement).
  overrides: Pick<HttpAppOptions, 'logDestination'> = {},
): Promise<NestFastifyApplication> {
  const app = await createHttpApp(VideoStreamingServerModule.register(config), {
    service: SERVICE_NAME,
    logLevel: config.logLevel,
    title: 'Parley video-streaming-server',
    description: 'The media-plane authority: LiveKit tokens, webhooks, heartbeats, recording control.',
    bodyLimitBytes: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
    ...overrides,
  });
  // LiveKit signs the exact bytes it sends: keep webhook bodies as the raw string.
  app
    .getHttpAdapter()
    .getInstance()
    .addContentTypeParser(WEBHOOK_CONTENT_TYPE, { parseAs: 'string' }, (_request, body, done) => done(null, body));
  // The web app runs on user-management's origin and calls this API directly: bearer tokens in
  // headers, never cookies, so no credentials mode.
  await app.register(fastifyCors, {
    origin: config.webOrigins,
    methods: ['GET', 'POST'],
    allowedHeaders: ['authorization', 'content-type'],
    exposedHeaders: [FALLBACK_HEADER, REQUEST_ID_HEADER, 'retry-after'],
    maxAge: 600,
  });
  serveHeartbeatOnLeanPath(app);
  return app;
}
