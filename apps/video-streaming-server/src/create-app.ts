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
  serveHeartbeatOnLeanPath(app);
  return app;
}
