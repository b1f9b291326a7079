// The local track recorder (recorder/, issue 10): CPU and memory per recorded track. One, two and
// four participants each publish a microphone (speech and silence) and a 640x360 camera at 30 fps
// into a room; parley-recorder records the room; its process's CPU (utime+stime from /proc) and
// RSS are sampled over a window. Baseline in the same run: the same recorder process idle, with
// the same publishers in the room but no recording, so what remains is the recording's own cost.
// Starts its own stack (the test profile of slot 7). The publishers run in this process.
// Run: npm run build && node dist/bench/recorder.bench.js
import 'reflect-metadata';
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { randomSecrets, SimulatedCandidate, startLocalStack, testProfile } from '@app/devstack';
import { liveKitApiUrl } from '@app/livekit';
import { AccessToken, RoomServiceClient } from 'livekit-server-sdk';
import { machineLine } from './support/machine';
import { fmt, median } from './support/stats';

const log = (line: string) => console.error(`[bench] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const WINDOW_MS = 20_000;
const PARTICIPANTS = [1, 2, 4];
const CLOCK_TICKS = 100; // USER_HZ on Linux

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : 0;
}

/** CPU share of one core and median RSS of `pid` over the window. */
async function sample(pid: number): Promise<{ cpuPercent: number; rssMiB: number }> {
  const startCpu = cpuSeconds(pid);
  const started = Date.now();
  const rss: number[] = [];
  while (Date.now() - started < WINDOW_MS) {
    rss.push(rssMiB(pid));
    await sleep(500);
  }
  const cpuPercent = ((cpuSeconds(pid) - startCpu) / ((Date.now() - started) / 1000)) * 100;
  return { cpuPercent, rssMiB: median(rss) };
}

async function main(): Promise<void> {
  const profile = testProfile(7);
  const secrets = randomSecrets();
  // The recorder posts egress webhooks to the media plane's port: a receiver that accepts them.
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200).end('{}'));
  });
  await new Promise<void>((r) => receiver.listen(profile.ports.videoStreamingServer, '127.0.0.1', r));
  log('starting the stack (slot 7)…');
  const stack = await startLocalStack(profile, secrets, log);
  const pid = stack.recorder.process.pid!;
  const rooms = new RoomServiceClient(
    liveKitApiUrl(stack.env.LIVEKIT_URL),
    stack.env.LIVEKIT_API_KEY,
    stack.env.LIVEKIT_API_SECRET,
  );
  const recorderCall = async (path: string, body?: unknown) => {
    const token = new AccessToken(stack.env.LIVEKIT_API_KEY, stack.env.LIVEKIT_API_SECRET, { identity: 'bench' });
    token.addGrant({ roomRecord: true });
    const response = await fetch(`${stack.recorder.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await token.toJwt()}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return response.json() as Promise<{ tracks?: unknown[] }>;
  };
  const rows: string[] = [];
  try {
    for (const count of PARTICIPANTS) {
      const room = `meeting_${randomUUID()}`;
      await rooms.createRoom({ name: room, emptyTimeout: 60 });
      const publishers: SimulatedCandidate[] = [];
      for (let i = 0; i < count; i++) {
        const token = new AccessToken(stack.env.LIVEKIT_API_KEY, stack.env.LIVEKIT_API_SECRET, {
          identity: `user-bench-${i}`,
        });
        token.addGrant({ roomJoin: true, room, canPublish: true, canSubscribe: false });
        const publisher = await SimulatedCandidate.join({ url: stack.env.LIVEKIT_URL, token: await token.toJwt() });
        await publisher.publishCamera({ width: 640, height: 360, fps: 30 });
        publishers.push(publisher);
      }
      const talk = setInterval(() => {
        for (const p of publishers) void p.say('This is a benchmark of the track recorder, speaking now.');
      }, 8_000);
      await sleep(3_000);
      log(`${count} participant(s): idle recorder`);
      const idle = await sample(pid);
      const recordingId = randomUUID();
      await recorderCall('/v1/recordings', {
        recordingId,
        room,
        filepathPrefix: `raw/${randomUUID()}/${recordingId}/`,
      });
      await sleep(2_000);
      log(`${count} participant(s): recording ${count * 2} tracks`);
      const busy = await sample(pid);
      const stopped = await recorderCall(`/v1/recordings/${recordingId}/stop`);
      clearInterval(talk);
      for (const p of publishers) await p.leave();
      const tracks = stopped.tracks?.length ?? 0;
      if (tracks !== count * 2) throw new Error(`expected ${count * 2} tracks, the recorder reported ${tracks}`);
      const perTrackCpu = (busy.cpuPercent - idle.cpuPercent) / tracks;
      const perTrackRss = (busy.rssMiB - idle.rssMiB) / tracks;
      rows.push(
        `| ${count} | ${tracks} | ${fmt(idle.cpuPercent, 1)} % | ${fmt(busy.cpuPercent, 1)} % | **${fmt(perTrackCpu, 2)} %** | ${fmt(idle.rssMiB, 1)} | ${fmt(busy.rssMiB, 1)} | **${fmt(perTrackRss, 1)}** |`,
      );
    }
  } finally {
    await stack.stop();
    receiver.close();
  }
  console.log(`### Local track recorder: CPU and memory per recorded track\n`);
  console.log(
    `${machineLine()}; window ${WINDOW_MS / 1000} s per figure; each participant: Opus mic + VP8 640x360@30\n`,
  );
  console.log(
    '| participants | tracks | CPU idle | CPU recording | CPU per track | RSS idle MiB | RSS recording MiB | RSS per track MiB |',
  );
  console.log('| -: | -: | -: | -: | -: | -: | -: | -: |');
  for (const row of rows) console.log(row);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
