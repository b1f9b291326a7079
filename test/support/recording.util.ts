import type { RecordingState, RecordingStatusResponse } from '@app/contracts';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { expect } from 'vitest';
import { TelemetryTokenService } from '../../apps/video-streaming-server/src/auth/telemetry-token.service';
import { eventually } from './eventually.util';
import { call } from './vss.util';

/**
 * A telemetry JWT for `identity` in `room`, as POST /v1/tokens/telemetry would issue it after the
 * LiveKit token exchange (tested on its own in tokens.e2e-spec.ts), minted by the app's own service.
 */
export async function telemetryToken(
  vss: NestFastifyApplication,
  subject: { identity: string; room: string; role: string; org?: string },
): Promise<string> {
  return (await vss.get(TelemetryTokenService).mint(subject)).token;
}

/** The recording endpoints of video-streaming-server, as one participant. */
export function recordingApi(vss: NestFastifyApplication, token: string) {
  const auth = { authorization: `Bearer ${token}` };
  const post = (path: string, body: unknown = {}) =>
    call(vss, { url: `/v1/recordings/current${path}`, body, headers: auth });
  return {
    start: (body: unknown = {}) => post('/start', body),
    stop: () => post('/stop'),
    approve: (requestId: string) => post(`/stop-requests/${requestId}/approve`),
    reject: (requestId: string) => post(`/stop-requests/${requestId}/reject`),
    status: async () =>
      (await call(vss, { method: 'GET', url: '/v1/recordings/current', headers: auth }))
        .json as RecordingStatusResponse,
    timeline: async () =>
      (await call(vss, { method: 'GET', url: '/v1/recordings/current/timeline', headers: auth })).json as {
        entries: Array<{ at: string; state: string; message: string }>;
      },
    /** Polls the status until the state is one of `states`. */
    async waitFor(states: RecordingState[], timeoutMs = 60_000): Promise<RecordingStatusResponse> {
      return eventually(async () => {
        const status = await this.status();
        expect(states, `state ${status.state} (${status.failureReason ?? ''})`).toContain(status.state);
        return status;
      }, timeoutMs);
    },
  };
}
