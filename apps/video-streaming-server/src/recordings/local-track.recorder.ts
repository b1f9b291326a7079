import { Inject, Injectable } from '@nestjs/common';
import { AccessToken } from 'livekit-server-sdk';
import { VSS_CONFIG, type VideoStreamingServerConfig } from '../config';
import { egressInfoFromJson, trackFromEgressInfo } from './egress-info';
import type { RecordingRecord, TrackRecord } from './recording.model';
import { Recorder, RecorderUnavailable, type RecorderStartRequest } from './recorder.port';

const START_TIMEOUT_MS = 20_000;
// Stopping uploads every track before answering: allow for a long recording's last upload.
const STOP_TIMEOUT_MS = 120_000;

/**
 * Parley's Go-SDK recorder (recorder/): a hidden participant with the recorder grant that writes
 * each subscribed track's encoded RTP without re-encoding, for machines where LiveKit egress cannot
 * run. Called like egress's own API: a LiveKit token with the roomRecord grant.
 */
@Injectable()
export class LocalTrackRecorder extends Recorder {
  readonly name = 'local' as const;

  constructor(@Inject(VSS_CONFIG) private readonly config: VideoStreamingServerConfig) {
    super();
  }

  async start(request: RecorderStartRequest) {
    const body = await this.call('POST', '/v1/recordings', START_TIMEOUT_MS, {
      recordingId: request.recordingId,
      room: request.room,
      filepathPrefix: request.filepathPrefix,
    });
    if (!body.ok) throw new RecorderUnavailable(`the recorder refused to start: ${body.message}`);
    return { recorderIds: [`recorder-${request.recordingId}`], tracks: [] };
  }

  async stop(recording: RecordingRecord): Promise<TrackRecord[]> {
    const body = await this.call('POST', `/v1/recordings/${recording.id}/stop`, STOP_TIMEOUT_MS);
    // The recorder does not know it: it restarted, and reports what it saved as aborted tracks.
    if (!body.ok && body.status === 404) return [];
    if (!body.ok) throw new RecorderUnavailable(`the recorder could not stop: ${body.message}`);
    const tracks = Array.isArray(body.json.tracks) ? (body.json.tracks as unknown[]) : [];
    return tracks.flatMap((json) => {
      const parsed = trackFromEgressInfo(egressInfoFromJson(json));
      return parsed && parsed.recordingId === recording.id ? [parsed.track] : [];
    });
  }

  // The recorder subscribes to every track on its own.
  async trackPublished(): Promise<null> {
    return null;
  }

  private async call(
    method: 'POST',
    path: string,
    timeoutMs: number,
    body?: unknown,
  ): Promise<{ ok: true; json: Record<string, unknown> } | { ok: false; status: number; message: string }> {
    const { apiKey, apiSecret } = this.config.livekit;
    const token = new AccessToken(apiKey, apiSecret, { identity: 'video-streaming-server', ttl: 60 });
    token.addGrant({ roomRecord: true });
    let response: Response;
    try {
      response = await fetch(`${this.config.recording.localRecorderUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${await token.toJwt()}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new RecorderUnavailable(`the recorder is unreachable: ${(err as Error).message}`);
    }
    const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.ok) return { ok: true, json };
    const message = typeof json.error === 'string' ? json.error : `HTTP ${response.status}`;
    return { ok: false, status: response.status, message };
  }
}
