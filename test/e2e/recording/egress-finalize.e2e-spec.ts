import { objectStoreFromEnv } from '../../support/object-store.util';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST_DIR, LOG_DIR, ManagedProcess, TEST_PROFILE } from '@app/devstack';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EgressStatus } from 'livekit-server-sdk';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { generateAudioTrack, generateVideoTrack, writeCorruptTrack } from '../../../libs/media/src/testing';
import { FinalizeQueue } from '../../../apps/video-streaming-server/src/recordings/finalize/finalize.queue';
import { egressWebhook, newEgressIds, trackEgressInfo } from '../../support/egress.util';
import { eventually } from '../../support/eventually.util';
import { recordingApi, telemetryToken } from '../../support/recording.util';
import { as, createMeeting, createTestOrg, startUm, type TestOrg } from '../../support/um.util';
import { call, startVss } from '../../support/vss.util';

// R-R4 with the production recorder's protocol: LiveKit track egress cannot run here, so the test
// plays its part exactly: it writes track files where egress would (the object store, under the
// recording's raw prefix) and posts egress_started / egress_ended webhooks signed as livekit-server
// signs them, carrying EgressInfo as LiveKit sends it. Everything after that is Parley's: the
// verified webhook, the recording state, the finalize job, ffmpeg, the upload, the report.
const env = inject('stackEnv');
const store = objectStoreFromEnv(env);
const WORKER_PORT = TEST_PROFILE.ports.videoStreamingServer + 50;

let um: NestFastifyApplication;
let vss: NestFastifyApplication | undefined;
let org: TestOrg;
let media: string;
const workers: ManagedProcess[] = [];

interface TrackSpec {
  participant: string;
  kind: 'audio' | 'video';
  file: string;
  ext: string;
  offsetMs: number;
  durationMs: number;
}

async function postWebhook(body: string, authorization: string) {
  const response = await call(vss!, {
    url: '/v1/livekit/webhook',
    payload: body,
    headers: { 'content-type': 'application/webhook+json', authorization },
  });
  expect(response.status, response.body).toBe(200);
}

/** Starts a recording of a new meeting, then plays egress: files, started and ended webhooks, stop. */
async function recordWithEgress(tracks: TrackSpec[]) {
  const meeting = await createMeeting(um, org, 0);
  const api = recordingApi(
    vss!,
    await telemetryToken(vss!, { identity: `user-${org.users.recruiter}`, room: meeting.roomName, role: 'recruiter' }),
  );
  const started = await api.start();
  expect(started.status, started.body).toBe(200);
  expect(started.json.recorder).toBe('egress');
  const recordingId = started.json.recordingId as string;
  const t0 = Date.now();
  const files = await Promise.all(
    tracks.map(async (track) => {
      const ids = newEgressIds();
      const objectKey = `raw/${org.orgId}/${recordingId}/${track.participant}/${track.kind}-${ids.trackSid}.${track.ext}`;
      await store.put(objectKey, await readFile(track.file));
      return {
        ...ids,
        objectKey,
        sizeBytes: (await stat(track.file)).size,
        startedAtMs: t0 + track.offsetMs,
        durationMs: track.durationMs,
      };
    }),
  );
  for (const file of files) {
    const hook = await egressWebhook(
      'egress_started',
      trackEgressInfo(meeting.roomName, file, EgressStatus.EGRESS_ACTIVE),
      env.LIVEKIT_API_KEY,
      env.LIVEKIT_API_SECRET,
    );
    await postWebhook(hook.body, hook.authorization);
  }
  await eventually(async () => expect((await api.status()).tracks).toHaveLength(tracks.length));
  expect((await api.stop()).json.state).toBe('stopping');
  for (const file of files) {
    const hook = await egressWebhook(
      'egress_ended',
      trackEgressInfo(meeting.roomName, file, EgressStatus.EGRESS_COMPLETE),
      env.LIVEKIT_API_KEY,
      env.LIVEKIT_API_SECRET,
    );
    await postWebhook(hook.body, hook.authorization);
  }
  return { api, recordingId, meeting };
}

beforeAll(async () => {
  um = await startUm(env, {}, TEST_PROFILE.ports.userManagement);
  org = await createTestOrg(um, 'egress');
  media = await mkdtemp(join(tmpdir(), 'egress-media-'));
  await Promise.all([
    generateVideoTrack(join(media, 'camera.webm'), { codec: 'vp8', container: 'webm', durationSec: 6 }),
    generateAudioTrack(join(media, 'host.ogg'), { durationSec: 6, frequencyHz: 440 }),
    generateAudioTrack(join(media, 'guest.ogg'), { durationSec: 4, frequencyHz: 660 }),
    writeCorruptTrack(join(media, 'corrupt.ogg'), 'random'),
  ]);
  // Long enough for the composite (the one re-encoded video) to be caught mid-merge; made one
  // after the other so the two cores are not shared six ways.
  for (const name of ['cam-a', 'cam-b']) {
    await generateVideoTrack(join(media, `${name}.webm`), {
      codec: 'vp8',
      container: 'webm',
      durationSec: 30,
      width: 480,
      height: 360,
    });
  }
}, 180_000);
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.stop();
  await vss?.close();
  vss = undefined;
});
afterAll(async () => {
  await um?.close();
  store.destroy();
});

describe('the egress adapter (production recorder protocol)', () => {
  it('egress_ended webhooks drive the finalize: one final file, reported to user-management, raw tracks kept', async () => {
    vss = await startVss(env, { RECORDER: 'egress' }, TEST_PROFILE.ports.videoStreamingServer);
    const { api, recordingId, meeting } = await recordWithEgress([
      {
        participant: `user-${org.users.recruiter}`,
        kind: 'video',
        file: join(media, 'camera.webm'),
        ext: 'webm',
        offsetMs: 0,
        durationMs: 6_000,
      },
      {
        participant: `user-${org.users.recruiter}`,
        kind: 'audio',
        file: join(media, 'host.ogg'),
        ext: 'ogg',
        offsetMs: 0,
        durationMs: 6_000,
      },
      {
        participant: 'candidate-guest',
        kind: 'audio',
        file: join(media, 'guest.ogg'),
        ext: 'ogg',
        offsetMs: 1_000,
        durationMs: 4_000,
      },
    ]);
    const ready = await api.waitFor(['ready', 'failed'], 60_000);
    expect(ready.state, ready.failureReason ?? '').toBe('ready');
    expect(ready.result).toMatchObject({ codecs: expect.arrayContaining(['vp8', 'opus']) });
    expect(Math.abs(ready.result!.durationMs - 6_000)).toBeLessThan(600);
    const finals = await store.list(`final-recordings/${org.orgId}/${recordingId}`);
    expect(finals.map((f) => f.key)).toEqual([`final-recordings/${org.orgId}/${recordingId}.webm`]);
    expect(await store.list(`raw/${org.orgId}/${recordingId}/`)).toHaveLength(3);
    const meetingView = await eventually(async () => {
      const view = await as(um, org.tokens.recruiter, { method: 'GET', url: `/v1/meetings/${meeting.id}` });
      expect(view.json.recording.status).toBe('ready');
      return view.json;
    });
    expect(meetingView.recording.recordingId).toBe(recordingId);
    const timeline = (await api.timeline()).entries.map((e) => e.state);
    expect(timeline).toEqual(expect.arrayContaining(['starting', 'recording', 'stopping', 'finalizing', 'ready']));
  }, 120_000);

  it('a corrupt track fails the recording with the reason and keeps the raw tracks', async () => {
    vss = await startVss(env, { RECORDER: 'egress' }, TEST_PROFILE.ports.videoStreamingServer);
    const { api, recordingId } = await recordWithEgress([
      {
        participant: `user-${org.users.recruiter}`,
        kind: 'audio',
        file: join(media, 'host.ogg'),
        ext: 'ogg',
        offsetMs: 0,
        durationMs: 6_000,
      },
      {
        participant: 'candidate-guest',
        kind: 'audio',
        file: join(media, 'corrupt.ogg'),
        ext: 'ogg',
        offsetMs: 0,
        durationMs: 6_000,
      },
    ]);
    const failed = await api.waitFor(['failed'], 60_000);
    expect(failed.failureReason).toMatch(/candidate-guest|corrupt|invalid|track/i);
    expect(failed.failureReason).not.toContain('X-Amz-Signature');
    expect(await store.list(`raw/${org.orgId}/${recordingId}/`)).toHaveLength(2);
    expect(await store.list(`final-recordings/${org.orgId}/${recordingId}`)).toHaveLength(0);
  }, 120_000);
  it('with a retention of 0, raw tracks are deleted once the final file is verified, not before', async () => {
    vss = await startVss(
      env,
      { RECORDER: 'egress', RECORDING_RAW_RETENTION_SECONDS: '0' },
      TEST_PROFILE.ports.videoStreamingServer,
    );
    const { api, recordingId } = await recordWithEgress([
      {
        participant: 'candidate-guest',
        kind: 'audio',
        file: join(media, 'guest.ogg'),
        ext: 'ogg',
        offsetMs: 0,
        durationMs: 4_000,
      },
    ]);
    expect((await api.waitFor(['ready', 'failed'], 60_000)).state).toBe('ready');
    await eventually(async () => expect(await store.list(`raw/${org.orgId}/${recordingId}/`)).toHaveLength(0));
    expect(await store.list(`final-recordings/${org.orgId}/${recordingId}`)).toHaveLength(1);
    expect((await api.timeline()).entries.map((e) => e.message).join('\n')).toMatch(/raw tracks deleted \(1 file\)/);
  }, 120_000);
});

describe('a finalize worker killed mid-merge', () => {
  const startWorker = () => {
    const worker = ManagedProcess.start({
      name: `finalize-worker-${workers.length + 1}`,
      command: process.execPath,
      args: [join(DIST_DIR, 'apps/video-streaming-server/src/finalize.main.js')],
      env: { ...process.env, ...env, PORT: String(WORKER_PORT), FINALIZE_LOCK_MS: '2000', LOG_LEVEL: 'info' },
      logDir: join(LOG_DIR, TEST_PROFILE.name),
    });
    workers.push(worker);
    return worker;
  };

  it('resumes the job, and exactly one final object exists; a second delivery adds none', async () => {
    // The API process only queues; finalize runs in worker processes, as in production.
    vss = await startVss(
      env,
      { RECORDER: 'egress', FINALIZE_INLINE: 'false' },
      TEST_PROFILE.ports.videoStreamingServer,
    );
    const first = startWorker();
    const { api, recordingId } = await recordWithEgress([
      {
        participant: `user-${org.users.recruiter}`,
        kind: 'video',
        file: join(media, 'cam-a.webm'),
        ext: 'webm',
        offsetMs: 0,
        durationMs: 40_000,
      },
      {
        participant: 'candidate-guest',
        kind: 'video',
        file: join(media, 'cam-b.webm'),
        ext: 'webm',
        offsetMs: 0,
        durationMs: 40_000,
      },
      {
        participant: 'candidate-guest',
        kind: 'audio',
        file: join(media, 'guest.ogg'),
        ext: 'ogg',
        offsetMs: 0,
        durationMs: 4_000,
      },
    ]);
    // The two-camera composite is re-encoded: long enough to be caught mid-merge.
    await eventually(
      async () => {
        const status = await api.status();
        expect(status.finalize?.stage).toBe('merging');
      },
      60_000,
      50,
    );
    first.killNow();
    await first.exited;
    expect((await api.status()).state).toBe('finalizing');

    startWorker();
    const ready = await api.waitFor(['ready', 'failed'], 120_000);
    expect(ready.state, ready.failureReason ?? '').toBe('ready');
    const finals = await store.list(`final-recordings/${org.orgId}/${recordingId}`);
    expect(finals).toHaveLength(1);

    // Delivered again (an operator, a duplicate): the job sees the recording ready and adds nothing.
    const queue = vss.get(FinalizeQueue);
    // The state turns ready just before the job completes: wait for the job, then remove it.
    await eventually(async () => expect(await (await queue.job(recordingId))?.isCompleted()).toBe(true));
    await (await queue.job(recordingId))?.remove();
    await queue.enqueue(recordingId);
    await eventually(async () => expect(await (await queue.job(recordingId))?.isCompleted()).toBe(true));
    expect(await store.list(`final-recordings/${org.orgId}/${recordingId}`)).toEqual(finals);
    expect((await api.status()).state).toBe('ready');
  }, 240_000);
});
