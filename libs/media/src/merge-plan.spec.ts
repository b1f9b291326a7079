import { describe, expect, it } from 'vitest';
import { planMerge } from './merge-plan';
import type { ProbedTrack } from './probe';

// The plan is pure: offsets, container choice and stream order are checked without ffmpeg.

const T0 = 1_764_650_000_000;
const audio = (id: string, speaker: string, offsetMs: number, durationMs: number): ProbedTrack => ({
  id,
  source: `/rec/${id}.ogg`,
  startedAtMs: T0 + offsetMs,
  speaker,
  kind: 'audio',
  codec: 'opus',
  durationMs,
  format: 'ogg',
});
const video = (
  id: string,
  speaker: string,
  offsetMs: number,
  durationMs: number,
  codec = 'vp8',
  size: [number, number] = [320, 240],
): ProbedTrack => ({
  id,
  source: `https://store.example/rec/${id}.ivf?X-Amz-Signature=abc`,
  startedAtMs: T0 + offsetMs,
  speaker,
  kind: 'video',
  codec,
  durationMs,
  format: 'ivf',
  width: size[0],
  height: size[1],
});

/** The value following an option in an argument list. */
const after = (args: string[], option: string) => args[args.indexOf(option) + 1];

describe(planMerge.name, () => {
  it('puts t=0 at the earliest start and each track at its offset, whatever the input order', () => {
    const plan = planMerge([
      audio('mic', 'candidate-1', 2_500, 3_000),
      video('cam', 'candidate-1', 0, 5_000),
      audio('late', 'agent-1', 4_000, 2_000),
    ]);
    expect(plan.startedAtMs).toBe(T0);
    expect(plan.offsets).toEqual([
      { trackId: 'cam', offsetMs: 0 },
      { trackId: 'mic', offsetMs: 2_500 },
      { trackId: 'late', offsetMs: 4_000 },
    ]);
    // The longest offset + duration: 4 s + 2 s.
    expect(plan.expectedDurationMs).toBe(6_000);
    // Each speaker has one Opus track, copied into the WebM: the late microphones are shifted at
    // the input, so the copied packets and the decoded frames (for the mix) both carry the offset;
    // aresample (first_pts=0) fills it with silence in the mix, no adelay on top.
    expect(plan.inputs.map((i) => (i.options.includes('-itsoffset') ? after(i.options, '-itsoffset') : null))).toEqual([
      null,
      '2.500',
      '4.000',
    ]);
    expect(plan.filterComplex).toContain('[1:a:0]aresample=48000:async=1:first_pts=0');
    expect(plan.filterComplex).not.toContain('adelay');
    expect(plan.streams.filter((s) => s.copied).map((s) => s.title)).toEqual(['candidate-1', 'candidate-1', 'agent-1']);
  });

  it('delays filtered-only audio sample-exactly (48 kHz) instead of shifting its input', () => {
    // MP4: every audio stream is AAC, so nothing is copied and nothing is shifted.
    const plan = planMerge([
      audio('mic', 'candidate-1', 2_500, 3_000),
      video('cam', 'candidate-1', 0, 5_000, 'h264'),
      audio('late', 'agent-1', 4_000, 2_000),
    ]);
    expect(plan.container).toBe('mp4');
    // 2.5 s = 120000 samples, 4 s = 192000; the track at t=0 is not delayed.
    expect(plan.filterComplex).toContain('adelay=delays=120000S:all=1[track1]');
    expect(plan.filterComplex).toContain('adelay=delays=192000S:all=1[track2]');
    expect(plan.inputs.map((i) => i.options.includes('-itsoffset'))).toEqual([false, false, false]);
    expect(plan.streams.some((s) => s.type === 'audio' && s.copied)).toBe(false);
  });

  it('shifts a late copied camera with -itsoffset', () => {
    const plan = planMerge([audio('mic', 'candidate-1', 0, 5_000), video('cam', 'candidate-1', 2_000, 3_000)]);
    const cam = plan.inputs.find((i) => i.trackId === 'cam')!;
    expect(after(cam.options, '-itsoffset')).toBe('2.000');
    expect(plan.filterComplex).not.toContain('adelay');
  });

  it('copies one VP8 camera into WebM: video first, then the mix, then one stream per speaker', () => {
    const plan = planMerge([
      video('cam', 'candidate-1', 0, 5_000),
      audio('mic', 'candidate-1', 0, 5_000),
      audio('agent', 'agent-7', 0, 5_000),
    ]);
    expect(plan.container).toBe('webm');
    expect(plan.streams.map((s) => [s.index, s.type, s.codec, s.title, s.role, s.copied])).toEqual([
      [0, 'video', 'vp8', 'candidate-1', 'candidate', true],
      [1, 'audio', 'opus', 'mix', 'mix', false],
      [2, 'audio', 'opus', 'candidate-1', 'candidate', true],
      [3, 'audio', 'opus', 'agent-7', 'interviewer', true],
    ]);
    expect(after(plan.outputOptions, '-c:v:0')).toBe('copy');
    // Only the mix is encoded: mono speech settings; each speaker's own Opus track is copied.
    expect(after(plan.outputOptions, '-c:a:0')).toBe('libopus');
    expect(after(plan.outputOptions, '-b:a:0')).toBe('48k');
    expect(after(plan.outputOptions, '-ac:a:0')).toBe('1');
    expect(after(plan.outputOptions, '-application:a:0')).toBe('voip');
    expect(after(plan.outputOptions, '-c:a:1')).toBe('copy');
    expect(after(plan.outputOptions, '-c:a:2')).toBe('copy');
    expect(plan.outputOptions).toContain('1:a:0');
    expect(plan.filterComplex).not.toContain('asplit');
    expect(after(plan.outputOptions, '-f')).toBe('webm');
    expect(plan.outputOptions).toContain('title=mix');
    expect(plan.outputOptions).toContain('role=interviewer');
    // The mix does not divide levels by the number of speakers nor pump when one ends.
    expect(plan.filterComplex).toContain('amix=inputs=2:normalize=0:dropout_transition=0:duration=longest[mix]');
    // Presigned URLs go to ffmpeg as given (with their query), with http reconnects.
    expect(plan.inputs[0]!.url).toContain('X-Amz-Signature=abc');
    expect(plan.inputs[0]!.options).toContain('-reconnect');
    expect(plan.inputs[1]!.url).toBe('file:/rec/mic.ogg');
  });

  it('puts H.264 into MP4 with AAC and faststart, still copying the video', () => {
    const plan = planMerge([video('cam', 'candidate-1', 0, 5_000, 'h264'), audio('mic', 'candidate-1', 0, 5_000)]);
    expect(plan.container).toBe('mp4');
    expect(plan.streams.map((s) => `${s.type}:${s.codec}:${s.copied}`)).toEqual([
      'video:h264:true',
      'audio:aac:false',
      'audio:aac:false',
    ]);
    expect(after(plan.outputOptions, '-movflags')).toBe('+faststart');
    // MP4 has no stream titles; the handler name carries them.
    expect(plan.outputOptions).toContain('handler_name=candidate-1');
  });

  it('re-encodes only what WebM cannot hold when VP8 and H.264 are mixed', () => {
    const plan = planMerge([video('a', 'candidate-1', 0, 5_000, 'vp8'), video('b', 'agent-1', 0, 5_000, 'h264')]);
    expect(plan.container).toBe('webm');
    expect(plan.streams.map((s) => `${s.title}:${s.codec}:${s.copied}`)).toEqual([
      'composite:vp8:false',
      'candidate-1:vp8:true',
      'agent-1:vp8:false',
    ]);
    expect(after(plan.outputOptions, '-c:v:2')).toBe('libvpx');
  });

  it('composites several cameras side by side at a common height, the late one placed at its offset', () => {
    const plan = planMerge(
      [
        video('a', 'participant-a', 0, 5_000, 'vp8', [320, 240]),
        video('b', 'participant-b', 1_000, 4_000, 'vp8', [640, 480]),
        audio('mic', 'participant-a', 0, 5_000),
      ],
      { vp8CpuUsed: 5 },
    );
    expect(plan.streams.map((s) => `${s.type}:${s.title}:${s.copied}`)).toEqual([
      'video:composite:false',
      'video:participant-a:true',
      'video:participant-b:true',
      'audio:mix:false',
      'audio:participant-a:true',
    ]);
    // 640x480 scaled to 240 high is 320 wide: a 640x240 canvas, tile b at x=320.
    expect(plan.filterComplex).toContain('color=c=black:s=640x240:r=30:d=5.000[bg]');
    expect(plan.filterComplex).toContain('[2:v:0]setpts=PTS-STARTPTS+1.000/TB,scale=w=320:h=240');
    expect(plan.filterComplex).toContain('overlay=x=320+(320-w)/2');
    expect(after(plan.outputOptions, '-c:v:0')).toBe('libvpx');
    expect(after(plan.outputOptions, '-cpu-used:v:0')).toBe('5');
    expect(after(plan.outputOptions, '-deadline:v:0')).toBe('realtime');
  });

  it('gives a speaker with two tracks (a re-published mic) one stream, and one tile for a re-published camera', () => {
    const plan = planMerge(
      [
        audio('mic1', 'candidate-1', 0, 2_000),
        audio('mic2', 'candidate-1', 3_000, 2_000),
        video('cam1', 'candidate-1', 0, 2_000, 'h264'),
        video('cam2', 'candidate-1', 3_000, 2_000, 'h264'),
      ],
      { compositePreset: 'ultrafast' },
    );
    expect(plan.streams.filter((s) => s.type === 'audio').map((s) => [s.title, s.trackIds])).toEqual([
      ['mix', ['mic1', 'mic2']],
      ['candidate-1', ['mic1', 'mic2']],
    ]);
    expect(plan.filterComplex).toContain('[track0][track2]amix=inputs=2:normalize=0');
    // Two tracks are joined, so that speaker's stream is encoded (AAC here), not copied, and the
    // second microphone is delayed in the filter (3 s = 144000 samples).
    expect(plan.streams.find((s) => s.title === 'candidate-1' && s.type === 'audio')?.copied).toBe(false);
    expect(plan.filterComplex).toContain('adelay=delays=144000S:all=1[track2]');
    expect(plan.filterComplex).toContain('color=c=black:s=320x240');
    expect(after(plan.outputOptions, '-preset:v:0')).toBe('ultrafast');
  });

  it('makes an audio-only WebM without any video option', () => {
    const plan = planMerge([audio('a', 'agent-1', 0, 4_000), audio('b', 'candidate-1', 1_000, 3_000)]);
    expect(plan.container).toBe('webm');
    expect(plan.streams.map((s) => s.type)).toEqual(['audio', 'audio', 'audio']);
    expect(plan.outputOptions.some((o) => o.startsWith('-c:v'))).toBe(false);
    expect(plan.expectedDurationMs).toBe(4_000);
  });

  it('refuses an empty recording and nonsense options', () => {
    expect(() => planMerge([])).toThrow(/at least one track/);
    expect(() => planMerge([audio('a', 'x', 0, 1)], { vp8CpuUsed: 99 })).toThrow(/vp8CpuUsed/);
    expect(() => planMerge([audio('a', 'x', 0, 1)], { compositePreset: 'fast; rm -rf' })).toThrow(/preset/);
  });
});
