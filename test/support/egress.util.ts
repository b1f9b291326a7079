import { randomBytes } from 'node:crypto';
import { DirectFileOutput, EgressInfo, EgressStatus, TrackEgressRequest, WebhookEvent } from 'livekit-server-sdk';
import { signWebhook } from './webhook.util';

const id = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;
const ns = (ms: number) => BigInt(Math.round(ms)) * 1_000_000n;

export interface EgressTrackFile {
  egressId?: string;
  trackSid?: string;
  objectKey: string;
  sizeBytes: number;
  startedAtMs: number;
  durationMs: number;
}

/**
 * A track egress's EgressInfo as LiveKit sends it: the track request with its file output, and,
 * once ended, the fileResults (nanosecond times, sizes, s3 location).
 */
export function trackEgressInfo(
  room: string,
  file: EgressTrackFile & { egressId: string; trackSid: string },
  status: EgressStatus,
  error = '',
): EgressInfo {
  const ended = status !== EgressStatus.EGRESS_ACTIVE;
  return new EgressInfo({
    egressId: file.egressId,
    roomId: 'RM_egress_test',
    roomName: room,
    status,
    error,
    startedAt: ns(file.startedAtMs),
    endedAt: ended ? ns(file.startedAtMs + file.durationMs) : 0n,
    updatedAt: ns(Date.now()),
    request: {
      case: 'track',
      value: new TrackEgressRequest({
        roomName: room,
        trackId: file.trackSid,
        output: { case: 'file', value: new DirectFileOutput({ filepath: file.objectKey }) },
      }),
    },
    fileResults: ended
      ? [
          {
            filename: file.objectKey,
            location: `s3://parley/${file.objectKey}`,
            size: BigInt(file.sizeBytes),
            duration: ns(file.durationMs),
            startedAt: ns(file.startedAtMs),
            endedAt: ns(file.startedAtMs + file.durationMs),
          },
        ]
      : [],
  });
}

/** The webhook LiveKit posts for `info`: its JSON body and the Authorization header signing it. */
export async function egressWebhook(
  event: 'egress_started' | 'egress_updated' | 'egress_ended',
  info: EgressInfo,
  apiKey: string,
  apiSecret: string,
): Promise<{ body: string; authorization: string }> {
  const message = new WebhookEvent({
    id: id('EV'),
    createdAt: BigInt(Math.floor(Date.now() / 1000)),
    egressInfo: info,
  });
  // The SDK's WebhookEvent declares `event` as a class field, which resets what the constructor set.
  message.event = event;
  const body = message.toJsonString();
  return { body, authorization: await signWebhook(body, apiKey, apiSecret) };
}

export const newEgressIds = () => ({ egressId: id('EG'), trackSid: id('TR') });
