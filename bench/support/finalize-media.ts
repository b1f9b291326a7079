// Inputs for bench/finalize.bench.ts: recordings shaped like the recorder's track files (VP8 in
// pion-style IVF at 90 kHz, Opus in Ogg), made with ffmpeg's lavfi sources and cached in
// os.tmpdir() by their parameters, so only the first run pays for them.
//
// Video: one 60 s 720p VP8 clip (testsrc2, ~1.5 Mbit/s, a key frame every 2 s) is encoded, then
// repeated frame by frame (timestamps continued) to the length wanted: copying does not look at
// the picture, and encoding 60 minutes of 720p VP8 on this machine takes longer than the
// recording lasts. Audio likewise: 70 s of speech-like sound (a gliding, syllable-modulated tone
// with a little noise) in turns of 3.5 s, each speaker silent while the other talks, encoded once
// (aevalsrc runs at about 2× real time here) and its Ogg packets repeated (-stream_loop, -c copy).
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { ffmpegBinaries } from '@app/media';

export const CACHE_DIR = join(tmpdir(), 'parley-finalize-bench');
const CLIP_SEC = 60;
// A whole number of 7 s turn cycles, so the repeats continue the turns.
const SPEECH_CLIP_SEC = 70;
const FPS = 30;
const IVF_HEADER = 32;
const FRAME_HEADER = 12;

export interface VideoParams {
  width: number;
  height: number;
  kbps: number;
  durationSec: number;
}

const exists = (path: string) =>
  stat(path).then(
    (s) => s.size > 0,
    () => false,
  );

export function run(tool: 'ffmpeg' | 'ffprobe', args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpegBinaries()[tool], args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve({ stdout, stderr }) : reject(new Error(`${tool} failed (${code}): ${stderr.trim()}`)),
    );
  });
}

const quiet = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];

async function videoClip(p: Omit<VideoParams, 'durationSec'>): Promise<string> {
  const path = join(CACHE_DIR, `clip-vp8-${p.width}x${p.height}-${FPS}fps-${p.kbps}k-${CLIP_SEC}s.ivf`);
  if (await exists(path)) return path;
  const tmp = `${path}.part`;
  await run('ffmpeg', [
    ...quiet,
    '-f',
    'lavfi',
    '-i',
    `testsrc2=s=${p.width}x${p.height}:r=${FPS}:d=${CLIP_SEC}`,
    '-c:v',
    'libvpx',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    `${p.kbps}k`,
    '-g',
    String(2 * FPS),
    '-threads',
    '2',
    '-f',
    'ivf',
    tmp,
  ]);
  await rename(tmp, path);
  return path;
}

/** A VP8 IVF of the given length, 90 kHz timestamps, the frame count in the duration field (pion). */
export async function videoTrack(p: VideoParams): Promise<string> {
  const path = join(CACHE_DIR, `vp8-${p.width}x${p.height}-${FPS}fps-${p.kbps}k-${p.durationSec}s.ivf`);
  if (await exists(path)) return path;
  const clip = await readFile(await videoClip(p));
  const frames: Buffer[] = [];
  for (let at = clip.readUInt16LE(6); at + FRAME_HEADER <= clip.length;) {
    const size = clip.readUInt32LE(at);
    frames.push(clip.subarray(at + FRAME_HEADER, at + FRAME_HEADER + size));
    at += FRAME_HEADER + size;
  }
  const total = p.durationSec * FPS;
  const tmp = `${path}.part`;
  const out = createWriteStream(tmp);
  const header = Buffer.alloc(IVF_HEADER);
  clip.copy(header, 0, 0, 16); // DKIF, version, header size, fourcc, width, height
  header.writeUInt16LE(IVF_HEADER, 6);
  header.writeUInt32LE(90_000, 16);
  header.writeUInt32LE(1, 20);
  header.writeUInt32LE(total, 24);
  out.write(header);
  for (let n = 0; n < total; n++) {
    const data = frames[n % frames.length]!;
    const frameHeader = Buffer.alloc(FRAME_HEADER);
    frameHeader.writeUInt32LE(data.length, 0);
    frameHeader.writeBigUInt64LE(BigInt(Math.round((n * 90_000) / FPS)), 4);
    if (!out.write(frameHeader) || !out.write(data)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  await rename(tmp, path);
  return path;
}

/** Opus (48 kHz mono, 32 kbit/s, as WebRTC sends speech) in Ogg; `turn` 0 or 1 picks who talks first. */
export async function speechTrack(durationSec: number, turn: 0 | 1): Promise<string> {
  const path = join(CACHE_DIR, `speech-${turn}-${durationSec}s.ogg`);
  if (await exists(path)) return path;
  const clip = await speechClip(turn);
  const tmp = `${path}.part`;
  await run('ffmpeg', [
    ...quiet,
    '-stream_loop',
    '-1',
    '-i',
    clip,
    '-t',
    String(durationSec),
    '-c',
    'copy',
    '-f',
    'ogg',
    tmp,
  ]);
  await rename(tmp, path);
  return path;
}

async function speechClip(turn: 0 | 1): Promise<string> {
  const path = join(CACHE_DIR, `speech-clip-${turn}-${SPEECH_CLIP_SEC}s.ogg`);
  if (await exists(path)) return path;
  const [f, glide, syllables] = turn === 0 ? [180, 40, 4] : [240, 50, 5];
  const talking = turn === 0 ? 'gt(sin(2*PI*t/7)\\,0)' : 'lt(sin(2*PI*t/7)\\,0)';
  const expr =
    `0.3*sin(2*PI*(${f}+${glide}*sin(2*PI*0.6*t))*t)*(0.6+0.4*sin(2*PI*${syllables}*t))*${talking}` +
    `+0.01*(random(0)-0.5)`;
  const tmp = `${path}.part`;
  await run('ffmpeg', [
    ...quiet,
    '-f',
    'lavfi',
    '-i',
    `aevalsrc=${expr}:s=48000:c=mono:d=${SPEECH_CLIP_SEC}`,
    '-c:a',
    'libopus',
    '-b:a',
    '32k',
    '-f',
    'ogg',
    tmp,
  ]);
  await rename(tmp, path);
  return path;
}

export async function ensureCacheDir(): Promise<void> {
  await mkdir(CACHE_DIR, { recursive: true });
}
