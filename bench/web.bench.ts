// The web app (issue 12), three figures:
//  1. What the candidate route downloads, gzipped (goal ≤ 350 KB with livekit-client): the entry,
//     the candidate chunk and everything they import statically, read from Vite's manifest.
//  2. Opening the invite link → the interviewer's first caption on the page, consent given, over
//     10 interviews (p50, p95), split into its steps. Baseline in the same run, alternating with
//     the browser runs: an SDK candidate (rtc-node, no browser, no pages) making the same calls
//     from consent on (consent, redeem, media token, join) to the first lk.transcription text.
//  3. The interview room's memory in Chromium over a 5-minute stay (JS heap after a forced GC, and
//     DOM nodes, through the DevTools protocol), against its own figure after the first minute.
// Starts its own stack (test profile of slot 6: LiveKit 16680, database parley_test_6, Redis DB 5),
// user-management (serving dist/web) and the media plane in this process, the worker from dist/,
// Debian's Chromium with fake devices.
// Run: npm run build && node dist/bench/web.bench.js   (WEB_BENCH_SOAK_S shortens the stay)
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DIST_DIR, launchChromium, SimulatedCandidate } from '@app/devstack';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Browser } from 'playwright-core';
import { z } from 'zod';
import { startInterviewPlatform } from './support/interview-platform';
import { machineLine } from './support/machine';
import { fmt, median, percentile } from './support/stats';

const log = (line: string) => console.error(`[bench] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const RUNS = 10;
const benchEnv = z
  .object({ WEB_BENCH_SOAK_S: z.coerce.number().int().min(60).max(3600).default(300) })
  .parse(process.env);

const manifestSchema = z.record(
  z.string(),
  z.object({
    file: z.string(),
    isEntry: z.boolean().optional(),
    imports: z.array(z.string()).optional(),
    css: z.array(z.string()).optional(),
  }),
);

/** Files the candidate route loads: the entry, the candidate chunk and their static imports. */
function candidateRouteFiles(webDir: string): string[] {
  const manifest = manifestSchema.parse(JSON.parse(readFileSync(join(webDir, '.vite/manifest.json'), 'utf8')));
  const files = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const css of chunk.css ?? []) files.add(css);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  visit('index.html');
  visit('src/CandidateApp.tsx');
  return [...files];
}

function bundleReport(webDir: string): string[] {
  const rows = candidateRouteFiles(webDir).map((file) => {
    const bytes = readFileSync(join(webDir, file));
    return { file, raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length };
  });
  const html = readFileSync(join(webDir, 'index.html'));
  rows.push({ file: 'index.html', raw: html.length, gz: gzipSync(html, { level: 9 }).length });
  const total = rows.reduce((sum, r) => sum + r.gz, 0);
  const kb = (n: number) => fmt(n / 1000, 1);
  return [
    '### 1. Candidate route, gzipped',
    '',
    '| file | raw KB | gzip -9 KB |',
    '| --- | ---: | ---: |',
    ...rows.sort((a, b) => b.gz - a.gz).map((r) => `| \`${r.file}\` | ${kb(r.raw)} | ${kb(r.gz)} |`),
    `| **all** | ${kb(rows.reduce((s, r) => s + r.raw, 0))} | **${kb(total)}** |`,
    '',
    `Goal ≤ 350 KB: **${total <= 350_000 ? 'met' : 'not met'}** (${kb(total)} KB).`,
    '',
  ];
}

async function main(): Promise<void> {
  const webDir = join(DIST_DIR, 'web');
  const report = [`## Web app (issue 12)`, '', machineLine(), '', ...bundleReport(webDir)];

  const platform = await startInterviewPlatform({
    slot: 6,
    name: 'bench-web',
    log,
    withMediaPlane: true,
    umEnv: { WEB_APP_DIR: webDir },
  });
  const { profile, newInterview } = platform;
  const um = platform.um;
  const vss = platform.vss!;
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const web = (path: string) => `http://127.0.0.1:${profile.ports.userManagement}${path}`;

    /** One candidate in Chromium, from the invite link to the first caption; the page stays open. */
    const browserRun = async () => {
      const { code } = await newInterview();
      const context = await browser!.newContext({ permissions: ['camera', 'microphone'] });
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(web(`/interview#invite=${code}`));
      await page.getByRole('button', { name: 'Continue' }).click();
      const landing = performance.now();
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('button', { name: 'Record, join', exact: true }).click();
      const consented = performance.now();
      await page.getByRole('button', { name: 'Mute microphone', exact: true }).waitFor({ timeout: 30_000 });
      const joined = performance.now();
      await page.locator('.caption-interviewer').first().waitFor({ timeout: 60_000 });
      const caption = performance.now();
      return {
        page,
        context,
        total: caption - t0,
        fromConsent: caption - consented,
        steps: {
          landing: landing - t0,
          walkthrough: consented - landing,
          join: joined - consented,
          caption: caption - joined,
        },
      };
    };
    /**
     * The same candidate without a browser: the same calls the page makes after the consent click
     * (consent, redeem, media token) and an SDK join, to the first caption.
     */
    const sdkRun = async () => {
      const { code } = await newInterview();
      const post = async (app: NestFastifyApplication, url: string, body: object) => {
        const res = await app.inject({ method: 'POST', url, payload: body });
        if (res.statusCode >= 300) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
        return res.json() as Record<string, string>;
      };
      const t0Wall = Date.now();
      await post(um, '/v1/invites/consent', { invite: code, choice: 'given' });
      const redeemed = await post(um, '/v1/invites/redeem', { invite: code });
      const media = await post(vss, '/v1/tokens/participant', {
        ticket: redeemed.ticket,
        room: redeemed.room,
        identity: redeemed.identity,
      });
      const sim = await SimulatedCandidate.join({ url: media.url!, token: media.token! });
      try {
        // The stream's first text, as the page shows it (the page renders captions as they stream).
        const caption = await sim.waitForCaption(() => true, 60_000);
        return caption.startedAt - t0Wall;
      } finally {
        await sim.leave();
      }
    };

    // 2. Invite → first caption. One warm-up of each first (the worker's first job, Chromium's first page).
    await (await browserRun()).context.close();
    await sdkRun();
    const totals: number[] = [];
    const fromConsent: number[] = [];
    const sdk: number[] = [];
    const steps: Record<string, number[]> = { landing: [], walkthrough: [], join: [], caption: [] };
    for (let i = 0; i < RUNS; i++) {
      const run = await browserRun();
      await run.context.close();
      totals.push(run.total);
      fromConsent.push(run.fromConsent);
      for (const [k, v] of Object.entries(run.steps)) steps[k]!.push(v);
      sdk.push(await sdkRun());
      log(`first caption ${i + 1}/${RUNS}: browser ${fmt(run.total)} ms, SDK ${fmt(sdk.at(-1)!)} ms`);
      await sleep(1_000);
    }
    const ms = (values: number[]) => `${fmt(median(values))} | ${fmt(percentile(values, 95))}`;
    report.push(
      '### 2. Invite link → first caption (consent given)',
      '',
      `${RUNS} runs each, alternating, after one warm-up of each.`,
      '',
      '| | p50 ms | p95 ms |',
      '| --- | ---: | ---: |',
      `| **browser: invite link → first caption** | **${fmt(median(totals))}** | ${fmt(percentile(totals, 95))} |`,
      `| ↳ landing rendered (page load, invite inspected) | ${ms(steps.landing!)} |`,
      `| ↳ device check and consent (clicks, consent saved) | ${ms(steps.walkthrough!)} |`,
      `| ↳ join (media token, connect, publish) | ${ms(steps.join!)} |`,
      `| ↳ joined → first caption | ${ms(steps.caption!)} |`,
      `| browser: consent click → first caption | ${ms(fromConsent)} |`,
      `| baseline: SDK candidate, same calls from consent → first caption | ${ms(sdk)} |`,
      '',
      `From consent to the first caption the page takes **${fmt(median(fromConsent) / median(sdk), 2)}×** the SDK`,
      'candidate (ratio of medians): what the browser, livekit-client and the page add to the same server path.',
      '',
    );

    // 3. Memory over a stay in the room (the candidate listens; mic muted, so the interview waits).
    const stay = await browserRun();
    await stay.page.getByRole('button', { name: 'Mute microphone', exact: true }).click();
    const cdp = await stay.context.newCDPSession(stay.page);
    await cdp.send('Performance.enable');
    const sample = async () => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      const get = (name: string) => metrics.find((m) => m.name === name)?.value ?? Number.NaN;
      return { heapMiB: get('JSHeapUsedSize') / 2 ** 20, nodes: get('Nodes'), listeners: get('JSEventListeners') };
    };
    const samples: Array<{ atS: number } & Awaited<ReturnType<typeof sample>>> = [];
    const startedAt = performance.now();
    for (let atS = 60; atS <= benchEnv.WEB_BENCH_SOAK_S; atS += 60) {
      await sleep(startedAt + atS * 1000 - performance.now());
      samples.push({ atS, ...(await sample()) });
      log(`room memory at ${atS} s: ${fmt(samples.at(-1)!.heapMiB, 2)} MiB`);
    }
    const stillInRoom = await stay.page.getByRole('button', { name: 'Unmute microphone', exact: true }).isVisible();
    await stay.context.close();
    const first = samples[0]!;
    const last = samples.at(-1)!;
    const growth = (last.heapMiB / first.heapMiB - 1) * 100;
    report.push(
      `### 3. Interview room memory over ${benchEnv.WEB_BENCH_SOAK_S / 60} minutes`,
      '',
      'JS heap after a forced GC, DOM nodes and event listeners, from the DevTools protocol. The candidate',
      `stays in the room listening (still in the room at the end: ${stillInRoom ? 'yes' : 'no'}).`,
      '',
      '| at | JS heap MiB | DOM nodes | listeners |',
      '| ---: | ---: | ---: | ---: |',
      ...samples.map((s) => `| ${s.atS} s | ${fmt(s.heapMiB, 2)} | ${fmt(s.nodes)} | ${fmt(s.listeners)} |`),
      '',
      `Growth from the first minute to the end: **${fmt(growth, 1)} %** (goal ≤ 10 %: ${growth <= 10 ? 'met' : 'not met'}).`,
      '',
    );
  } finally {
    await browser?.close();
    await platform.stop();
  }
  console.log(report.join('\n'));
}

// rtc-node's native handle (the SDK candidates) keeps the loop alive after the last room closed.
main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
