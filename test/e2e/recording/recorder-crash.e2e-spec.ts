import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { liveKitApiUrl } from '@app/livekit';
import { LOG_DIR, SimulatedCandidate, startRecorder, TEST_PROFILE, type RecorderHandle } from '@app/devstack';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../../support/eventually.util';
import { joinToken } from '../../support/livekit.util';
import { recordingApi, telemetryToken } from '../../support/recording.util';
import { createMeeting, createTestOrg, startUm, type TestOrg } from '../../support/um.util';
import { startVss } from '../../support/vss.util';

// R-R4: the recorder killed mid-recording. What it had written is kept (its spool survives), it
// uploads that when it starts again and reports the tracks aborted; the recording stops, is
// finalized from what was saved, and its status says it was cut short.
const env = inject('stackEnv');
const rooms = new RoomServiceClient(liveKitApiUrl(env.LIVEKIT_URL), env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET);
// A recorder of this file's own (the stack's stays untouched), on a port next to the stack's.
const RECORDER_PORT = TEST_PROFILE.ports.recorder + 50;
const spoolDir = mkdtempSync(join(tmpdir(), 'recorder-spool-'));

let um: NestFastifyApplication;
let vss: NestFastifyApplication;
let org: TestOrg;
let recorder: RecorderHandle | undefined;
let participant: SimulatedCandidate | undefined;

const startOwnRecorder = () =>
  startRecorder(
    {
      name: 'recorder-crash-test',
      port: RECORDER_PORT,
      livekitUrl: env.LIVEKIT_URL,
      livekitApiKey: env.LIVEKIT_API_KEY,
      livekitApiSecret: env.LIVEKIT_API_SECRET,
      objectStore: {
        endpoint: env.S3_ENDPOINT,
        region: env.S3_REGION,
        bucket: env.S3_BUCKET,
        accessKeyId: env.S3_ACCESS_KEY_ID,
        secretAccessKey: env.S3_SECRET_ACCESS_KEY,
      },
      webhookUrl: `http://127.0.0.1:${TEST_PROFILE.ports.videoStreamingServer}/v1/livekit/webhook`,
      spoolDir,
      logDir: join(LOG_DIR, TEST_PROFILE.name),
    },
    () => undefined,
  );

beforeAll(async () => {
  um = await startUm(env, {}, TEST_PROFILE.ports.userManagement);
  vss = await startVss(
    env,
    { RECORDER_URL: `http://127.0.0.1:${RECORDER_PORT}`, RECORDING_TRACK_WAIT_MS: '30000' },
    TEST_PROFILE.ports.videoStreamingServer,
  );
  org = await createTestOrg(um, 'reccrash');
  recorder = await startOwnRecorder();
}, 240_000);
afterAll(async () => {
  await participant?.leave().catch(() => undefined);
  await recorder?.stop();
  await vss?.close();
  await um?.close();
});

describe('the recorder killed mid-recording', () => {
  it('keeps and finalizes what was written, and the status says the recording was cut short', async () => {
    const meeting = await createMeeting(um, org, 0);
    await rooms.createRoom({ name: meeting.roomName, emptyTimeout: 60 });
    const identity = `user-${org.users.recruiter}`;
    participant = await SimulatedCandidate.join({
      url: env.LIVEKIT_URL,
      token: await joinToken(env, identity, meeting.roomName, { canPublish: true, canSubscribe: true }),
    });
    await participant.publishCamera();
    void participant.say('Recording this meeting until the recorder goes away.');
    const api = recordingApi(vss, await telemetryToken(vss, { identity, room: meeting.roomName, role: 'recruiter' }));
    expect((await api.start()).status).toBe(200);
    await eventually(async () =>
      expect((await api.status()).tracks.map((t) => t.kind).sort()).toEqual(['audio', 'video']),
    );
    await new Promise((r) => setTimeout(r, 5_000));

    recorder!.process.killNow();
    await recorder!.process.exited;
    expect((await api.status()).state).toBe('recording');

    recorder = await startOwnRecorder();
    const done = await api.waitFor(['ready', 'failed'], 90_000);
    expect(done.state, done.failureReason ?? '').toBe('ready');
    expect(done.cutShort).toBe(true);
    expect(done.stoppedBy?.identity).toBe('system:recorder-stopped');
    expect(done.tracks.every((t) => t.status === 'aborted')).toBe(true);
    // About the 5 s recorded before the kill (at most the last second lost).
    expect(done.result!.durationMs).toBeGreaterThan(3_500);
    expect(done.result!.codecs).toEqual(expect.arrayContaining(['vp8', 'opus']));
  }, 240_000);
});
