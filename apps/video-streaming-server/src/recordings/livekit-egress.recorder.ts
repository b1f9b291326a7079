import { Inject, Injectable, Logger } from '@nestjs/common';
import { liveKitApiUrl } from '@app/livekit';
import {
  DirectFileOutput,
  EgressClient,
  RoomServiceClient,
  S3Upload,
  ServerError,
  TrackType,
  type ParticipantInfo,
} from 'livekit-server-sdk';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { trackFromEgressInfo } from './egress-info';
import type { RecordingRecord, TrackRecord } from './recording.model';
import { Recorder, RecorderUnavailable, type RecorderStartRequest } from './recorder.port';

/**
 * Production: one LiveKit track egress per published track (the interviewer's audio included),
 * each writing its encoded track straight to the object store under the recording's raw prefix.
 * Tracks published after the start get their own egress (trackPublished, from the webhook).
 * Completion arrives as verified `egress_ended` webhooks. Egress cannot be built on these
 * machines (see README): docker-compose runs the official image.
 */
@Injectable()
export class LiveKitEgressRecorder extends Recorder {
  readonly name = 'egress' as const;
  private readonly logger = new Logger(LiveKitEgressRecorder.name);
  private readonly egress: EgressClient;

  constructor(
    @Inject(VSS_CONFIG) private readonly config: VideoStreamingServerConfig,
    private readonly rooms: RoomServiceClient,
  ) {
    super();
    const { url, apiKey, apiSecret } = config.livekit;
    this.egress = new EgressClient(liveKitApiUrl(url), apiKey, apiSecret);
  }

  async start(request: RecorderStartRequest) {
    let participants: ParticipantInfo[];
    try {
      participants = await this.rooms.listParticipants(request.room);
    } catch (err) {
      // Nobody has joined yet: nothing to record now; tracks published later get their egress then.
      if (err instanceof ServerError && err.status === 404) participants = [];
      else throw new RecorderUnavailable(`LiveKit is unreachable: ${(err as Error).message}`);
    }
    const tracks: TrackRecord[] = [];
    for (const participant of participants) {
      for (const info of participant.tracks) {
        const kind = info.type === TrackType.AUDIO ? 'audio' : info.type === TrackType.VIDEO ? 'video' : null;
        if (!kind) continue;
        tracks.push(await this.startTrack(request, { participant: participant.identity, trackSid: info.sid, kind }));
      }
    }
    return { recorderIds: tracks.map((t) => t.egressId), tracks };
  }

  async stop(_recording: RecordingRecord, tracks: readonly TrackRecord[]): Promise<TrackRecord[]> {
    await Promise.all(
      tracks
        .filter((t) => t.status === 'active')
        .map((t) =>
          this.egress.stopEgress(t.egressId).catch((err: Error) => {
            // Already ended (the track was unpublished): its egress_ended webhook says how.
            this.logger.warn({ err, egressId: t.egressId }, 'stopping a track egress failed');
          }),
        ),
    );
    return [];
  }

  async trackPublished(
    recording: RecordingRecord,
    track: { participant: string; trackSid: string; kind: 'audio' | 'video' },
  ): Promise<TrackRecord | null> {
    return this.startTrack(
      {
        recordingId: recording.id,
        room: recording.room,
        orgId: recording.orgId,
        filepathPrefix: `raw/${recording.orgId}/${recording.id}/`,
      },
      track,
    );
  }

  private async startTrack(
    request: RecorderStartRequest,
    track: { participant: string; trackSid: string; kind: 'audio' | 'video' },
  ): Promise<TrackRecord> {
    const store = this.config.objectStore;
    // Egress adds the extension its container needs (.ogg for Opus, .webm for VP8, .mp4 for H.264).
    const output = new DirectFileOutput({
      filepath: `${request.filepathPrefix}${track.participant}/${track.kind}-${track.trackSid}`,
      output: {
        case: 's3',
        value: new S3Upload({
          accessKey: store.accessKeyId,
          secret: store.secretAccessKey,
          region: store.region,
          endpoint: store.endpoint,
          bucket: store.bucket,
          forcePathStyle: store.forcePathStyle,
        }),
      },
    });
    try {
      const info = await this.egress.startTrackEgress(request.room, output, track.trackSid);
      const parsed = trackFromEgressInfo(info);
      return (
        parsed?.track ?? {
          egressId: info.egressId,
          participant: track.participant,
          kind: track.kind,
          trackSid: track.trackSid,
          status: 'active',
        }
      );
    } catch (err) {
      throw new RecorderUnavailable(`LiveKit egress could not start: ${(err as Error).message}`);
    }
  }
}
