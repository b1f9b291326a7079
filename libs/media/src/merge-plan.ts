import type { ProbedTrack } from './probe';
import { roleOf, type ParticipantRole } from './roles';
import { ffmpegUrl, sourceInputOptions } from './source';

// R-R4: how the per-track files of one recording become one file, decided without running
// anything (so every rule here is unit-tested). The plan is data: ffmpeg input options, one
// filter_complex, output options, and the streams and duration the output must then have.
//
// Timeline: t=0 is the earliest track start; a track is placed at its offset from it. ffmpeg
// (without -copyts) moves each input's first timestamp to 0, so the offset alone positions it:
// -itsoffset for copied streams (video, and a speaker's own Opus stream in WebM), adelay
// (sample-exact) for audio that is filtered only, setpts for composite tiles.
//
// Cost: copying is nearly free; what is decoded and encoded is not. So the only audio encoded
// in WebM is the mix (plus the stream of a speaker who re-published, whose tracks must be
// joined), with libopus settings chosen for speech and speed (see MIX_OPUS).

export type Container = 'webm' | 'mp4';
export type StreamRole = ParticipantRole | 'mix' | 'composite';

export interface MergePlanOptions {
  /** libx264 preset for an MP4 composite (`ultrafast` … `veryslow`). */
  compositePreset?: string;
  /** libvpx `-cpu-used` for VP8 encodes (composite, or a camera that cannot be copied): 0-16, higher is faster. */
  vp8CpuUsed?: number;
  /** Height of the composite; every camera is scaled to it. Default: the smallest camera's height, at most 720. */
  compositeHeight?: number;
  /** Frame rate of the composite. */
  compositeFps?: number;
}

export interface PlannedInput {
  trackId: string;
  /** What ffmpeg opens (a local path gets `file:`). */
  url: string;
  /** Options placed before this input's -i. */
  options: string[];
}

export interface PlannedStream {
  index: number;
  type: 'audio' | 'video';
  codec: string;
  title: string;
  role: StreamRole;
  /** The tracks this stream carries. */
  trackIds: string[];
  /** Packets copied from the (single) track, not re-encoded. */
  copied: boolean;
}

export interface MergePlan {
  container: Container;
  /** Wall-clock time of output t=0 (the earliest track start), ms since the epoch. */
  startedAtMs: number;
  /** max over tracks of offset + duration. */
  expectedDurationMs: number;
  /** Every track's place on the output timeline. */
  offsets: Array<{ trackId: string; offsetMs: number }>;
  inputs: PlannedInput[];
  /** Empty when nothing is filtered. */
  filterComplex: string;
  outputOptions: string[];
  streams: PlannedStream[];
}

const SAMPLE_RATE = 48_000;
// The WebM mix: speech, mono, 48 kHz. `voip` favours intelligibility, compression level 0 and 60 ms
// frames cut libopus' CPU per second of audio by about a third against its defaults (level 10,
// 20 ms) at this bitrate; a 30-minute mix is the bulk of a finalize's CPU (BENCHMARKS.md § 5).
const MIX_OPUS = ['-application:{s}', 'voip', '-compression_level:{s}', '0', '-frame_duration:{s}', '60'];
const WEBM_VIDEO = new Set(['vp8', 'vp9']);
// Titles are identities (room-naming keeps them short and printable); stay safe anyway.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export function planMerge(tracks: readonly ProbedTrack[], options: MergePlanOptions = {}): MergePlan {
  if (tracks.length === 0) throw new Error('a merge needs at least one track');
  const compositeFps = options.compositeFps ?? 30;
  const vp8CpuUsed = options.vp8CpuUsed ?? 8;
  const compositePreset = options.compositePreset ?? 'veryfast';
  if (!Number.isInteger(vp8CpuUsed) || vp8CpuUsed < 0 || vp8CpuUsed > 16) throw new Error('vp8CpuUsed must be 0-16');
  if (!/^[a-z]+$/.test(compositePreset)) throw new Error('compositePreset must be an x264 preset name');
  if (!(compositeFps > 0 && compositeFps <= 60)) throw new Error('compositeFps must be in (0, 60]');
  const { compositeHeight } = options;
  if (
    compositeHeight !== undefined &&
    !(Number.isInteger(compositeHeight) && compositeHeight >= 16 && compositeHeight <= 2160)
  ) {
    throw new Error('compositeHeight must be a whole number of pixels, 16-2160');
  }

  // Input order = start order (stable), so ffmpeg's input indices read like the timeline.
  const ordered = [...tracks].sort((a, b) => a.startedAtMs - b.startedAtMs);
  const startedAtMs = ordered[0].startedAtMs;
  const offsetOf = (t: ProbedTrack) => Math.round(t.startedAtMs - startedAtMs);
  const expectedDurationMs = Math.max(...ordered.map((t) => offsetOf(t) + t.durationMs));
  const inputIndex = new Map(ordered.map((t, i) => [t, i]));
  const audio = ordered.filter((t) => t.kind === 'audio');
  const video = ordered.filter((t) => t.kind === 'video');

  // Copy whatever the container can hold; H.264 alone goes to MP4, anything else to WebM (VP8
  // for what cannot be copied there).
  const container: Container = video.length > 0 && video.every((t) => t.codec === 'h264') ? 'mp4' : 'webm';
  const copyable = (t: ProbedTrack) => (container === 'mp4' ? t.codec === 'h264' : WEBM_VIDEO.has(t.codec));
  const videoEncoder = container === 'mp4' ? 'h264' : 'vp8';
  const audioCodec = container === 'mp4' ? 'aac' : 'opus';

  const filters: string[] = [];
  const out: string[] = [];
  const streams: PlannedStream[] = [];
  const addStream = (stream: Omit<PlannedStream, 'index'>, map: string, codecOptions: string[]) => {
    const index = streams.length;
    const typeIndex = streams.filter((s) => s.type === stream.type).length;
    const spec = `${stream.type === 'video' ? 'v' : 'a'}:${typeIndex}`;
    streams.push({ ...stream, index });
    out.push('-map', map, ...codecOptions.map((o) => o.replace('{s}', spec)));
    out.push(`-metadata:s:${spec}`, `title=${stream.title}`, `-metadata:s:${spec}`, `role=${stream.role}`);
    // MP4 keeps no per-stream title; ffprobe reports the handler name, so that carries it.
    if (container === 'mp4') out.push(`-metadata:s:${spec}`, `handler_name=${stream.title}`);
    // The first stream of each type is the one players pick.
    out.push(`-disposition:${spec}`, typeIndex === 0 ? 'default' : '0');
  };
  const encodeVideo = (width: number, height: number, fps: number): string[] =>
    container === 'mp4'
      ? ['-c:{s}', 'libx264', '-preset:{s}', compositePreset, '-crf:{s}', '23', '-g:{s}', String(2 * fps)]
      : [
          '-c:{s}',
          'libvpx',
          '-deadline:{s}',
          'realtime',
          '-cpu-used:{s}',
          String(vp8CpuUsed),
          '-b:{s}',
          String(vp8Bitrate(width, height, fps)),
          '-g:{s}',
          String(2 * fps),
        ];

  // --- video: composite first (several cameras), then every camera as its own stream.
  if (video.length >= 2) {
    const tiles = compositeTiles(video, options.compositeHeight);
    filters.push(
      `color=c=black:s=${tiles.width}x${tiles.height}:r=${compositeFps}:d=${seconds(expectedDurationMs)}[bg]`,
    );
    let below = 'bg';
    video.forEach((t, n) => {
      const k = inputIndex.get(t)!;
      const tile = tiles.bySpeaker.get(t.speaker)!;
      filters.push(
        `[${k}:v:0]setpts=PTS-STARTPTS+${seconds(offsetOf(t))}/TB,` +
          `scale=w=${tile.width}:h=${tiles.height}:force_original_aspect_ratio=decrease:force_divisible_by=2,` +
          `setsar=1[tile${n}]`,
      );
      // A camera that has not started (or has ended) leaves its tile black: overlay passes the
      // background through before the first frame and (eof_action=pass, repeatlast=0) after the last.
      const label = n === video.length - 1 ? 'composite' : `over${n}`;
      const format = n === video.length - 1 ? ',format=yuv420p' : '';
      filters.push(
        `[${below}][tile${n}]overlay=x=${tile.x}+(${tile.width}-w)/2:y=(${tiles.height}-h)/2:` +
          `eof_action=pass:repeatlast=0${format}[${label}]`,
      );
      below = label;
    });
    addStream(
      {
        type: 'video',
        codec: videoEncoder,
        title: 'composite',
        role: 'composite',
        trackIds: video.map((t) => t.id),
        copied: false,
      },
      '[composite]',
      encodeVideo(tiles.width, tiles.height, compositeFps),
    );
  }
  for (const t of video) {
    const copied = copyable(t);
    addStream(
      {
        type: 'video',
        codec: copied ? t.codec : videoEncoder,
        title: titleOf(t.speaker),
        role: roleOf(t.speaker),
        trackIds: [t.id],
        copied,
      },
      `${inputIndex.get(t)!}:v:0`,
      copied ? ['-c:{s}', 'copy'] : encodeVideo(t.width ?? 640, t.height ?? 480, 30),
    );
  }

  // --- audio: each track resampled to 48 kHz mono (aresample async fills timestamp gaps with
  // silence) and delayed by its offset; a speaker's tracks summed into that speaker's stream;
  // all speakers summed into the mix. normalize=0 keeps levels (amix would otherwise divide by
  // the number of inputs), dropout_transition=0 keeps them when an input ends.
  const speakers = [...new Set(audio.map((t) => t.speaker))];
  const tracksOf = (speaker: string) => audio.filter((t) => t.speaker === speaker);
  // A speaker's own stream is the speaker's one Opus track, copied, when WebM can hold it as is;
  // joining re-published tracks (or anything into MP4's AAC) needs the filter graph.
  const copiedSpeaker = (speaker: string) => {
    const own = tracksOf(speaker);
    return container === 'webm' && own.length === 1 && own[0].codec === 'opus';
  };
  // Inputs shifted with -itsoffset: their copied packets carry the offset. Their decoded frames
  // carry it too, and aresample (first_pts=0) fills it with silence, so they get no adelay.
  const shifted = (t: ProbedTrack) =>
    offsetOf(t) > 0 && (t.kind === 'video' || (t.kind === 'audio' && copiedSpeaker(t.speaker)));
  const sum = (labels: string[], output: string) =>
    labels.length === 1
      ? `[${labels[0]}]anull[${output}]`
      : `${labels.map((l) => `[${l}]`).join('')}amix=inputs=${labels.length}:normalize=0:` +
        `dropout_transition=0:duration=longest[${output}]`;
  for (const t of audio) {
    const k = inputIndex.get(t)!;
    const delay = shifted(t) ? 0 : Math.round((offsetOf(t) * SAMPLE_RATE) / 1000);
    filters.push(
      `[${k}:a:0]aresample=${SAMPLE_RATE}:async=1:first_pts=0,` +
        `aformat=sample_fmts=fltp:sample_rates=${SAMPLE_RATE}:channel_layouts=mono` +
        `${delay > 0 ? `,adelay=delays=${delay}S:all=1` : ''}[track${k}]`,
    );
  }
  speakers.forEach((speaker, s) => {
    const labels = tracksOf(speaker).map((t) => `track${inputIndex.get(t)!}`);
    if (copiedSpeaker(speaker)) filters.push(`[${labels[0]}]anull[speaker${s}mix]`);
    else filters.push(sum(labels, `speaker${s}`), `[speaker${s}]asplit=2[speaker${s}out][speaker${s}mix]`);
  });
  if (speakers.length > 0) {
    filters.push(
      sum(
        speakers.map((_, s) => `speaker${s}mix`),
        'mix',
      ),
    );
    const encode = (kbps: number) => [
      '-c:{s}',
      container === 'mp4' ? 'aac' : 'libopus',
      '-b:{s}',
      `${kbps}k`,
      '-ar:{s}',
      String(SAMPLE_RATE),
      '-ac:{s}',
      '1',
      ...(container === 'mp4' ? [] : MIX_OPUS),
    ];
    addStream(
      { type: 'audio', codec: audioCodec, title: 'mix', role: 'mix', trackIds: audio.map((t) => t.id), copied: false },
      '[mix]',
      encode(container === 'mp4' ? 96 : 48),
    );
    speakers.forEach((speaker, s) => {
      const own = tracksOf(speaker);
      const copied = copiedSpeaker(speaker);
      addStream(
        {
          type: 'audio',
          codec: copied ? own[0].codec : audioCodec,
          title: titleOf(speaker),
          role: roleOf(speaker),
          trackIds: own.map((t) => t.id),
          copied,
        },
        copied ? `${inputIndex.get(own[0])!}:a:0` : `[speaker${s}out]`,
        copied ? ['-c:{s}', 'copy'] : encode(container === 'mp4' ? 64 : 32),
      );
    });
  }

  const inputs: PlannedInput[] = ordered.map((t) => {
    // Copied streams need the input shifted; composite tiles place their frames themselves
    // (setpts PTS-STARTPTS, unchanged by a shift), filtered-only audio with adelay.
    const shift = shifted(t) ? ['-itsoffset', seconds(offsetOf(t))] : [];
    return { trackId: t.id, url: ffmpegUrl(t.source), options: [...sourceInputOptions(t.source), ...shift] };
  });

  const outputOptions = [
    // Input files' global and stream tags (encoder names, egress ids) do not describe the output.
    '-map_metadata',
    '-1',
    '-map_chapters',
    '-1',
    ...out,
    // Copied streams are muxed before the filtered ones are ready; let the muxer queue them.
    '-max_muxing_queue_size',
    '4096',
    ...(container === 'mp4' ? ['-movflags', '+faststart', '-f', 'mp4'] : ['-f', 'webm']),
  ];

  return {
    container,
    startedAtMs,
    expectedDurationMs,
    offsets: ordered.map((t) => ({ trackId: t.id, offsetMs: offsetOf(t) })),
    inputs,
    filterComplex: filters.join(';'),
    outputOptions,
    streams,
  };
}

interface Tiles {
  width: number;
  height: number;
  bySpeaker: Map<string, { x: number; width: number }>;
}

/**
 * One tile per identity, side by side, all one height; a tile's width follows the identity's
 * first camera. A re-published camera of the same identity lands in the same tile, so the
 * composite shows one continuous picture of that person.
 */
function compositeTiles(video: readonly ProbedTrack[], requestedHeight: number | undefined): Tiles {
  const first = new Map<string, ProbedTrack>();
  for (const t of video) if (!first.has(t.speaker)) first.set(t.speaker, t);
  const size = (t: ProbedTrack) => ({ width: t.width ?? 640, height: t.height ?? 480 });
  const height = even(requestedHeight ?? Math.min(720, ...[...first.values()].map((t) => size(t).height)));
  const bySpeaker = new Map<string, { x: number; width: number }>();
  let x = 0;
  for (const [speaker, t] of first) {
    const { width: w, height: h } = size(t);
    const width = even((w * height) / h);
    bySpeaker.set(speaker, { x, width });
    x += width;
  }
  return { width: x, height, bySpeaker };
}

/** ~0.08 bits per pixel: enough for talking heads with libvpx realtime, clamped to sane bounds. */
function vp8Bitrate(width: number, height: number, fps: number): number {
  return Math.round(Math.min(4_000_000, Math.max(300_000, width * height * fps * 0.08)));
}

const even = (n: number) => Math.max(2, 2 * Math.round(n / 2));
const seconds = (ms: number) => (ms / 1000).toFixed(3);
const titleOf = (identity: string) => identity.replace(CONTROL, ' ').slice(0, 200);
