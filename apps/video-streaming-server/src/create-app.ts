import { createHttpApp } from '@app/http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { VideoStreamingServerModule } from './app.module';
import type { VideoStreamingServerConfig } from './config';

export function createVideoStreamingServer(config: VideoStreamingServerConfig): Promise<NestFastifyApplication> {
  return createHttpApp(VideoStreamingServerModule.register(config), {
    title: 'Parley video-streaming-server',
    description: 'The media-plane authority: LiveKit tokens, webhooks, heartbeats, recording control.',
    bodyLimitBytes: config.http.bodyLimitBytes,
  });
}
