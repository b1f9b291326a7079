import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { annexBToIvf, rewriteIvfTo90kHz } from './ivf';
import { runTool } from './run-tool';

// Synthetic recordings for tests, made by ffmpeg's lavfi sources, shaped like what LiveKit track
// egress or Parley's recorder writes: Opus in Ogg; VP8/VP9 in IVF (90 kHz, pion's header) or
// WebM; H.264 (baseline, as WebRTC sends it) in MP4 or in IVF as Annex-B. Each has a marker at
// a chosen time, a beep or a white flash, so alignment can be measured on the signal itself.

export interface AudioTrackSpec {
  durationSec: number;
  /** Silence except a beep of beepLengthSec here (track time). Without it: a continuous tone. */
  beepAtSec?: number;
  beepLengthSec?: number;
  frequencyHz?: number;
  /** Peak amplitude, 0..1. */
  amplitude?: number;
}

/** Opus (48 kHz mono) in Ogg. */
export async function generateAudioTrack(path: string, spec: AudioTrackSpec): Promise<void> {
  const f = spec.frequencyHz ?? 880;
  const a = spec.amplitude ?? 0.5;
  const tone = `${a}*sin(2*PI*${f}*t)`;
  const expr =
    spec.beepAtSec === undefined
      ? tone
      : `if(between(t\\,${spec.beepAtSec}\\,${spec.beepAtSec + (spec.beepLengthSec ?? 0.3)})\\,${tone}\\,0)`;
  await runTool('ffmpeg', [
    ...quiet,
    '-f',
    'lavfi',
    '-i',
    `aevalsrc=${expr}:s=48000:c=mono:d=${spec.durationSec}`,
    '-c:a',
    'libopus',
    '-b:a',
    '32k',
    '-f',
    'ogg',
    path,
  ]);
}

export interface VideoTrackSpec {
  codec: 'vp8' | 'vp9' | 'h264';
  container: 'ivf' | 'webm' | 'mp4';
  durationSec: number;
  width?: number;
  height?: number;
  fps?: number;
  /** A white frame (track time) on an otherwise dark picture with a moving box. */
  flashAtSec?: number;
  flashLengthSec?: number;
}

export async function generateVideoTrack(path: string, spec: VideoTrackSpec): Promise<void> {
  const width = spec.width ?? 320;
  const height = spec.height ?? 240;
  const fps = spec.fps ?? 30;
  if (spec.codec === 'h264' ? spec.container === 'webm' : spec.container === 'mp4') {
    throw new Error(`${spec.codec} in ${spec.container} is not a track egress writes`);
  }
  const flash =
    spec.flashAtSec === undefined
      ? ''
      : `,drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:` +
        `enable='between(t,${spec.flashAtSec},${spec.flashAtSec + (spec.flashLengthSec ?? 0.1)})'`;
  const source =
    `color=c=0x202020:s=${width}x${height}:r=${fps}:d=${spec.durationSec},` +
    `drawbox=x='mod(t*80,iw-40)':y=ih/3:w=40:h=40:color=0x80c0ff:t=fill${flash}`;
  const encoder =
    spec.codec === 'h264'
      ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p']
      : [
          '-c:v',
          spec.codec === 'vp8' ? 'libvpx' : 'libvpx-vp9',
          '-deadline',
          'realtime',
          '-cpu-used',
          '8',
          '-b:v',
          '300k',
        ];
  const common = [...quiet, '-f', 'lavfi', '-i', source, ...encoder, '-g', String(fps)];

  if (spec.container !== 'ivf') {
    await runTool('ffmpeg', [...common, '-f', spec.container, path]);
  } else if (spec.codec === 'h264') {
    const annexB = `${path}.h264`;
    await runTool('ffmpeg', [...common, '-bsf:v', 'h264_metadata=aud=insert', '-f', 'h264', annexB]);
    await writeFile(path, annexBToIvf(await readFile(annexB), width, height, fps));
    await rm(annexB, { force: true });
  } else {
    await runTool('ffmpeg', [...common, '-f', 'ivf', path]);
    await rewriteIvfTo90kHz(path);
  }
}

/** A track that cannot be read: random bytes, or a real file cut inside its header. */
export async function writeCorruptTrack(path: string, how: 'random' | 'truncated', from?: string): Promise<void> {
  if (how === 'random') return writeFile(path, randomBytes(64 * 1024));
  if (!from) throw new Error('a truncated track needs a file to cut');
  await writeFile(path, (await readFile(from)).subarray(0, 20));
}

const quiet = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];
