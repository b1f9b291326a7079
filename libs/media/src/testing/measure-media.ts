import { spawn } from 'node:child_process';
import { ffmpegBinaries } from '../ffmpeg-binaries';
import { runTool } from './run-tool';

// Measurements on a merged file, per stream, on the file's own timestamps (-copyts): where a
// player would put a frame or a sample.

/** Time (s) of the first frame of the stream whose mean luma exceeds the threshold (0-255). */
export async function firstBrightFrameSec(path: string, streamIndex: number, threshold = 128): Promise<number> {
  const { stdout } = await runTool('ffmpeg', [
    '-hide_banner',
    '-nostdin',
    '-v',
    'error',
    '-copyts',
    '-i',
    path,
    '-map',
    `0:${streamIndex}`,
    '-vf',
    'signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG:file=-',
    '-f',
    'null',
    '-',
  ]);
  let pts: number | undefined;
  for (const line of stdout.split('\n')) {
    const frame = /pts_time:(-?[\d.]+)/.exec(line);
    if (frame) pts = Number(frame[1]);
    const luma = /YAVG=([\d.]+)/.exec(line);
    if (luma && pts !== undefined && Number(luma[1]) > threshold) return pts;
  }
  throw new Error(`no frame brighter than ${threshold} in stream ${streamIndex} of ${path}`);
}

/**
 * Time (s) of the first sample of the stream above the threshold (|x|, full scale 1). The
 * decoded audio is padded/trimmed to start at t=0, so a sample's index is its time; PCM is
 * streamed, never held.
 */
export async function firstLoudSampleSec(path: string, streamIndex: number, threshold = 0.1): Promise<number> {
  const rate = 48_000;
  const child = spawn(
    ffmpegBinaries().ffmpeg,
    [
      '-hide_banner',
      '-nostdin',
      '-v',
      'error',
      '-copyts',
      '-i',
      path,
      '-map',
      `0:${streamIndex}`,
      '-af',
      `aresample=${rate}:async=1:first_pts=0`,
      '-ac',
      '1',
      '-f',
      'f32le',
      '-',
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let samples = 0;
  let carry = Buffer.alloc(0);
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    const data = Buffer.concat([carry, chunk]);
    const whole = data.length - (data.length % 4);
    for (let at = 0; at < whole; at += 4, samples++) {
      if (Math.abs(data.readFloatLE(at)) > threshold) {
        child.kill('SIGKILL');
        return samples / rate;
      }
    }
    carry = data.subarray(whole);
  }
  throw new Error(`no sample above ${threshold} in stream ${streamIndex} of ${path}`);
}

/** volumedetect's mean volume (dB) of one stream: about -91 for digital silence. */
export async function meanVolumeDb(path: string, streamIndex: number): Promise<number> {
  const { stderr } = await runTool('ffmpeg', [
    '-hide_banner',
    '-nostdin',
    '-i',
    path,
    '-map',
    `0:${streamIndex}`,
    '-af',
    'volumedetect',
    '-f',
    'null',
    '-',
  ]);
  const match = /mean_volume: (-?[\d.]+) dB/.exec(stderr);
  if (!match) throw new Error(`volumedetect printed nothing for stream ${streamIndex} of ${path}`);
  return Number(match[1]);
}

/** Packet sizes (bytes) of one stream, in file order: equal lists mean the packets were copied. */
export async function packetSizes(path: string, streamSelector: string): Promise<number[]> {
  const { stdout } = await runTool('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    streamSelector,
    '-show_entries',
    'packet=size',
    '-of',
    'csv=p=0',
    path,
  ]);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => Number(line.split(',')[0]));
}

/** ffprobe's streams and format of a file, as JSON. */
export async function probeJson(path: string): Promise<{
  format: { duration?: string; format_name: string };
  streams: Array<{ index: number; codec_type: string; codec_name: string; width?: number; height?: number }>;
}> {
  const { stdout } = await runTool('ffprobe', ['-v', 'error', '-of', 'json', '-show_format', '-show_streams', path]);
  return JSON.parse(stdout);
}
