import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Scorecard, TranscriptUtterance } from '@app/contracts';
import { DEV_PROFILE, DIST_DIR, httpOk, SimulatedCandidate, waitUntilReady } from '@app/devstack';
import { DEMO_ANSWERS, DEMO_POSTING } from './demo-script';
import { loadOrCreateDemoPasswords } from './seed';

// `npm run demo`: a complete AI interview, offline, in one command. Uses the platform `npm start`
// runs (or starts it and stops it afterwards), creates an interview as the demo recruiter, and lets
// a simulated candidate (a real @livekit/rtc-node participant) take it through the product's own
// path: invite → consent → session ticket → media-plane token → the room. The candidate speaks its
// answers (espeak-ng audio on its microphone) and types them on lk.chat. The conversation prints
// live; then the transcript and the scorecard as user-management stored them.

const UM = `http://127.0.0.1:${DEV_PROFILE.ports.userManagement}`;
const VSS = `http://127.0.0.1:${DEV_PROFILE.ports.videoStreamingServer}`;
const AGENT = `http://127.0.0.1:${DEV_PROFILE.ports.agentHealth}/`;
const say = (message: string) => console.log(`[demo] ${message}`);
const wrap = (text: string, indent: string) =>
  text
    .split(/(.{1,96})(?:\s+|$)/)
    .filter(Boolean)
    .join(`\n${indent}`);

async function api<T>(base: string, path: string, init: { body?: unknown; token?: string; method?: string } = {}) {
  const response = await fetch(`${base}${path}`, {
    method: init.method ?? (init.body !== undefined ? 'POST' : 'GET'),
    headers: {
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    },
    body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'POST'} ${path}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

async function platformRunning(): Promise<boolean> {
  try {
    await Promise.all([httpOk(`${UM}/readyz`), httpOk(`${VSS}/readyz`), httpOk(AGENT)]);
    return true;
  } catch {
    return false;
  }
}

async function startPlatform(): Promise<ChildProcess> {
  say('starting the platform (npm start) — the first run provisions and takes longer…');
  const child = spawn(process.execPath, ['--enable-source-maps', join(DIST_DIR, 'tools/start.js')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  });
  child.stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.startsWith('[parley]')) say(line.slice(9));
  });
  await waitUntilReady(
    async () => {
      if (!(await platformRunning())) throw new Error('not ready yet');
    },
    {
      component: 'platform',
      timeoutMs: 600_000,
      abortReason: () => (child.exitCode !== null ? `npm start exited with ${child.exitCode}` : undefined),
    },
  );
  return child;
}

async function main(): Promise<void> {
  const started = Date.now();
  const platform = (await platformRunning()) ? undefined : await startPlatform();
  if (!platform) say('using the platform that is already running');
  try {
    const login = await api<{ accessToken: string }>(UM, '/v1/auth/login', {
      body: { email: 'recruiter@demo.parley.local', password: loadOrCreateDemoPasswords().recruiter },
    });
    const token = login.accessToken;
    const posting = await api<{ id: string }>(UM, '/v1/job-postings', { token, body: DEMO_POSTING });
    const candidate = await api<{ id: string }>(UM, '/v1/candidates', {
      token,
      body: { email: `demo-${randomUUID().slice(0, 8)}@example.com`, fullName: 'Sam Rivera' },
    });
    const created = await api<{ interview: { id: string; roomName: string }; invite: { code: string } }>(
      UM,
      '/v1/interviews',
      { token, body: { jobPostingId: posting.id, candidateId: candidate.id } },
    );
    const interviewId = created.interview.id;
    say(`interview ${interviewId} for "${DEMO_POSTING.title}" (${DEMO_POSTING.questions.length} questions)`);

    // The candidate's side, as the web app does it.
    const invite = created.invite.code;
    await api(UM, '/v1/invites/consent', { body: { invite, choice: 'given' } });
    const ticket = await api<{ ticket: string; room: string; identity: string }>(UM, '/v1/invites/redeem', {
      body: { invite },
    });
    const media = await api<{ token: string; url: string }>(VSS, '/v1/tokens/participant', {
      body: { ticket: ticket.ticket, room: ticket.room, identity: ticket.identity },
    });
    const sim = await SimulatedCandidate.join({ url: media.url, token: media.token });
    await sim.publishCamera();
    say(`candidate joined room ${ticket.room} (microphone and camera); waiting for the interviewer…\n`);
    const ownTracks = () => new Set([...sim.room.localParticipant!.trackPublications.values()].map((p) => p.sid));
    sim.onCaption((caption) => {
      if (caption.from !== sim.interviewer?.identity) return;
      if (ownTracks().has(caption.trackId ?? '')) {
        console.log(`  (speech recognition heard: "${caption.text}")`);
      } else {
        console.log(`Interviewer: ${wrap(caption.text, '             ')}`);
      }
    });
    const outcome = await sim.interview(DEMO_ANSWERS, {
      speak: true,
      thinkMs: 500,
      timeoutMs: 15 * 60_000,
      onAnswer: (text) => console.log(`Candidate:   ${wrap(text, '             ')}  [spoken + typed]`),
    });
    const audioSeconds = (sim.agentLoudFrames * 10) / 1000;
    await sim.leave();
    console.log('');
    say(`interview ${outcome}; the interviewer's audio track carried ~${audioSeconds.toFixed(0)} s of voice`);

    say('waiting for the results in user-management…');
    let view: { status: string; transcript: TranscriptUtterance[] | null; scorecard: Scorecard | null } = {
      status: '',
      transcript: null,
      scorecard: null,
    };
    const until = Date.now() + 60_000;
    while (Date.now() < until) {
      view = await api(UM, `/v1/interviews/${interviewId}`, { token });
      if (view.scorecard) break;
      await new Promise((r) => setTimeout(r, 1_000));
    }
    if (!view.scorecard || !view.transcript) throw new Error('the results did not arrive within 60 s');

    console.log(`\nTranscript (${view.transcript.length} utterances, status ${view.status}):`);
    for (const u of view.transcript) {
      const at = `${String(Math.floor(u.offsetMs / 60_000)).padStart(2, '0')}:${String(Math.floor(u.offsetMs / 1000) % 60).padStart(2, '0')}`;
      console.log(`  ${at} ${u.speaker.padEnd(11)} ${u.mode.padEnd(6)} ${wrap(u.text, ' '.repeat(27))}`);
    }
    console.log(`\nScorecard — recommendation: ${view.scorecard.recommendation}`);
    for (const c of view.scorecard.competencies) {
      console.log(`  ${c.name}: ${c.score}/5 — ${wrap(c.justification, '    ')}`);
      for (const e of c.evidence) console.log(`    “${e.quote}” (at ${(e.offsetMs / 1000).toFixed(1)} s)`);
    }
    console.log(`  ${wrap(view.scorecard.summary, '  ')}`);
    await showRecording(interviewId, token);
    say(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    if (platform) {
      say('stopping the platform this demo started…');
      platform.kill('SIGTERM');
      await new Promise((r) => platform.once('exit', r));
    }
  }
}

/**
 * The interview was recorded from the candidate's arrival (the posting's policy is optional and the
 * candidate consented). The room closes once everyone has left; its recording is then finalized.
 */
async function showRecording(interviewId: string, token: string): Promise<void> {
  say('waiting for the recording: the room closes after everyone left, then the tracks are merged…');
  type Recording = {
    id: string;
    status: string;
    durationMs: number | null;
    codecs: string[];
    failureReason: string | null;
  };
  const until = Date.now() + 180_000;
  let last = '';
  while (Date.now() < until) {
    const [recording] = await api<Recording[]>(UM, `/v1/recordings?subjectType=interview&subjectId=${interviewId}`, {
      token,
      method: 'GET',
    });
    if (recording && recording.status !== last) say(`recording ${recording.id}: ${recording.status}`);
    last = recording?.status ?? '';
    if (recording?.status === 'failed') throw new Error(`the recording failed: ${recording.failureReason}`);
    if (recording?.status === 'ready') {
      const playback = await api<{ url: string; expiresAt: string }>(UM, `/v1/recordings/${recording.id}/playback`, {
        token,
        method: 'POST',
      });
      say(
        `recording ready: ${((recording.durationMs ?? 0) / 1000).toFixed(1)} s, ${recording.codecs.join(' + ')}; ` +
          `signed replay URL (audited, valid until ${playback.expiresAt}):`,
      );
      console.log(`  ${playback.url}`);
      return;
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
  throw new Error('the recording was not ready within 3 minutes');
}

main().catch((err) => {
  console.error(`[demo] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
