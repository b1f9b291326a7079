import { Module, type DynamicModule } from '@nestjs/common';
import { LiveKitCheck, LiveKitModule } from '@app/livekit';
import { ObjectStoreCheck, ObjectStoreModule } from '@app/object-store';
import { HealthModule, loggingModule, MetricsModule } from '@app/observability';
import { RedisCheck, RedisModule } from '@app/redis';
import { SERVICE_NAME, type VideoStreamingServerConfig } from './config';

@Module({})
export class VideoStreamingServerModule {
  static register(config: VideoStreamingServerConfig): DynamicModule {
    return {
      module: VideoStreamingServerModule,
      imports: [
        loggingModule(SERVICE_NAME, config.logLevel),
        MetricsModule.forRoot(SERVICE_NAME),
        RedisModule.forRoot(config.redis),
        LiveKitModule.forRoot(config.livekit),
        ObjectStoreModule.forRoot(config.objectStore),
        HealthModule.forRoot({ service: SERVICE_NAME, checks: [RedisCheck, LiveKitCheck, ObjectStoreCheck] }),
      ],
    };
  }
}
