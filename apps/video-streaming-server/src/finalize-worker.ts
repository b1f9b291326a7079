import { Module, type DynamicModule } from '@nestjs/common';
import { createHttpApp } from '@app/http';
import { LiveKitModule } from '@app/livekit';
import { ObjectStoreCheck, ObjectStoreModule } from '@app/object-store';
import { HealthModule, MetricsModule } from '@app/observability';
import { RedisCheck, RedisModule } from '@app/redis';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { recordingProviders } from './app.module';
import { VSS_CONFIG, type VideoStreamingServerConfig } from './config';
import { UserManagementClient } from './user-management/user-management.client';

export const FINALIZE_WORKER_NAME = 'finalize-worker';

/**
 * A process that only finalizes recordings (R-R4): ffmpeg is CPU-heavy, so production runs these
 * beside the API (FINALIZE_INLINE=false there) and scales them on their own. It answers /health
 * and /metrics on its own PORT.
 */
@Module({})
export class FinalizeWorkerModule {
  static register(config: VideoStreamingServerConfig): DynamicModule {
    return {
      module: FinalizeWorkerModule,
      imports: [
        MetricsModule.forRoot(FINALIZE_WORKER_NAME),
        RedisModule.forRoot({ ...config.redis, connectionName: FINALIZE_WORKER_NAME }),
        LiveKitModule.forRoot(config.livekit),
        ObjectStoreModule.forRoot(config.objectStore),
        HealthModule.forRoot({ service: FINALIZE_WORKER_NAME, checks: [RedisCheck, ObjectStoreCheck] }),
      ],
      providers: [{ provide: VSS_CONFIG, useValue: config }, UserManagementClient, ...recordingProviders(config, true)],
    };
  }
}

export function createFinalizeWorker(config: VideoStreamingServerConfig): Promise<NestFastifyApplication> {
  return createHttpApp(FinalizeWorkerModule.register(config), {
    service: FINALIZE_WORKER_NAME,
    logLevel: config.logLevel,
    title: 'Parley finalize worker',
    description: 'Merges recorded tracks into the final recording (R-R4).',
    bodyLimitBytes: config.http.bodyLimitBytes,
    trustProxy: config.http.trustProxy,
  });
}
