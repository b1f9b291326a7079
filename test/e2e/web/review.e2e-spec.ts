import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TEST_PROFILE } from '@app/devstack';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { captureConsole, launchChromium, newPage, saveScreenshots, webUrl } from '../../support/browser.util';
import { objectStoreFromEnv } from '../../support/object-store.util';
import {
  as,
  asService,
  createInterview,
  createTestOrg,
  POSTING,
  TEST_PASSWORD,
  startUm,
  type TestOrg,
} from '../../support/um.util';

// Issue 12: the hiring team's review pages and the org admin pages in a real Chromium against
// user-management serving the built app. No agent and no recorder: the interview's results come
// through the internal API, and the recording is a real WebM made here with ffmpeg, uploaded to
// the object store and reported like the media plane reports it.
const env = inject('stackEnv');
const run = promisify(execFile);

const MEDIA_SECONDS = 20;
// The session (every offsetMs counts from it) started 1.5 s after the media file's t=0, so a
// moment at offsetMs plays at (offsetMs + 1500) / 1000 s: a player that ignored mediaStartedAt
// would land 1.5 s early, outside the ±0.5 s the assertions allow.
const SESSION_START = new Date(Date.now() - 30 * 60_000);
const MEDIA_STARTED_AT = new Date(SESSION_START.getTime() - 1_500);
const playerSecondsOf = (offsetMs: number) => (SESSION_START.getTime() + offsetMs - MEDIA_STARTED_AT.getTime()) / 1000;

const TRANSCRIPT = [
  { speaker: 'interviewer', text: 'How would you design a rate limiter?', offsetMs: 1_000, mode: 'spoken' },
  {
    speaker: 'candidate',
    text: 'I would keep a token bucket per API key in Redis.',
    offsetMs: 4_000,
    mode: 'spoken',
  },
  { speaker: 'interviewer', text: 'And when Redis is down?', offsetMs: 9_000, mode: 'spoken' },
  { speaker: 'candidate', text: 'Fail open, and alert the on-call engineer.', offsetMs: 12_500, mode: 'typed' },
];
const SCORECARD = {
  competencies: [
    {
      name: 'Design',
      score: 4,
      justification: 'Chooses a fitting algorithm and a shared store.',
      evidence: [{ quote: 'a token bucket per API key in Redis', offsetMs: 4_000 }],
    },
    {
      name: 'Communication',
      score: 3,
      justification: 'Clear, if brief, about failure handling.',
      evidence: [{ quote: 'Fail open', offsetMs: 12_500 }],
    },
  ],
  recommendation: 'yes',
  summary: 'Solid design instincts; failure handling could go deeper.',
};

let um: NestFastifyApplication;
let org: TestOrg;
let otherOrg: TestOrg;
let browser: Browser;
let interview: Awaited<ReturnType<typeof createInterview>>;
let otherPostingId: string;
const recordingId = randomUUID();

async function makeWebm(): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-review-'));
  const out = join(dir, 'interview.webm');
  // Low resolution and bitrate: a small file, encoded in a second or two on two cores.
  await run('ffmpeg', [
    ...['-v', 'error', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
    ...['-t', String(MEDIA_SECONDS)],
    ...['-c:v', 'libvpx', '-b:v', '150k', '-deadline', 'realtime', '-cpu-used', '8'],
    ...['-c:a', 'libopus', '-b:a', '32k'],
    out,
  ]);
  return readFile(out);
}

const reportRecording = (phase: 'processing' | 'ready', objectKey: string, extra: Record<string, unknown> = {}) =>
  asService(um, env, {
    method: 'PUT',
    url: `/internal/v1/recordings/${recordingId}`,
    body: { room: interview.room, objectKey, phase, startedAt: MEDIA_STARTED_AT.toISOString(), ...extra },
  });

async function signIn(page: Page, email: string) {
  await page.getByLabel('Work email').fill(email);
  await page.getByLabel('Password').fill(TEST_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const heading = (page: Page) => page.locator('main h1');
// Evaluated in the page (a string: this Node-side file has no DOM types).
const video = (page: Page) =>
  page.evaluate(`(() => {
    const v = document.querySelector('video');
    return { readyState: v.readyState, duration: v.duration, currentTime: v.currentTime, src: v.currentSrc };
  })()`) as Promise<{ readyState: number; duration: number; currentTime: number; src: string }>;

beforeAll(async () => {
  // The shortest replay URL lifetime user-management allows, so the page must renew it during the test.
  const [started, media] = await Promise.all([
    startUm(env, { REPLAY_URL_TTL_SECONDS: '30' }, TEST_PROFILE.ports.userManagement),
    makeWebm(),
    launchChromium().then((b) => (browser = b)),
  ]);
  um = started;
  [org, otherOrg] = await Promise.all([createTestOrg(um, 'review'), createTestOrg(um, 'review-other')]);

  interview = await createInterview(um, org, 'optional');
  const results = await asService(
    um,
    env,
    {
      method: 'PUT',
      url: `/internal/v1/interviews/${interview.interviewId}/results`,
      body: {
        startedAt: SESSION_START.toISOString(),
        endedAt: new Date(SESSION_START.getTime() + 15_000).toISOString(),
        transcript: TRANSCRIPT,
        scorecard: SCORECARD,
      },
    },
    'interviewer-agent',
  );
  if (results.status !== 200) throw new Error(`results: ${results.status} ${results.body}`);

  // A second, still scheduled interview for another posting: what the filters tell apart.
  const other = await as(um, org.tokens.recruiter, {
    url: '/v1/job-postings',
    body: { ...POSTING, title: 'Data Analyst' },
  });
  otherPostingId = other.json.id;
  const scheduled = await as(um, org.tokens.recruiter, {
    url: '/v1/interviews',
    body: { jobPostingId: otherPostingId, candidateId: interview.candidateId },
  });
  if (scheduled.status !== 201) throw new Error(`interview: ${scheduled.status} ${scheduled.body}`);

  const objectKey = `final-recordings/${org.orgId}/${recordingId}.webm`;
  await objectStoreFromEnv(env).put(objectKey, media, 'video/webm');
  const processing = await reportRecording('processing', objectKey);
  if (processing.status !== 200) throw new Error(`recording: ${processing.status} ${processing.body}`);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await um?.close();
});

describe('the hiring team’s review pages and the org admin pages (issue 12)', () => {
  it('a hiring manager signs in, filters the list, watches the recording finalize, and evidence and transcript seek the player; the signed URL is renewed in place', async () => {
    const page = await newPage(browser);
    const consoleLines = captureConsole(page);
    const playbackRequests: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith(`/v1/recordings/${recordingId}/playback`))
        playbackRequests.push(r.url());
    });

    await page.goto(webUrl('/staff/interviews'));
    await expect.poll(() => heading(page).textContent()).toBe('Sign in to Parley');
    await signIn(page, org.emails.hiring_manager);
    await expect.poll(() => heading(page).textContent()).toBe('Interviews');

    // Both interviews, with names, jobs and the completed one's score.
    const rows = page.locator('table.interview-list tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const completedRow = rows.filter({ hasText: 'Completed' });
    await expect.poll(() => completedRow.textContent()).toContain('Casey Candidate');
    expect(await completedRow.textContent()).toContain('Backend Engineer');
    expect(await completedRow.textContent()).toContain('3.5 / 5');
    expect(await rows.filter({ hasText: 'Scheduled' }).textContent()).toContain('No score yet');
    await saveScreenshots(page, 'staff-interviews');
    // The list's score comes from user-management's list view (the scorecard's gist, not the scorecard).
    const listed = await as(um, org.tokens.hiring_manager, { url: '/v1/interviews?status=completed' });
    expect(listed.json.map((i: { id: string; scoreSummary: unknown }) => [i.id, i.scoreSummary])).toEqual([
      [interview.interviewId, { averageScore: 3.5, competencies: 2, recommendation: 'yes' }],
    ]);
    expect(listed.json[0]).not.toHaveProperty('transcript');

    // Filters land in the URL; a combination with no match says so.
    await page.getByLabel('Status').selectOption('completed');
    await expect.poll(() => new URL(page.url()).searchParams.get('status')).toBe('completed');
    await expect.poll(() => rows.count()).toBe(1);
    await page.getByLabel('Job posting').selectOption(otherPostingId);
    await expect.poll(() => new URL(page.url()).searchParams.get('posting')).toBe(otherPostingId);
    await expect.poll(() => page.locator('.empty-state').textContent()).toContain('No interviews match these filters');
    await saveScreenshots(page, 'staff-interviews-empty');
    await page.getByLabel('Job posting').selectOption(interview.postingId);
    await expect.poll(() => rows.count()).toBe(1);
    // A reload keeps the filters (they live in the URL).
    await page.reload();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await page.getByLabel('Status').inputValue()).toBe('completed');
    await rows.getByRole('link', { name: 'Casey Candidate' }).click();

    // The recording is still being finalized: the page says so, and picks it up once ready.
    await expect.poll(() => heading(page).textContent()).toBe('Casey Candidate');
    expect(page.url()).toBe(webUrl(`/staff/interviews/${interview.interviewId}`));
    await expect.poll(() => page.locator('.recording-progress').textContent()).toContain('being finalized');
    expect(await page.locator('video').count()).toBe(0);
    const recordingView = await as(um, org.tokens.hiring_manager, { url: `/v1/recordings/${recordingId}` });
    expect(recordingView.json).toMatchObject({ status: 'pending', phase: 'processing' });
    await saveScreenshots(page, 'staff-review-finalizing');
    const ready = await reportRecording('ready', `final-recordings/${org.orgId}/${recordingId}.webm`, {
      durationMs: MEDIA_SECONDS * 1000,
      codecs: ['vp8', 'opus'],
      mediaStartedAt: MEDIA_STARTED_AT.toISOString(),
    });
    expect(ready.status, ready.body).toBe(200);

    // The player loads the file through its signed URL.
    await expect.poll(async () => (await page.locator('video').count()) > 0, { timeout: 10_000 }).toBe(true);
    await expect.poll(async () => (await video(page)).readyState, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    const loaded = await video(page);
    expect(Math.abs(loaded.duration - MEDIA_SECONDS)).toBeLessThan(0.5);
    expect(loaded.src).toContain(recordingId);
    expect(loaded.src).toMatch(/X-Amz-Signature=/);
    expect(playbackRequests).toHaveLength(1);

    // Scorecard and transcript are there.
    expect(await page.locator('.competency').count()).toBe(2);
    expect(await page.locator('.competency').first().textContent()).toContain('Chooses a fitting algorithm');
    expect(await page.locator('.transcript-line').count()).toBe(TRANSCRIPT.length);

    // An evidence quote seeks to its moment of the recording (the session started 1.5 s into the file).
    await page.getByRole('button', { name: /Play from 0:12: “Fail open”/ }).click();
    await expect
      .poll(async () => Math.abs((await video(page)).currentTime - playerSecondsOf(12_500)))
      .toBeLessThan(0.5);
    // ... and the transcript marks the line being played.
    await expect
      .poll(() => page.locator('.transcript-seek[aria-current="true"]').textContent())
      .toContain('Fail open, and alert');

    // A transcript line seeks too, by keyboard.
    const line = page.locator('.transcript-seek', { hasText: 'token bucket per API key' });
    await line.focus();
    await page.keyboard.press('Enter');
    await expect.poll(async () => Math.abs((await video(page)).currentTime - playerSecondsOf(4_000))).toBeLessThan(0.5);
    await expect
      .poll(() => page.locator('.transcript-seek[aria-current="true"]').textContent())
      .toContain('token bucket');
    await saveScreenshots(page, 'staff-review');

    // The 30 s URL is renewed ahead of expiry: a new signed URL, the player still at the same moment.
    await page.getByRole('button', { name: /Play from 0:12: “Fail open”/ }).click();
    await expect.poll(() => playbackRequests.length, { timeout: 25_000, interval: 500 }).toBe(2);
    await expect.poll(async () => (await video(page)).src, { timeout: 5_000 }).not.toBe(loaded.src);
    await expect.poll(async () => (await video(page)).readyState, { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
    await expect
      .poll(async () => Math.abs((await video(page)).currentTime - playerSecondsOf(12_500)))
      .toBeLessThan(0.5);
    // Each issuance is audited.
    const audit = await as(um, org.tokens.admin, { url: `/v1/recordings/${recordingId}/audit` });
    expect(
      audit.json.filter(
        (a: { action: string; actorId: string }) =>
          a.action === 'recording.playback_url_issued' && a.actorId === org.users.hiring_manager,
      ),
    ).toHaveLength(2);

    expect(consoleLines.filter((l) => /X-Amz-Signature|invite=|Bearer /.test(l))).toEqual([]);
    await page.context().close();
  }, 75_000);

  it('staff of another org opening the same review URL get the not-found page', async () => {
    const page = await newPage(browser);
    await page.goto(webUrl(`/staff/interviews/${interview.interviewId}`));
    await expect.poll(() => heading(page).textContent()).toBe('Sign in to Parley');
    await signIn(page, otherOrg.emails.hiring_manager);
    await expect.poll(() => heading(page).textContent()).toBe('Not found');
    expect(new URL(page.url()).pathname).toBe(`/staff/interviews/${interview.interviewId}`);
    expect(await page.locator('main').textContent()).not.toContain('Casey Candidate');
    expect(await page.locator('video').count()).toBe(0);
    await saveScreenshots(page, 'staff-review-not-found');
    await page.context().close();
  });

  it('an admin adds a staff member, creates a job posting, and schedules an interview that shows its invite link', async () => {
    const page = await newPage(browser, { permissions: ['clipboard-read', 'clipboard-write'] });
    const consoleLines = captureConsole(page);
    await page.goto(webUrl('/staff/admin/users'));
    await signIn(page, org.emails.admin);
    await expect.poll(() => heading(page).textContent()).toBe('Users');

    // Users: add, change the role, deactivate.
    const email = `new.${org.slug}@example.com`;
    await page.getByLabel('Name', { exact: true }).fill('Noor Newhire');
    await page.getByLabel('Work email').fill(email);
    await page.getByLabel('Role', { exact: true }).selectOption('interviewer');
    await page.getByLabel('Temporary password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Add staff member' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Noor Newhire was added' }).count()).toBe(1);
    await page.getByLabel('Role of Noor Newhire').selectOption('hiring_manager');
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'role changed to hiring manager' }).count())
      .toBe(1);
    const staffList = await as(um, org.tokens.admin, { url: '/v1/users?limit=200' });
    expect(staffList.json.find((u: { email: string }) => u.email === email)).toMatchObject({
      role: 'hiring_manager',
      active: true,
    });
    await saveScreenshots(page, 'staff-admin-users');
    const newRow = page.locator('tr', { hasText: 'Noor Newhire' });
    await newRow.getByRole('button', { name: 'Deactivate…' }).click();
    await newRow.getByRole('button', { name: 'Deactivate Noor Newhire' }).click();
    await expect.poll(() => newRow.textContent()).toContain('Deactivated');
    // Oneself cannot be demoted or deactivated from here.
    expect(await page.locator('tr', { hasText: '(you)' }).locator('select, button').count()).toBe(0);

    // Job postings: create one with a competency, rubric, question, budget and policy.
    await page.getByRole('link', { name: 'Job postings' }).click();
    await expect.poll(() => heading(page).textContent()).toBe('Job postings');
    await page.getByLabel('Job title').fill('Site Reliability Engineer');
    await page.getByLabel('Time budget (minutes)').fill('45');
    await page.getByLabel('Mandatory: the candidate must agree to join').check();
    await page.getByLabel('Name', { exact: true }).fill('Incident response');
    await page.getByLabel('A score of 1 looks like').fill('Restarts things and hopes.');
    await page.getByLabel('A score of 5 looks like').fill('Mitigates first, then finds the cause with data.');
    await page.getByLabel('Key points (one per line)').fill('mitigation first\nblameless review');
    await page.getByLabel('Question', { exact: true }).fill('Tell me about an outage you handled.');
    await page.getByLabel('Probes competency').selectOption('Incident response');
    await page.getByRole('button', { name: 'Create job posting' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: '“Site Reliability Engineer” was created' }).count())
      .toBe(1);
    await expect.poll(() => page.locator('.posting', { hasText: 'Site Reliability Engineer' }).count()).toBe(1);
    const postings = await as(um, org.tokens.admin, { url: '/v1/job-postings?limit=200' });
    const created = postings.json.find((p: { title: string }) => p.title === 'Site Reliability Engineer');
    expect(created).toMatchObject({
      timeBudgetMinutes: 45,
      recordingPolicy: 'mandatory',
      competencies: [
        {
          name: 'Incident response',
          rubric: {
            one: 'Restarts things and hopes.',
            five: 'Mitigates first, then finds the cause with data.',
            keyPoints: ['mitigation first', 'blameless review'],
          },
        },
      ],
      questions: [{ text: 'Tell me about an outage you handled.', competency: 'Incident response', followUps: [] }],
    });
    await saveScreenshots(page, 'staff-admin-postings');

    // Schedule an interview for it with a new candidate: the invite link shows, with a Copy button.
    await page.getByRole('link', { name: 'Schedule an interview for it' }).click();
    await expect.poll(() => heading(page).textContent()).toBe('New interview');
    expect(await page.getByLabel('Job posting').inputValue()).toBe(created.id);
    await page.getByLabel('New candidate').check();
    await page.getByLabel('Candidate’s full name').fill('Robin Reyes');
    await page.getByLabel('Candidate’s email').fill(`robin.${org.slug}@example.com`);
    await saveScreenshots(page, 'staff-admin-new-interview');
    await page.getByRole('button', { name: 'Schedule interview' }).click();
    await expect.poll(() => heading(page).textContent()).toBe('Interview scheduled');
    const link = await page.getByLabel('Invite link').inputValue();
    expect(link).toMatch(/\/interview#invite=[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
    await page.getByRole('button', { name: 'Copy' }).click();
    await expect.poll(() => page.locator('.copy-result').textContent()).toBe('Copied.');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(link);
    const interviewId = link.split('#invite=')[1].split('.')[0];
    const scheduled = await as(um, org.tokens.admin, { url: `/v1/interviews/${interviewId}` });
    expect(scheduled.json).toMatchObject({ jobPostingId: created.id, status: 'scheduled' });
    await saveScreenshots(page, 'staff-admin-invite');

    // The invite code never reaches the console.
    expect(consoleLines.filter((l) => l.includes(link.split('#invite=')[1]))).toEqual([]);
    await page.context().close();
  });
});
