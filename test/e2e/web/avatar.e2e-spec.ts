import { SimulatedCandidate, TEST_PROFILE, type ManagedProcess } from '@app/devstack';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_POSTING } from '../../../tools/demo-script';
import { createPlannedInterview, startWorker } from '../../support/agent.util';
import { captureConsole, launchChromium, newPage, saveScreenshots, webUrl } from '../../support/browser.util';
import { eventually } from '../../support/eventually.util';
import { joinToken } from '../../support/livekit.util';
import { startSimliStandIn, type SimliStandIn } from '../../support/simli-stand-in';
import { createTestOrg, db, startUm, type TestOrg } from '../../support/um.util';
import { startVss } from '../../support/vss.util';

// Issue 12 / R-A2, R-A3 in the browser: the interviewer's tile shows the vendor's face where the
// org's tier has one and the vendor answers, the orb otherwise. Simli is the stand-in speaking its
// documented LiveKit-mode session socket; the "face" it hands the browser is a real LiveKit room on
// the test SFU, where an SDK participant publishes a test pattern, so simli-client really joins,
// subscribes and decodes. The browser sends the interviewer's voice on the socket for lip sync.
const env = inject('stackEnv');
const POSTING = { ...DEMO_POSTING, recordingPolicy: 'off' as const, questions: [DEMO_POSTING.questions[0]!] };

let um: NestFastifyApplication;
let vss: NestFastifyApplication;
let worker: ManagedProcess;
let simli: SimliStandIn;
let premium: TestOrg;
let standard: TestOrg;
let browser: Browser;
const faces: SimulatedCandidate[] = [];
/** Whether the stand-in hands out a room that exists (false: a LiveKit URL nothing answers on). */
let faceReachable = true;

beforeAll(async () => {
  simli = await startSimliStandIn({
    joinInfo: async (sessionToken) => {
      const room = `simli-face-${sessionToken.slice(-8)}`;
      if (!faceReachable) return { livekit_url: 'ws://127.0.0.1:9', livekit_token: 'unreachable' };
      const face = await SimulatedCandidate.join({
        url: env.LIVEKIT_URL,
        token: await joinToken(env, 'simli-face', room, { canPublish: true, canSubscribe: false }),
      });
      await face.publishCamera({ width: 320, height: 240, fps: 15 });
      faces.push(face);
      return {
        livekit_url: env.LIVEKIT_URL,
        livekit_token: await joinToken(env, 'simli-viewer', room, { canPublish: false, canSubscribe: true }),
      };
    },
  });
  um = await startUm(env, {}, TEST_PROFILE.ports.userManagement);
  vss = await startVss(
    env,
    { SIMLI_API_KEY: simli.apiKey, SIMLI_BASE_URL: simli.url, SIMLI_FACE_ID: 'face-stand-in', AVATAR_POOL_SIZE: '0' },
    TEST_PROFILE.ports.videoStreamingServer,
  );
  worker = await startWorker(env, { ESPEAK_RATE_WPM: '320' });
  premium = await createTestOrg(um, 'webavatar-premium');
  standard = await createTestOrg(um, 'webavatar-standard');
  await db(um).query("UPDATE organizations SET tier='premium' WHERE id=$1", [premium.orgId]);
  browser = await launchChromium();
}, 240_000);
afterAll(async () => {
  await browser?.close();
  for (const face of faces) await face.leave();
  await worker?.stop();
  await vss?.close();
  await um?.close();
  await simli?.close();
});

/** Opens `org`'s new interview and joins it (no recording policy, so no consent step). */
async function joinInterview(
  org: TestOrg,
): Promise<{ page: Page; avatarStatus: Promise<number>; consoleLines: string[] }> {
  const interview = await createPlannedInterview(um, org, POSTING);
  const page = await newPage(browser);
  const consoleLines = captureConsole(page);
  const avatarStatus = page
    .waitForResponse((r) => r.url().endsWith('/v1/avatar-sessions'), { timeout: 30_000 })
    .then((r) => r.status());
  await page.goto(webUrl(`/interview#invite=${interview.code}`));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('button', { name: 'Join the interview' }).click();
  await page.getByRole('button', { name: 'Mute microphone', exact: true }).waitFor({ timeout: 30_000 });
  return { page, avatarStatus, consoleLines };
}

/** The largest absolute sample of little-endian PCM16 audio. */
function peakSample(pcm: Buffer): number {
  let peak = 0;
  for (let i = 0; i + 1 < pcm.length; i += 2) peak = Math.max(peak, Math.abs(pcm.readInt16LE(i)));
  return peak;
}

const faceFrames = (page: Page) =>
  page.locator('video.avatar-video').evaluate(
    (v) =>
      new Promise<number>((resolve) => {
        const video = v as unknown as {
          videoWidth: number;
          requestVideoFrameCallback(cb: () => void): void;
        };
        let frames = 0;
        const count = () => {
          frames += 1;
          if (frames < 5) video.requestVideoFrameCallback(count);
          else resolve(video.videoWidth);
        };
        video.requestVideoFrameCallback(count);
        setTimeout(() => resolve(frames >= 5 ? video.videoWidth : 0), 5_000);
      }),
  );

describe('the interviewer’s face in the browser', () => {
  it('a premium org sees the vendor’s face (decoded frames) instead of the orb, and the interviewer’s voice goes to the vendor for lip sync', async () => {
    const sessionsBefore = simli.audioSessions.length;
    const { page, avatarStatus, consoleLines } = await joinInterview(premium);
    expect(await avatarStatus).toBe(200);
    await expect.poll(() => page.locator('video.avatar-video').isVisible(), { timeout: 20_000 }).toBe(true);
    expect(await faceFrames(page)).toBeGreaterThan(0);
    expect(await page.locator('.orb').count()).toBe(0);
    await saveScreenshots(page, 'candidate-interview-room-avatar');

    // The interviewer speaks; its voice reaches the vendor's socket as PCM16 for the lips.
    const session = await eventually(() => {
      const s = simli.audioSessions[sessionsBefore];
      expect(s).toBeDefined();
      expect(s!.audio.length).toBeGreaterThan(16_000 * 2); // more than a second of 16 kHz PCM16
      // The voice itself, not silence: some samples are loud.
      expect(peakSample(s!.audio)).toBeGreaterThan(2_000);
      return s!;
    }, 60_000);
    // The vendor's session token stayed out of the console (simli-client logs at ERROR only).
    expect(consoleLines.filter((l) => l.includes(session.token))).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('a standard org is refused by the media plane and keeps the orb', async () => {
    const { page, avatarStatus } = await joinInterview(standard);
    expect(await avatarStatus).toBe(403);
    await expect.poll(() => page.locator('.orb').count()).toBe(1);
    expect(await page.locator('video.avatar-video').isVisible()).toBe(false);
    await page.context().close();
  }, 60_000);

  it('when the face never starts, the orb stays after the start timeout', async () => {
    faceReachable = false;
    try {
      const { page, avatarStatus } = await joinInterview(premium);
      expect(await avatarStatus).toBe(200);
      // The orb shows meanwhile and after the 10 s start timeout; the video never does.
      for (let i = 0; i < 6; i++) {
        expect(await page.locator('.orb').count()).toBe(1);
        expect(await page.locator('video.avatar-video').isVisible()).toBe(false);
        await page.waitForTimeout(2_000);
      }
      await page.context().close();
    } finally {
      faceReachable = true;
    }
  }, 60_000);
});
