import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MergeAbortedError, MergeInputError, MergeVerificationError } from './errors';
import { planMerge } from './merge-plan';
import { mergeLocalFiles, mergeRecording } from './merge-recording';
import { verifyMerged } from './verify';
import { probeTracks, type TrackInput } from './probe';
import type { MergeProgress } from './run-merge';
import {
  firstBrightFrameSec,
  firstLoudSampleSec,
  generateAudioTrack,
  generateVideoTrack,
  meanVolumeDb,
  packetSizes,
  probeJson,
  writeCorruptTrack,
} from './testing';
import { runTool } from './testing/run-tool';

// Real ffmpeg (Debian 5.1) on generated tracks, no doubles: alignment is measured on the signal
// (a white flash in the picture, a beep in the sound), copying on the packets themselves.

const T0 = 1_764_650_000_000;

/** The part of a file's second stream from `fromSec` on, as WAV (timestamps restart at 0). */
const mediaTail = (path: string, fromSec: number, out: string) =>
  runTool('ffmpeg', ['-v', 'error', '-y', '-ss', String(fromSec), '-i', path, '-map', '0:1', out]);
const SYNC_TOLERANCE_SEC = 0.05;

async function rejection<E extends Error>(promise: Promise<unknown>, type: new (...args: any[]) => E): Promise<E> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (err instanceof type) return err;
  throw new Error(`expected a ${type.name}, got ${String(err)}`);
}

describe(mergeRecording.name, { timeout: 30_000 }, () => {
  let dir: string;
  const file = (name: string) => join(dir, name);
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'media-spec-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  // Session: camera from t=0 with a flash at 3.0 s; microphone from t=2.5 s, beeping at its own
  // 0.5 s, i.e. also at session 3.0 s. The tracks end at 5.0 and 5.5 s.
  async function flashAndBeep(codec: 'vp8' | 'h264', name: string): Promise<TrackInput[]> {
    await generateVideoTrack(file(`${name}.ivf`), { codec, container: 'ivf', durationSec: 5, flashAtSec: 3 });
    await generateAudioTrack(file(`${name}.ogg`), { durationSec: 3, beepAtSec: 0.5 });
    return [
      { id: `${name}-cam`, source: file(`${name}.ivf`), startedAtMs: T0, speaker: 'candidate-1' },
      { id: `${name}-mic`, source: file(`${name}.ogg`), startedAtMs: T0 + 2_500, speaker: 'candidate-1' },
    ];
  }

  it('aligns a VP8 camera and a later microphone on the flash and the beep, copying the VP8 packets', async () => {
    const tracks = await flashAndBeep('vp8', 'vp8');
    const output = file('vp8.webm');
    const progress: MergeProgress[] = [];
    const result = await mergeRecording(tracks, output, { onProgress: (p) => progress.push(p) });

    expect(result.container).toBe('webm');
    expect(result.codecs).toEqual(['vp8', 'opus']);
    expect(result.streams.map((s) => `${s.index}:${s.type}:${s.codec}:${s.title}:${s.role}`)).toEqual([
      '0:video:vp8:candidate-1:candidate',
      '1:audio:opus:mix:mix',
      '2:audio:opus:candidate-1:candidate',
    ]);
    // Different lengths: the output lasts until the microphone (2.5 s + 3 s) ends.
    expect(result.expectedDurationMs).toBeGreaterThanOrEqual(5_500);
    expect(Math.abs(result.durationMs - 5_500)).toBeLessThan(100);
    expect(result.sizeBytes).toBe((await stat(output)).size);

    const flash = await firstBrightFrameSec(output, 0);
    const beep = await firstLoudSampleSec(output, 1);
    expect(Math.abs(flash - 3.0)).toBeLessThan(SYNC_TOLERANCE_SEC);
    expect(Math.abs(beep - 3.0)).toBeLessThan(SYNC_TOLERANCE_SEC);
    expect(Math.abs(flash - beep)).toBeLessThan(SYNC_TOLERANCE_SEC);
    // The speaker's own stream is the microphone's Opus, copied and shifted by its 2.5 s start:
    // its beep lands with the mix's (which is decoded and re-encoded) and the flash.
    expect(Math.abs((await firstLoudSampleSec(output, 2)) - beep)).toBeLessThan(0.005);
    expect(Math.abs((await firstLoudSampleSec(output, 2)) - flash)).toBeLessThan(SYNC_TOLERANCE_SEC);

    // Copied, not re-encoded: the same packets, byte counts and all.
    const input = await packetSizes(file('vp8.ivf'), 'v:0');
    expect(input.length).toBe(150);
    expect(await packetSizes(output, 'v:0')).toEqual(input);
    expect(await packetSizes(output, 'a:1')).toEqual(await packetSizes(file('vp8.ogg'), 'a:0'));
    // The mix is encoded (mono): its packets are not the microphone's.
    expect(await packetSizes(output, 'a:0')).not.toEqual(await packetSizes(file('vp8.ogg'), 'a:0'));

    expect(progress[0]).toEqual({ stage: 'probing', percent: 0 });
    const merging = progress.filter((p) => p.stage === 'merging').map((p) => p.percent);
    expect(merging.at(-1)).toBe(100);
    expect(merging).toEqual([...merging].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual({ stage: 'verifying', percent: 100 });
  });

  it('aligns an H.264 camera (Annex-B in IVF) and a later microphone, copying into MP4', async () => {
    const tracks = await flashAndBeep('h264', 'h264');
    const output = file('h264.mp4');
    const result = await mergeRecording(tracks, output);

    expect(result.container).toBe('mp4');
    expect(result.codecs).toEqual(['h264', 'aac']);
    expect(result.streams.map((s) => `${s.type}:${s.title}:${s.role}`)).toEqual([
      'video:candidate-1:candidate',
      'audio:mix:mix',
      'audio:candidate-1:candidate',
    ]);
    expect(Math.abs(result.durationMs - 5_500)).toBeLessThan(100);
    const flash = await firstBrightFrameSec(output, 0);
    const beep = await firstLoudSampleSec(output, 1);
    expect(Math.abs(flash - 3.0)).toBeLessThan(SYNC_TOLERANCE_SEC);
    expect(Math.abs(flash - beep)).toBeLessThan(SYNC_TOLERANCE_SEC);
    // Copied: the same frames, each grown by a byte or two (the MP4 muxer turns Annex-B start
    // codes, 3 or 4 bytes, into 4-byte lengths); a re-encode would change sizes wholesale.
    const input = await packetSizes(file('h264.ivf'), 'v:0');
    const copied = await packetSizes(output, 'v:0');
    expect(copied.length).toBe(input.length);
    expect(copied.map((size, i) => size - input[i]!).every((grown) => grown >= 0 && grown <= 4)).toBe(true);
  });

  it('aligns a camera turned on 2 s after the microphone (H.264 in MP4, as egress writes it)', async () => {
    await generateAudioTrack(file('late.ogg'), { durationSec: 5, beepAtSec: 2.5 });
    await generateVideoTrack(file('late.mp4'), { codec: 'h264', container: 'mp4', durationSec: 3, flashAtSec: 0.5 });
    const output = file('late-out.mp4');
    const result = await mergeRecording(
      [
        { id: 'mic', source: file('late.ogg'), startedAtMs: T0, speaker: 'candidate-1' },
        { id: 'cam', source: file('late.mp4'), startedAtMs: T0 + 2_000, speaker: 'candidate-1' },
      ],
      output,
    );
    expect(result.container).toBe('mp4');
    expect(Math.abs(result.durationMs - 5_000)).toBeLessThan(100);
    const flash = await firstBrightFrameSec(output, 0);
    const beep = await firstLoudSampleSec(output, 1);
    expect(Math.abs(beep - 2.5)).toBeLessThan(SYNC_TOLERANCE_SEC);
    expect(Math.abs(flash - beep)).toBeLessThan(SYNC_TOLERANCE_SEC);
  });

  it('merges an audio-only interview into a mix and one non-silent stream per speaker', async () => {
    await generateAudioTrack(file('agent.ogg'), { durationSec: 4, frequencyHz: 440, amplitude: 0.3 });
    await generateAudioTrack(file('candidate.ogg'), { durationSec: 3, frequencyHz: 660, amplitude: 0.3 });
    const output = file('audio-only.webm');
    const result = await mergeLocalFiles({
      files: [
        { path: file('agent.ogg'), startedAtMs: T0, speaker: 'agent-interviewer' },
        { path: file('candidate.ogg'), startedAtMs: T0 + 1_000, speaker: 'candidate-42' },
      ],
      output,
    });
    expect(result.container).toBe('webm');
    expect(result.codecs).toEqual(['opus']);
    expect(result.streams.map((s) => `${s.title}:${s.role}`)).toEqual([
      'mix:mix',
      'agent-interviewer:interviewer',
      'candidate-42:candidate',
    ]);
    expect(Math.abs(result.durationMs - 4_000)).toBeLessThan(100);
    const [mix, agent, candidate] = await Promise.all([0, 1, 2].map((i) => meanVolumeDb(output, i)));
    // A 0.3 sine is about -13.5 dB; each stream carries its speaker, the mix both at full level
    // (normalize=0: no halving), louder than either alone.
    expect(agent).toBeGreaterThan(-20);
    expect(candidate).toBeGreaterThan(-22);
    expect(mix).toBeGreaterThan(agent);
    // The candidate's stream (copied, shifted at the input) is silent until the candidate's track starts.
    expect(Math.abs((await firstLoudSampleSec(output, 2)) - 1.0)).toBeLessThan(0.02);
    expect(await packetSizes(output, 'a:2')).toEqual(await packetSizes(file('candidate.ogg'), 'a:0'));
    const streams = (await probeJson(output)).streams;
    expect(streams.every((s) => s.codec_type === 'audio')).toBe(true);

    // The same file against a plan it does not meet: verification names what is off.
    const plan = planMerge(
      await probeTracks([
        { id: 'a', source: file('agent.ogg'), startedAtMs: T0, speaker: 'agent-interviewer' },
        { id: 'c', source: file('candidate.ogg'), startedAtMs: T0 + 3_000, speaker: 'candidate-42' },
        { id: 'x', source: file('candidate.ogg'), startedAtMs: T0, speaker: 'participant-x' },
      ]),
    );
    const err = await rejection(verifyMerged(output, plan), MergeVerificationError);
    expect(err.problems).toEqual([
      `duration ${result.durationMs} ms, expected ${plan.expectedDurationMs} ± 500 ms`,
      '3 streams, expected 4',
      // Speakers are ordered by their first start: participant-x (T0) comes before candidate-42.
      'stream 2 (audio opus "participant-x") is audio opus "candidate-42"',
      'stream 3 (audio opus "candidate-42") is missing',
    ]);
    expect(plan.expectedDurationMs - result.durationMs).toBeGreaterThan(1_900);
  });

  it('composites two cameras side by side (first, re-encoded), then copies each camera', async () => {
    await generateVideoTrack(file('cam-a.webm'), { codec: 'vp8', container: 'webm', durationSec: 4 });
    await generateVideoTrack(file('cam-b.ivf'), {
      codec: 'vp8',
      container: 'ivf',
      durationSec: 3,
      width: 640,
      height: 480,
      flashAtSec: 1,
    });
    await generateAudioTrack(file('cam-a.ogg'), { durationSec: 4 });
    const output = file('meeting.webm');
    const result = await mergeRecording(
      [
        { id: 'a-cam', source: file('cam-a.webm'), startedAtMs: T0, speaker: 'participant-a' },
        { id: 'a-mic', source: file('cam-a.ogg'), startedAtMs: T0, speaker: 'participant-a' },
        { id: 'b-cam', source: file('cam-b.ivf'), startedAtMs: T0 + 1_000, speaker: 'participant-b' },
      ],
      output,
    );
    expect(result.streams.map((s) => `${s.type}:${s.codec}:${s.title}:${s.width ?? ''}x${s.height ?? ''}`)).toEqual([
      'video:vp8:composite:640x240',
      'video:vp8:participant-a:320x240',
      'video:vp8:participant-b:640x480',
      'audio:opus:mix:x',
      'audio:opus:participant-a:x',
    ]);
    expect(await packetSizes(output, 'v:1')).toEqual(await packetSizes(file('cam-a.webm'), 'v:0'));
    expect(await packetSizes(output, 'v:2')).toEqual(await packetSizes(file('cam-b.ivf'), 'v:0'));
    // b's flash (its 1.0 s, session 2.0 s) lights half the composite at 2.0 s, and its copy too.
    expect(Math.abs((await firstBrightFrameSec(output, 0, 100)) - 2.0)).toBeLessThan(SYNC_TOLERANCE_SEC);
    expect(Math.abs((await firstBrightFrameSec(output, 2)) - 2.0)).toBeLessThan(SYNC_TOLERANCE_SEC);
  });

  it('re-encodes only the H.264 camera to VP8 when it meets a VP8 one, keeping it aligned', async () => {
    await generateVideoTrack(file('mixed-a.webm'), { codec: 'vp8', container: 'webm', durationSec: 3 });
    await generateVideoTrack(file('mixed-b.mp4'), { codec: 'h264', container: 'mp4', durationSec: 3, flashAtSec: 1 });
    const output = file('mixed.webm');
    const result = await mergeRecording(
      [
        { id: 'a-cam', source: file('mixed-a.webm'), startedAtMs: T0, speaker: 'participant-a' },
        { id: 'b-cam', source: file('mixed-b.mp4'), startedAtMs: T0 + 1_000, speaker: 'participant-b' },
      ],
      output,
    );
    expect(result.container).toBe('webm');
    expect(result.streams.map((s) => `${s.codec}:${s.title}`)).toEqual([
      'vp8:composite',
      'vp8:participant-a',
      'vp8:participant-b',
    ]);
    expect(Math.abs(result.durationMs - 4_000)).toBeLessThan(100);
    expect(await packetSizes(output, 'v:1')).toEqual(await packetSizes(file('mixed-a.webm'), 'v:0'));
    expect(Math.abs((await firstBrightFrameSec(output, 2)) - 2.0)).toBeLessThan(SYNC_TOLERANCE_SEC);
  });

  it("joins a speaker's re-published microphone into one stream, silent in the gap", async () => {
    await generateAudioTrack(file('mic-1.ogg'), { durationSec: 2, beepAtSec: 0, beepLengthSec: 1 });
    await generateAudioTrack(file('mic-2.ogg'), { durationSec: 2, beepAtSec: 0.5 });
    const output = file('republished.webm');
    const result = await mergeRecording(
      [
        { id: 'mic-1', source: file('mic-1.ogg'), startedAtMs: T0, speaker: 'candidate-1' },
        { id: 'mic-2', source: file('mic-2.ogg'), startedAtMs: T0 + 3_000, speaker: 'candidate-1' },
      ],
      output,
    );
    expect(result.streams.map((s) => s.title)).toEqual(['mix', 'candidate-1']);
    expect(Math.abs(result.durationMs - 5_000)).toBeLessThan(100);
    expect(await firstLoudSampleSec(output, 1)).toBeLessThan(0.02);
    // Only the tail of mic 2 beeps in its second half: the first loud sample after 2 s is at 3.5 s.
    const tail = file('republished-tail.wav');
    await mediaTail(output, 2, tail);
    expect(Math.abs(2 + (await firstLoudSampleSec(tail, 0)) - 3.5)).toBeLessThan(0.02);
  });

  it('kills ffmpeg on abort and leaves no output behind', async () => {
    // Long enough (two 12 s cameras, slowest VP8 settings) to be mid-merge at the first report.
    await generateVideoTrack(file('long-a.webm'), { codec: 'vp8', container: 'webm', durationSec: 12 });
    await generateVideoTrack(file('long-b.webm'), { codec: 'vp8', container: 'webm', durationSec: 12 });
    const controller = new AbortController();
    const output = file('aborted.webm');
    let abortedAt = 0;
    const err = await rejection(
      mergeRecording(
        [
          { id: 'a-cam', source: file('long-a.webm'), startedAtMs: T0, speaker: 'participant-a' },
          { id: 'b-cam', source: file('long-b.webm'), startedAtMs: T0, speaker: 'participant-b' },
        ],
        output,
        {
          vp8CpuUsed: 0,
          onProgress: (p) => {
            if (p.stage !== 'merging' || abortedAt) return;
            abortedAt = Date.now();
            controller.abort();
          },
          signal: controller.signal,
        },
      ),
      MergeAbortedError,
    );
    expect(err.kind).toBe('aborted');
    expect(Date.now() - abortedAt).toBeLessThan(1_000);
    await expect(stat(output)).rejects.toThrow(/ENOENT/);
  });

  it('names a corrupt track in a MergeInputError', async () => {
    await writeCorruptTrack(file('random.ogg'), 'random');
    await writeCorruptTrack(file('cut.ivf'), 'truncated', file('vp8.ivf'));
    for (const [id, name] of [
      ['random-mic', 'random.ogg'],
      ['cut-cam', 'cut.ivf'],
    ] as const) {
      const err = await rejection(
        mergeRecording(
          [
            { id: 'good-mic', source: file('vp8.ogg'), startedAtMs: T0, speaker: 'candidate-1' },
            { id, source: file(name), startedAtMs: T0, speaker: 'candidate-1' },
          ],
          file('never.webm'),
        ),
        MergeInputError,
      );
      expect(err.trackId).toBe(id);
      expect(err.message).toContain(id);
      expect(err.reason).toMatch(/invalid data|end of file|unreadable/i);
      expect(err.stderrTail.length).toBeGreaterThan(0);
    }
  });

  it('probes several tracks at once, yet returns them, and the first unreadable one, in their order', async () => {
    const tracks: TrackInput[] = [
      { id: 'cam', source: file('vp8.ivf'), startedAtMs: T0, speaker: 'candidate-1' },
      { id: 'mic', source: file('vp8.ogg'), startedAtMs: T0, speaker: 'candidate-1' },
      { id: 'h264-cam', source: file('h264.ivf'), startedAtMs: T0, speaker: 'candidate-2' },
      { id: 'late-mic', source: file('late.ogg'), startedAtMs: T0, speaker: 'candidate-2' },
    ];
    const probed = await probeTracks(tracks);
    expect(probed.map((t) => `${t.id}:${t.codec}:${Math.round(t.durationMs / 100) / 10}`)).toEqual([
      'cam:vp8:5',
      'mic:opus:3',
      'h264-cam:h264:5',
      'late-mic:opus:5',
    ]);
    const bad = [
      tracks[0]!,
      { id: 'random', source: file('random.ogg'), startedAtMs: T0, speaker: 'x' },
      { id: 'cut', source: file('cut.ivf'), startedAtMs: T0, speaker: 'x' },
    ];
    expect((await rejection(probeTracks(bad), MergeInputError)).trackId).toBe('random');
  });

  it('reports an expired presigned URL as that track, without its signature', async () => {
    // What the object store answers once a presigned URL has expired.
    const server = createServer((_req, res) => res.writeHead(403).end('<Error><Code>AccessDenied</Code></Error>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}/bucket/rec/mic.ogg`;
    try {
      const err = await rejection(
        mergeRecording(
          [
            {
              id: 'remote-mic',
              source: `${url}?X-Amz-Credential=AKIA123&X-Amz-Signature=deadbeef`,
              startedAtMs: T0,
              speaker: 'candidate-1',
            },
          ],
          file('never.webm'),
        ),
        MergeInputError,
      );
      expect(err.trackId).toBe('remote-mic');
      expect(err.source).toBe(url);
      expect(err.reason).toMatch(/403/);
      const everything = [err.message, err.reason, err.source, ...err.stderrTail].join('\n');
      expect(everything).toContain(url);
      expect(everything).not.toMatch(/deadbeef|AKIA123|X-Amz/);
    } finally {
      server.close();
    }
  });

  it('refuses sources that are neither paths nor http(s) URLs before running anything', async () => {
    const err = await rejection(
      mergeRecording(
        [{ id: 'sneaky', source: 'concat:/etc/passwd|/etc/hosts', startedAtMs: T0, speaker: 'candidate-1' }],
        file('never.webm'),
      ),
      MergeInputError,
    );
    expect(err.trackId).toBe('sneaky');
    expect(err.reason).toMatch(/local path or an http/);
  });
});
