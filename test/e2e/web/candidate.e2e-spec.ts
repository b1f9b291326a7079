import { TEST_PROFILE, type ManagedProcess } from '@app/devstack';
import { liveKitApiUrl } from '@app/livekit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RoomServiceClient } from 'livekit-server-sdk';
import type { Browser, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEMO_POSTING } from '../../../tools/demo-script';
import { createPlannedInterview, startWorker } from '../../support/agent.util';
import {
  captureConsole,
  launchChromium,
  newPage,
  saveScreenshots,
  seriousAccessibilityViolations,
  speechWav,
  webUrl,
} from '../../support/browser.util';
import { eventually } from '../../support/eventually.util';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.util';
import { as, createTestOrg, startUm, type TestOrg } from '../../support/um.util';
import { startVss } from '../../support/vss.util';

// Issue 12: the candidate's pages in a real Chromium against the real stack (user-management
// serving the built app, the media plane, livekit-server, the interviewer agent, the recorder).
// The candidate's LiveKit URL goes through a TCP proxy, so the test can really cut the connection.
const env = inject('stackEnv');
const rooms = new RoomServiceClient(liveKitApiUrl(env.LIVEKIT_URL), env.LIVEKIT_API_KEY, env.LIVEKIT_API_SECRET);

const [Q1, Q2] = [DEMO_POSTING.questions[0]!, DEMO_POSTING.questions[1]!];
const POSTING = { ...DEMO_POSTING, recordingPolicy: 'mandatory' as const, questions: [Q1, Q2] };
const TYPED_ANSWER =
  'I would put a Redis caching layer in front of PostgreSQL, keep the app servers stateless for horizontal scaling, ' +
  'and plan for failure modes: if the cache fails we fall back to the database with rate limits.';
const SPOKEN_ANSWER = 'I looked at the metrics and the logs first, and I could reproduce the problem in staging.';

let um: NestFastifyApplication;
let vss: NestFastifyApplication;
let worker: ManagedProcess;
let proxy: TcpProxy;
let org: TestOrg;
let browser: Browser;

beforeAll(async () => {
  proxy = await startTcpProxy(TEST_PROFILE.livekit.port);
  um = await startUm(env, {}, TEST_PROFILE.ports.userManagement);
  vss = await startVss(env, { LIVEKIT_PUBLIC_URL: proxy.url }, TEST_PROFILE.ports.videoStreamingServer);
  worker = await startWorker(env, { ESPEAK_RATE_WPM: '320', AGENT_OUTBOX_SWEEP_MS: '1000' });
  org = await createTestOrg(um, 'webcand');
  browser = await launchChromium({ audioWav: await speechWav(SPOKEN_ANSWER) });
}, 240_000);
afterAll(async () => {
  await browser?.close();
  await worker?.stop();
  await vss?.close();
  await um?.close();
  await proxy?.close();
});

const heading = (page: Page) => page.locator('main h1');

describe('the candidate in the browser (issue 12)', () => {
  it('an invite link that does not work and an expired invite each say so', async () => {
    const page = await newPage(browser);
    await page.goto(webUrl('/interview#invite=not-a-real-code'));
    await expect.poll(() => heading(page).textContent()).toBe('This invite link does not work');

    const interview = await createPlannedInterview(um, org, POSTING);
    await um
      .get(DataSource)
      .query('UPDATE interviews SET invite_expires_at = $2 WHERE id = $1', [
        interview.interviewId,
        new Date(Date.now() - 60_000),
      ]);
    await page.goto(webUrl(`/interview#invite=${interview.code}`));
    await page.reload();
    await expect.poll(() => heading(page).textContent()).toBe('This invite has expired');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Ask the recruiter for a new one');
    await saveScreenshots(page, 'candidate-invite-expired');
    await page.context().close();
  });

  it('with a mandatory policy, declining consent keeps the candidate out with a clear message', async () => {
    const interview = await createPlannedInterview(um, org, POSTING);
    const page = await newPage(browser);
    await page.goto(webUrl(`/interview#invite=${interview.code}`));
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => heading(page).textContent()).toBe('This interview is recorded');
    // Joining needs the box ticked.
    expect(await page.getByRole('button', { name: 'Agree and join' }).isDisabled()).toBe(true);
    await saveScreenshots(page, 'candidate-consent-mandatory');
    await page.getByRole('button', { name: 'I don’t agree' }).click();
    await expect.poll(() => heading(page).textContent()).toBe('You can’t join without recording');
    await saveScreenshots(page, 'candidate-consent-declined');

    const view = await as(um, org.tokens.recruiter, { method: 'GET', url: `/v1/interviews/${interview.interviewId}` });
    expect(view.json.consent).toBe('declined');
    // Nobody joined the room.
    const participants = await rooms.listParticipants(interview.room).catch(() => []);
    expect(participants.filter((p) => p.identity.startsWith('candidate-'))).toHaveLength(0);
    await page.context().close();
  });

  it('opens the invite, checks devices, consents, is interviewed by typing and by microphone through a real SFU cut, and ends on the end screen with a scorecard', async () => {
    const interview = await createPlannedInterview(um, org, POSTING);
    const page = await newPage(browser);
    const consoleLines = captureConsole(page);
    await page.goto(webUrl(`/interview#invite=${interview.code}`));

    // Landing: the job, the interviewer, how long, what happens.
    await expect.poll(() => heading(page).textContent()).toBe(POSTING.title);
    expect(await page.locator('.facts').textContent()).toContain(`About ${POSTING.timeBudgetMinutes} minutes`);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await saveScreenshots(page, 'candidate-landing');
    await page.getByRole('button', { name: 'Continue' }).click();

    // Device check: the fake camera shows, the fake microphone moves the meter.
    await expect.poll(() => heading(page).textContent()).toBe('Check your camera and microphone');
    await expect
      .poll(() =>
        page
          .locator('video[aria-label="Your camera preview"]')
          .evaluate((v) => (v as unknown as { videoWidth: number }).videoWidth),
      )
      .toBeGreaterThan(0);
    await expect
      .poll(() => page.getByRole('meter', { name: 'Microphone level' }).getAttribute('aria-valuenow').then(Number), {
        timeout: 10_000,
      })
      .toBeGreaterThan(0);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await saveScreenshots(page, 'candidate-device-check');
    await page.getByRole('button', { name: 'Continue' }).click();

    // Consent, then the room.
    await page.getByLabel('I agree that this interview is recorded').check();
    await page.getByRole('button', { name: 'Agree and join' }).click();
    // exact: "Mute microphone" is a substring of "Unmute microphone", the label before the mic is on.
    await page.getByRole('button', { name: 'Mute microphone', exact: true }).click({ timeout: 30_000 });

    // The interviewer speaks: its captions arrive on lk.transcription.
    const captions = page.locator('.caption-interviewer');
    await expect
      .poll(() => captions.allTextContents(), { timeout: 60_000 })
      .toEqual(expect.arrayContaining([expect.stringContaining(Q1.text)]));
    // The room is recorded (mandatory policy, consent given), and the page says so.
    await expect.poll(() => page.locator('.rec').textContent(), { timeout: 30_000 }).toBe('Recording');
    expect(await page.locator('.progress').textContent()).toContain('1 of 2');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await saveScreenshots(page, 'candidate-interview-room');

    // A typed answer (lk.chat) moves the interview on.
    await page.getByLabel('Type your answer').fill(TYPED_ANSWER);
    await page.keyboard.press('Enter');
    await expect
      .poll(() => captions.allTextContents(), { timeout: 60_000 })
      .toEqual(expect.arrayContaining([expect.stringContaining(Q2.text)]));

    // The connection to the SFU is really cut: the banner shows, the room comes back, nothing is lost.
    const captionsBefore = await page.locator('.caption').count();
    const cut = proxy.cut(4_000);
    await expect
      .poll(() => page.getByText('Connection lost — reconnecting').isVisible(), { timeout: 15_000 })
      .toBe(true);
    // The last quality report is stale while reconnecting: the badge says so.
    expect(await page.locator('.quality').textContent()).toBe('Connection: lost');
    await saveScreenshots(page, 'candidate-reconnecting');
    await cut;
    await expect
      .poll(() => page.getByText('Connection lost — reconnecting').isVisible(), { timeout: 30_000 })
      .toBe(false);
    expect(await page.locator('.caption').count()).toBeGreaterThanOrEqual(captionsBefore);
    expect(await page.locator('.progress').textContent()).toContain('2 of 2');

    // The second answer by (fake) microphone; the interviewer closes and the page ends.
    await page.getByRole('button', { name: 'Unmute microphone', exact: true }).click();
    await expect.poll(() => heading(page).textContent(), { timeout: 150_000 }).toBe('Your interview is complete');
    await saveScreenshots(page, 'candidate-end');

    // The scorecard is in user-management.
    const results = await eventually(async () => {
      const view = await as(um, org.tokens.hiring_manager, {
        method: 'GET',
        url: `/v1/interviews/${interview.interviewId}`,
      });
      expect(view.json.scorecard).not.toBeNull();
      return view.json as { status: string; transcript: Array<{ speaker: string; text: string }> };
    }, 60_000);
    expect(results.status).toBe('completed');
    expect(results.transcript.some((u) => u.speaker === 'candidate' && u.text.includes('Redis caching layer'))).toBe(
      true,
    );
    // The candidate's voice reached the agent as a second, spoken answer.
    expect(results.transcript.filter((u) => u.speaker === 'candidate').length).toBeGreaterThanOrEqual(2);
    // The invite code never reached the console.
    expect(consoleLines.filter((l) => l.includes(interview.code))).toEqual([]);
    await page.context().close();
  }, 300_000);
});
