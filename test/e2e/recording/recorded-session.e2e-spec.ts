import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { INTERVIEWER_IDENTITY } from '@app/contracts';
import { liveKitApiUrl } from '@app/livekit';
import { TEST_PROFILE, type ManagedProcess, type SimulatedCandidate } from '@app/devstack';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RoomServiceClient } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { meanVolumeDb, runTool } from '../../../libs/media/src/testing';

import { DEMO_POSTING } from '../../../tools/demo-script';
import { createPlannedInterview, joinAsCandidate, startWorker } from '../../support/agent.util';
import { eventually } from '../../support/eventually.util';
import { recordingApi, telemetryToken } from '../../support/recording.util';
import { as, call, createTestOrg, startUm, type TestOrg } from '../../support/um.util';
import { startVss } from '../../support/vss.util';

// R-R4, R-R6, R-R7 end to end: a real interview (the agent speaking through espeak-ng, a
// candidate publishing a microphone and a camera over rtc-node) recorded by the Go-SDK recorder on
// livekit-server, finalized by ffmpeg from the object store, reported to user-management, and
// replayed through its signed URL.
const env = inject('stackEnv');
const rooms = new RoomServiceClient(liveKitApiUrl(env.LIVEKIT_URL), env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET);

async function streamsOf(file: string) {
  const { stdout } = await runTool('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file]);
  return (
    JSON.parse(stdout) as { streams: Array<{ index: number; codec_type: string; tags?: Record<string, string> }> }
  ).streams;
}
const titleOf = (s: { tags?: Record<string, string> }) => s.tags?.title ?? s.tags?.TITLE ?? '';

let um: NestFastifyApplication;
let vss: NestFastifyApplication;
let worker: ManagedProcess;
let org: TestOrg;
let candidate: SimulatedCandidate | undefined;

beforeAll(async () => {
  um = await startUm(env, { REPLAY_URL_TTL_SECONDS: '30' }, TEST_PROFILE.ports.userManagement);
  vss = await startVss(env, { RECORDING_TRACK_WAIT_MS: '20000' }, TEST_PROFILE.ports.videoStreamingServer);
  worker = await startWorker(env, { ESPEAK_RATE_WPM: '300' });
  org = await createTestOrg(um, 'recsession');
}, 240_000);
afterAll(async () => {
  await candidate?.leave().catch(() => undefined);
  await worker?.stop();
  await vss?.close();
  await um?.close();
});

describe('a recorded interview (R-R4)', () => {
  it('has the video, the mixed audio and separate interviewer and candidate streams, each non-silent; replay is signed, expiring, tenant-checked and audited', async () => {
    const interview = await createPlannedInterview(um, org, { ...DEMO_POSTING, recordingPolicy: 'mandatory' });
    expect(
      (await call(um, { url: '/v1/invites/consent', body: { invite: interview.code, choice: 'given' } })).status,
    ).toBe(200);
    const staff = recordingApi(
      vss,
      await telemetryToken(vss, { identity: `user-${org.users.recruiter}`, room: interview.room, role: 'recruiter' }),
    );

    await rooms.createRoom({ name: interview.room, emptyTimeout: 60, departureTimeout: 10 });
    candidate = await joinAsCandidate(env, interview);
    // The interview records from the candidate's arrival (mandatory policy, consent given).
    const recording = await staff.waitFor(['recording'], 30_000);
    expect(recording.startedBy?.identity).toBe('system:interview-policy');
    // A camera turned on after the recording started is recorded too.
    await candidate.publishCamera({ width: 320, height: 240, fps: 15 });

    // The interviewer greets and asks; the candidate answers aloud.
    await eventually(() => expect(candidate!.agentLoudFrames).toBeGreaterThan(100), 60_000);
    await candidate.say('I would use a token bucket per client, kept in a shared store.');
    await eventually(
      () =>
        expect(
          staff.status().then((s) => s.tracks.map((t) => `${t.participant.split('-')[0]}:${t.kind}`).sort()),
        ).resolves.toEqual(['candidate:audio', 'candidate:video', 'parley:audio']),
      20_000,
    );

    const stopped = await staff.stop();
    expect(stopped.json.state).not.toBe('recording');
    const ready = await staff.waitFor(['ready', 'failed'], 120_000);
    expect(ready.state, ready.failureReason ?? '').toBe('ready');
    expect(ready.cutShort).toBe(false);
    expect(ready.result!.codecs).toEqual(expect.arrayContaining(['vp8', 'opus']));
    expect(ready.result!.durationMs).toBeGreaterThan(3_000);

    // user-management has it (R-R6), and hands the hiring team a signed URL (R-R7).
    const listed = await eventually(async () => {
      const response = await as(um, org.tokens.hiring_manager, {
        method: 'GET',
        url: `/v1/recordings?subjectType=interview&subjectId=${interview.interviewId}`,
      });
      expect(response.json[0]?.status).toBe('ready');
      return response.json[0] as { id: string; durationMs: number; mediaStartedAt: string };
    });
    expect(listed.durationMs).toBe(ready.result!.durationMs);
    expect(listed.mediaStartedAt).toBe(ready.result!.mediaStartedAt);
    const playback = await as(um, org.tokens.hiring_manager, {
      method: 'POST',
      url: `/v1/recordings/${listed.id}/playback`,
    });
    expect(playback.status).toBe(200);
    const download = await fetch(playback.json.url);
    expect(download.status).toBe(200);
    const file = join(tmpdir(), `recorded-${randomUUID()}.webm`);
    await writeFile(file, Buffer.from(await download.arrayBuffer()));

    const streams = await streamsOf(file);
    const video = streams.filter((s) => s.codec_type === 'video');
    const audio = streams.filter((s) => s.codec_type === 'audio');
    expect(video).toHaveLength(1);
    const titles = audio.map(titleOf);
    expect(titles[0]).toBe('mix');
    const agentStream = titles.indexOf(INTERVIEWER_IDENTITY);
    const candidateStream = titles.indexOf(`candidate-${interview.candidateId}`);
    expect(agentStream).toBeGreaterThan(0);
    expect(candidateStream).toBeGreaterThan(0);
    for (const stream of [0, agentStream, candidateStream]) {
      expect(await meanVolumeDb(file, audio[stream].index), `audio stream ${titles[stream]}`).toBeGreaterThan(-60);
    }

    // Another org's hiring manager: the recording does not exist for them.
    const other = await createTestOrg(um, 'recother');
    expect(
      (await as(um, other.tokens.hiring_manager, { method: 'POST', url: `/v1/recordings/${listed.id}/playback` }))
        .status,
    ).toBe(404);
    // Each issuance is audited.
    const audit = await as(um, org.tokens.admin, { method: 'GET', url: `/v1/recordings/${listed.id}/audit` });
    expect(audit.json.map((a: { action: string }) => a.action)).toContain('recording.playback_url_issued');
    // The URL stops working after its expiry (30 s here).
    const waitMs = Date.parse(playback.json.expiresAt) - Date.now() + 2_000;
    await new Promise((r) => setTimeout(r, Math.max(0, waitMs)));
    expect((await fetch(playback.json.url)).status).toBe(403);
  }, 300_000);
});
