import { z } from 'zod';
import { MergeAbortedError, MergeInputError, stderrTail } from './errors';
import { runFfprobe } from './run-ffprobe';
import { ffmpegUrl, sourceInputOptions, sourceKind } from './source';

// What a track file holds, from ffprobe (never fs.stat: a source may be a presigned URL).

export interface TrackInput {
  /** The caller's id for the track (a row id, an egress id); errors name it. */
  id: string;
  /** A local path or an http(s) URL. */
  source: string;
  /** Wall-clock time of the track's first sample, ms since the epoch. */
  startedAtMs: number;
  /** The participant identity that published it. */
  speaker: string;
}

export interface TrackMedia {
  kind: 'audio' | 'video';
  /** ffprobe's codec_name: opus, vp8, vp9, h264, … */
  codec: string;
  durationMs: number;
  /** ffprobe's format_name, e.g. `ogg`, `ivf`, `matroska,webm`. */
  format: string;
  width?: number;
  height?: number;
}

export type ProbedTrack = TrackInput & TrackMedia;

export interface ProbeOptions {
  /** For the header probe. */
  timeoutMs?: number;
  /** For a packet scan (IVF and files without a recorded duration): it reads the whole file. */
  scanTimeoutMs?: number;
  signal?: AbortSignal;
  /** Names the track in errors; defaults to the source. */
  trackId?: string;
}

const ffprobeJson = z.object({
  format: z.object({
    format_name: z.string(),
    duration: z.coerce.number().optional(),
  }),
  streams: z
    .array(
      z.object({
        index: z.number().int(),
        codec_type: z.string().optional(),
        codec_name: z.string().optional(),
        width: z.number().int().optional(),
        height: z.number().int().optional(),
        disposition: z.object({ attached_pic: z.number().optional() }).partial().optional(),
      }),
    )
    .default([]),
});

export async function probeTrack(source: string, options: ProbeOptions = {}): Promise<TrackMedia> {
  const trackId = options.trackId ?? source;
  if (sourceKind(source) === undefined) {
    throw new MergeInputError(trackId, source, 'not a local path or an http(s) URL');
  }
  const input = [...sourceInputOptions(source), '-i', ffmpegUrl(source)];
  const run = await runFfprobe(['-v', 'error', '-of', 'json', '-show_format', '-show_streams', ...input], {
    timeoutMs: options.timeoutMs ?? 30_000,
    signal: options.signal,
  });
  if (run.timedOut) throw new MergeInputError(trackId, source, 'ffprobe timed out reading the headers');
  if (run.code !== 0) {
    const tail = stderrTail(run.stderr);
    throw new MergeInputError(trackId, source, `unreadable: ${reason(tail)}`, tail);
  }

  const parsed = ffprobeJson.safeParse(parseJson(run.stdout));
  if (!parsed.success) throw new MergeInputError(trackId, source, 'ffprobe printed no usable description');
  const { format, streams } = parsed.data;
  // A cover picture is not a camera; video wins over audio in the (unexpected) file holding both.
  const stream =
    streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic) ??
    streams.find((s) => s.codec_type === 'audio');
  if (!stream?.codec_name) throw new MergeInputError(trackId, source, 'no audio or video stream');
  const kind = stream.codec_type === 'video' ? 'video' : 'audio';

  // IVF has no reliable duration: pion's writer stores the frame count where ffmpeg reads the
  // duration (a 10 s file probes as 3 ms). Other containers record one, except a WebM written
  // without seeking; those are scanned too.
  let durationMs = format.format_name !== 'ivf' && format.duration ? Math.round(format.duration * 1000) : undefined;
  durationMs ??= await scanDurationMs(input, kind, trackId, source, options);
  if (!(durationMs > 0)) throw new MergeInputError(trackId, source, 'no media (duration 0)');

  return {
    kind,
    codec: stream.codec_name,
    durationMs,
    format: format.format_name,
    ...(kind === 'video' && stream.width && stream.height ? { width: stream.width, height: stream.height } : {}),
  };
}

/** At most this many ffprobes at once. */
export const PROBE_CONCURRENCY = 3;

/** Probe every track; the first unreadable one (in the tracks' order) throws its MergeInputError. */
export async function probeTracks(tracks: readonly TrackInput[], options: ProbeOptions = {}): Promise<ProbedTrack[]> {
  // A few at a time: each probe is an HTTP request against the store, and an IVF (no duration in
  // its header) a full packet scan, seconds for a long camera track, that the other probes need
  // not wait for. Small enough a number not to hammer the store.
  const settled: Array<PromiseSettledResult<ProbedTrack>> = new Array(tracks.length);
  let next = 0;
  const worker = async () => {
    while (next < tracks.length) {
      const i = next++;
      const track = tracks[i];
      settled[i] = await probeTrack(track.source, { ...options, trackId: track.id }).then(
        (media): PromiseFulfilledResult<ProbedTrack> => ({ status: 'fulfilled', value: { ...track, ...media } }),
        (reason: unknown): PromiseRejectedResult => ({ status: 'rejected', reason }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(PROBE_CONCURRENCY, tracks.length) }, worker));
  return settled.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
}

/** The span of the stream's packets (first pts to last pts + duration), read line by line. */
async function scanDurationMs(
  input: string[],
  kind: 'audio' | 'video',
  trackId: string,
  source: string,
  options: ProbeOptions,
): Promise<number> {
  let first = Infinity;
  let end = -Infinity;
  const run = await runFfprobe(
    [
      '-v',
      'error',
      '-select_streams',
      kind === 'video' ? 'v:0' : 'a:0',
      '-show_entries',
      'packet=pts_time,duration_time',
      '-of',
      'csv=p=0',
      ...input,
    ],
    {
      timeoutMs: options.scanTimeoutMs ?? 600_000,
      signal: options.signal,
      onLine: (line) => {
        const [pts, duration] = line.split(',').map(Number);
        if (pts === undefined || !Number.isFinite(pts)) return;
        first = Math.min(first, pts);
        end = Math.max(end, pts + (duration !== undefined && Number.isFinite(duration) ? duration : 0));
      },
    },
  ).catch((err: unknown) => {
    if (err instanceof MergeAbortedError) throw err;
    throw new MergeInputError(trackId, source, (err as Error).message);
  });
  if (run.timedOut) throw new MergeInputError(trackId, source, 'ffprobe timed out scanning the packets');
  if (run.code !== 0) {
    const tail = stderrTail(run.stderr);
    throw new MergeInputError(trackId, source, `unreadable packets: ${reason(tail)}`, tail);
  }
  return Number.isFinite(first) ? Math.round((end - first) * 1000) : 0;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** ffprobe's last line, minus the input name it prefixes (`file:/x.ogg: Invalid data …`). */
function reason(tail: readonly string[]): string {
  const last = tail.at(-1) ?? 'no message';
  return last.replace(/^.*?: (?=[A-Z])/, '') || last;
}
