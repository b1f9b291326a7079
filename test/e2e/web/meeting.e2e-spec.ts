import { TEST_PROFILE } from '@app/devstack';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  captureConsole,
  launchChromium,
  newPage,
  saveScreenshots,
  seriousAccessibilityViolations,
  webUrl,
} from '../../support/browser.util';
import { startTcpProxy, type TcpProxy } from '../../support/tcp-proxy.util';
import { as, createTestOrg, startUm, TEST_PASSWORD, type TestOrg } from '../../support/um.util';
import { startVss } from '../../support/vss.util';

// Issue 12: a recruiter's meeting with a candidate guest, in two real Chromium contexts against
// the real stack (user-management serving the built app, the media plane, livekit-server and the
// recorder). Each side must decode the other's video, and the recording indicator must follow the
// media plane's real state on both pages. The LiveKit URL user-management hands out goes through
// a TCP proxy, so the test can really cut the connection.
const env = inject('stackEnv');

let um: NestFastifyApplication;
let vss: NestFastifyApplication;
let org: TestOrg;
let browser: Browser;
let proxy: TcpProxy;
let meeting: { id: string; title: string; invite: string };
let candidateId: string;

/** A meeting with the candidate starting `startsInMs` from now, and the candidate's invite code. */
async function meetingWithGuest(startsInMs: number) {
  const startsAt = new Date(Date.now() + startsInMs);
  const created = await as(um, org.tokens.recruiter, {
    url: '/v1/meetings',
    body: {
      title: 'Backend Engineer — final round',
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
      participants: [{ candidateId }, { userId: org.users.hiring_manager }],
    },
  });
  if (created.status !== 201) throw new Error(`meeting: ${created.status} ${created.body}`);
  return {
    id: created.json.id as string,
    title: created.json.title as string,
    invite: created.json.guestInvites[0].code as string,
  };
}

const heading = (page: Page) => page.locator('main h1');
const badge = (page: Page) => page.locator('.rec').textContent();

async function signIn(page: Page, email: string) {
  await expect.poll(() => heading(page).textContent()).toBe('Sign in to Parley');
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Frames the page's first remote <video> presents within 3 s (0 while it shows nothing). */
const remoteFrames = (page: Page) =>
  page.evaluate(`(async () => {
    const v = document.querySelector('video.is-remote');
    if (!v || v.videoWidth === 0) return 0;
    return new Promise((resolve) => {
      let frames = 0;
      const timer = setTimeout(() => resolve(frames), 3000);
      const onFrame = () => {
        frames += 1;
        if (frames >= 5) {
          clearTimeout(timer);
          resolve(frames);
        } else v.requestVideoFrameCallback(onFrame);
      };
      v.requestVideoFrameCallback(onFrame);
    });
  })()`) as Promise<number>;

beforeAll(async () => {
  proxy = await startTcpProxy(TEST_PROFILE.livekit.port);
  [um, vss, browser] = await Promise.all([
    startUm(env, { LIVEKIT_PUBLIC_URL: proxy.url }, TEST_PROFILE.ports.userManagement),
    startVss(env, {}, TEST_PROFILE.ports.videoStreamingServer),
    launchChromium(),
  ]);
  org = await createTestOrg(um, 'webmeet');
  const candidate = await as(um, org.tokens.recruiter, {
    url: '/v1/candidates',
    body: { email: `guest.${org.slug}@example.com`, fullName: 'Casey Candidate' },
  });
  if (candidate.status !== 201) throw new Error(`candidate: ${candidate.status} ${candidate.body}`);
  candidateId = candidate.json.id;
  meeting = await meetingWithGuest(60_000);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await vss?.close();
  await um?.close();
  await proxy?.close();
});

describe('a recruiter meets a candidate in the browser (issue 12)', () => {
  it('both join and see each other’s video; the recording the recruiter starts shows on both; a stop by someone else waits for the starter; the room survives a cut', async () => {
    const recruiter = await newPage(browser);
    const guest = await newPage(browser);
    const consoleLines = [captureConsole(recruiter), captureConsole(guest)];
    // What reaches a server of each request's URL (a fragment never does).
    const urls: string[] = [];
    for (const page of [recruiter, guest]) page.on('request', (r) => urls.push(r.url().split('#')[0]));

    // The recruiter signs in, finds the meeting in the list and joins.
    await recruiter.goto(webUrl('/staff/meetings'));
    await signIn(recruiter, org.emails.recruiter);
    await expect.poll(() => heading(recruiter).textContent()).toBe('Meetings');
    const row = recruiter.locator('table.meeting-list tbody tr', { hasText: meeting.title });
    await expect.poll(() => row.textContent()).toContain('Open to join');
    await row.getByRole('link', { name: meeting.title }).click();
    await expect.poll(() => heading(recruiter).textContent()).toBe(meeting.title);
    await recruiter.getByRole('button', { name: 'Join meeting' }).click();

    // The candidate opens the invite link, checks devices and joins.
    await guest.goto(webUrl(`/meeting#invite=${meeting.invite}`));
    await expect.poll(() => heading(guest).textContent()).toBe(meeting.title);
    expect(await seriousAccessibilityViolations(guest)).toEqual([]);
    await guest.getByRole('button', { name: 'Continue' }).click();
    await expect.poll(() => heading(guest).textContent()).toBe('Check your camera and microphone');
    await guest.getByRole('button', { name: 'Continue' }).click();

    // Each side decodes the other's camera, under the other's name.
    for (const [page, other] of [
      [recruiter, 'Casey Candidate'],
      [guest, `recruiter of ${org.slug}`],
    ] as const) {
      await expect.poll(() => remoteFrames(page), { timeout: 20_000, interval: 250 }).toBeGreaterThanOrEqual(5);
      expect(await page.locator('video.is-remote').getAttribute('aria-label')).toBe(`Camera of ${other}`);
      expect(await page.locator('.participant-list').textContent()).toContain(other);
    }
    await expect.poll(() => badge(guest), { timeout: 10_000 }).toBe('Not recording');
    // A candidate has no recording controls.
    expect(await guest.getByRole('button', { name: /recording/i }).count()).toBe(0);

    // The recruiter starts recording: both indicators follow the media plane's state.
    await recruiter.getByRole('button', { name: 'Start recording' }).click();
    for (const page of [recruiter, guest]) {
      await expect.poll(() => badge(page), { timeout: 15_000 }).toBe('Recording');
    }
    await expect.poll(() => recruiter.locator('.recording-controls').textContent()).toContain('Started by you');
    for (const page of [recruiter, guest]) expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await saveScreenshots(recruiter, 'meeting-recruiter');
    await saveScreenshots(guest, 'meeting-guest');

    // A hiring manager joins too. Stopping someone else's recording asks them: the recruiter
    // first keeps it going, then approves.
    const manager = await newPage(browser);
    consoleLines.push(captureConsole(manager));
    manager.on('request', (r) => urls.push(r.url().split('#')[0]));
    await manager.goto(webUrl(`/staff/meetings/${meeting.id}`));
    await signIn(manager, org.emails.hiring_manager);
    await manager.getByRole('button', { name: 'Join meeting' }).click();
    await expect.poll(() => badge(manager), { timeout: 10_000 }).toBe('Recording');
    const managerControls = manager.locator('.recording-controls');
    const recruiterName = `recruiter of ${org.slug}`;
    await expect.poll(() => managerControls.textContent()).toContain(`Started by ${recruiterName}; they approve`);
    await manager.getByRole('button', { name: 'Ask to stop recording' }).click();
    await expect.poll(() => managerControls.textContent()).toContain(`Waiting for ${recruiterName} to approve`);
    const prompt = recruiter.getByRole('alert').filter({ hasText: 'asked to stop the recording' });
    await expect.poll(() => prompt.textContent(), { timeout: 10_000 }).toContain(`hiring_manager of ${org.slug}`);
    expect(await seriousAccessibilityViolations(recruiter)).toEqual([]);
    await saveScreenshots(recruiter, 'meeting-stop-request');
    await prompt.getByRole('button', { name: 'Keep recording' }).click();
    await expect.poll(() => managerControls.textContent(), { timeout: 10_000 }).toContain('kept the recording going');
    expect(await badge(manager)).toBe('Recording');
    await manager.getByRole('button', { name: 'Ask to stop recording' }).click();
    await prompt.getByRole('button', { name: 'Approve and stop' }).click({ timeout: 10_000 });
    for (const page of [recruiter, guest, manager]) {
      await expect.poll(() => badge(page), { timeout: 15_000 }).not.toBe('Recording');
    }
    await manager.getByRole('button', { name: 'Leave meeting' }).click();

    // The connection to the SFU is really cut: the banner shows, and goes once it is back.
    const cut = proxy.cut(4_000);
    await expect
      .poll(() => guest.getByText('Connection lost — reconnecting').isVisible(), { timeout: 15_000 })
      .toBe(true);
    await cut;
    for (const page of [recruiter, guest]) {
      await expect
        .poll(() => page.getByText('Connection lost — reconnecting').isVisible(), { timeout: 20_000 })
        .toBe(false);
    }
    await expect.poll(() => remoteFrames(guest), { timeout: 10_000 }).toBeGreaterThanOrEqual(5);

    await guest.getByRole('button', { name: 'Leave meeting' }).click();
    await expect.poll(() => heading(guest).textContent()).toBe('You left the meeting');
    await recruiter.getByRole('button', { name: 'Leave meeting' }).click();
    await expect.poll(() => recruiter.getByRole('button', { name: 'Rejoin meeting' }).count()).toBe(1);

    // The invite code went only in request bodies: never in a URL, never to the console.
    const [, secret] = meeting.invite.split('.');
    expect(urls.filter((u) => u.includes(secret))).toEqual([]);
    expect(consoleLines.flat().filter((l) => l.includes(secret))).toEqual([]);
    expect(consoleLines.flat().filter((l) => l.startsWith('pageerror'))).toEqual([]);
    for (const page of [recruiter, guest, manager]) await page.context().close();
  }, 60_000);

  it('a broken invite, a meeting not open yet and a cancelled one each say so; a list with no meetings says so', async () => {
    const page = await newPage(browser);
    await page.goto(webUrl('/meeting#invite=not-a-real-code'));
    await expect.poll(() => heading(page).textContent()).toBe('This invite link does not work');

    const later = await meetingWithGuest(3 * 3_600_000);
    await page.goto(webUrl(`/meeting#invite=${later.invite}`));
    await expect.poll(() => heading(page).textContent()).toBe('This meeting is not open yet');
    expect(await page.getByRole('alert').textContent()).toContain('You can join from 15 minutes before it starts, at');
    expect(await page.getByRole('button', { name: 'Check again' }).count()).toBe(1);
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await saveScreenshots(page, 'meeting-guest-not-open');

    const cancelled = await meetingWithGuest(60_000);
    expect((await as(um, org.tokens.recruiter, { url: `/v1/meetings/${cancelled.id}/cancel`, body: {} })).status).toBe(
      200,
    );
    await page.goto(webUrl(`/meeting#invite=${cancelled.invite}`));
    await expect.poll(() => heading(page).textContent()).toBe('This meeting was cancelled');

    // The interviewer takes part in no meeting.
    await page.goto(webUrl('/staff/meetings'));
    await signIn(page, org.emails.interviewer);
    await expect.poll(() => page.locator('.empty-state').textContent()).toContain('You have no meetings yet');
    expect(await seriousAccessibilityViolations(page)).toEqual([]);
    await page.context().close();
  });
});
