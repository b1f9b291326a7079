import { Module, type DynamicModule } from '@nestjs/common';
import { LiveKitCheck, LiveKitModule } from '@app/livekit';
import { ObjectStoreCheck, ObjectStoreModule } from '@app/object-store';
import { HealthModule, MetricsModule } from '@app/observability';
import { RedisCheck, RedisModule } from '@app/redis';
import { LiveKitKeyRing } from './auth/livekit-key-ring';
import { MediaClientGuard } from './auth/media-client.guard';
import { avatarsControllers, avatarsProviders } from './avatars/avatars.parts';
import { speechControllers, speechProviders } from './speech/speech.parts';
import { ObserverSecretGuard } from './auth/observer-secret.guard';
import { SessionTicketVerifier } from './auth/session-ticket.verifier';
import { TelemetryGuard } from './auth/telemetry.guard';
import { TelemetryTokenService } from './auth/telemetry-token.service';
import { SERVICE_NAME, VSS_CONFIG, type VideoStreamingServerConfig } from './config';
import { ReconciliationService } from './rooms/reconciliation.service';
import { RoomsController } from './rooms/rooms.controller';
import { FINALIZE_WORKER, FinalizeQueue } from './recordings/finalize/finalize.queue';
import { FinalizeService } from './recordings/finalize/finalize.service';
import { LiveKitEgressRecorder } from './recordings/livekit-egress.recorder';
import { LocalTrackRecorder } from './recordings/local-track.recorder';
import { Recorder } from './recordings/recorder.port';
import { RecordingReportsQueue } from './recordings/recording-reports.queue';
import { RecordingRepository } from './recordings/recording.repository';
import { RecordingsController } from './recordings/recordings.controller';
import { RecordingsService } from './recordings/recordings.service';
import { RecordingStopper } from './sessions/recording-stopper';
import { ReaperService } from './sessions/reaper.service';
import { SessionRepository } from './sessions/session.repository';
import { SessionsController } from './sessions/sessions.controller';
import { SessionsService } from './sessions/sessions.service';
import { TokensController } from './tokens/tokens.controller';
import { TokensService } from './tokens/tokens.service';
import { InterviewStatusReporter } from './user-management/interview-status.reporter';
import { UserManagementClient } from './user-management/user-management.client';
import { LiveKitEventsQueue } from './webhooks/livekit-events.queue';
import { LiveKitWebhookController } from './webhooks/livekit-webhook.controller';
import { LiveKitWebhookService } from './webhooks/livekit-webhook.service';

@Module({})
export class VideoStreamingServerModule {
  static register(config: VideoStreamingServerConfig): DynamicModule {
    return {
      module: VideoStreamingServerModule,
      imports: [
        MetricsModule.forRoot(SERVICE_NAME),
        RedisModule.forRoot(config.redis),
        LiveKitModule.forRoot(config.livekit),
        ObjectStoreModule.forRoot(config.objectStore),
        // Without LiveKit, tokens, heartbeats and telemetry keep working: degraded, not down (R-L3).
        // No request the media plane answers waits on the object store (egress writes recordings there): degraded too.
        HealthModule.forRoot({
          service: SERVICE_NAME,
          checks: [RedisCheck, { use: LiveKitCheck, critical: false }, { use: ObjectStoreCheck, critical: false }],
        }),
      ],
      controllers: [
        TokensController,
        SessionsController,
        LiveKitWebhookController,
        RoomsController,
        RecordingsController,
        ...speechControllers,
        ...avatarsControllers,
      ],
      providers: [
        { provide: VSS_CONFIG, useValue: config },
        SessionTicketVerifier,
        TelemetryTokenService,
        LiveKitKeyRing,
        ObserverSecretGuard,
        TelemetryGuard,
        MediaClientGuard,
        TokensService,
        SessionRepository,
        SessionsService,
        ReaperService,
        ...recordingProviders(config),
        RecordingsService,
        { provide: RecordingStopper, useExisting: RecordingsService },
        UserManagementClient,
        InterviewStatusReporter,
        LiveKitEventsQueue,
        LiveKitWebhookService,
        ReconciliationService,
        ...speechProviders,
        ...avatarsProviders,
      ],
    };
  }
}

/**
 * Recording's moving parts, shared by the API process and the finalize worker process: the state
 * in Redis, the recorder the configuration picks (R-R4), the reports to user-management (R-R6) and
 * the finalize queue, worked here unless FINALIZE_INLINE=false leaves it to finalize workers.
 */
export function recordingProviders(
  config: VideoStreamingServerConfig,
  worksFinalize = config.recording.finalize.inline,
) {
  return [
    RecordingRepository,
    {
      provide: Recorder,
      useClass: config.recording.recorder === 'egress' ? LiveKitEgressRecorder : LocalTrackRecorder,
    },
    RecordingReportsQueue,
    { provide: FINALIZE_WORKER, useValue: worksFinalize },
    FinalizeService,
    FinalizeQueue,
  ];
}
