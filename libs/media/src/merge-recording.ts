import { z } from 'zod';
import { rm } from 'node:fs/promises';
import { MergeAbortedError, MergeInputError } from './errors';
import { planMerge, type MergePlanOptions } from './merge-plan';
import { probeTracks, type TrackInput } from './probe';
import { runMerge, type MergeProgress } from './run-merge';
import { sourceKind } from './source';
import { verifyMerged, type MergeResult } from './verify';

// R-R4's finalize step in one call: probe every track, plan, run ffmpeg, verify the output.

export interface MergeRecordingOptions extends MergePlanOptions {
  onProgress?: (progress: MergeProgress) => void;
  signal?: AbortSignal;
  /** Allowed difference between the output's and the expected duration; default max(500 ms, 1 %). */
  toleranceMs?: number;
}

// The tracks come from the database or a CLI: checked here, before any of it reaches ffmpeg.
const trackInputs = z
  .array(
    z.object({
      id: z.string().min(1).max(200),
      source: z
        .string()
        .min(1)
        .max(8192)
        .refine((s) => sourceKind(s) !== undefined, 'must be a local path or an http(s) URL'),
      startedAtMs: z.number().finite().nonnegative(),
      speaker: z.string().min(1).max(200),
    }),
  )
  .min(1, 'a recording has at least one track')
  .refine((tracks) => new Set(tracks.map((t) => t.id)).size === tracks.length, 'track ids must be unique');

export async function mergeRecording(
  tracks: readonly TrackInput[],
  outputPath: string,
  options: MergeRecordingOptions = {},
): Promise<MergeResult> {
  const checked = trackInputs.safeParse(tracks);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const track = typeof issue.path[0] === 'number' ? tracks[issue.path[0]] : undefined;
    throw new MergeInputError(track?.id ?? '?', track?.source ?? '?', `${issue.path.join('.')}: ${issue.message}`);
  }
  const { onProgress, signal, toleranceMs } = options;

  onProgress?.({ stage: 'probing', percent: 0 });
  const probed = await probeTracks(checked.data, { signal });
  const plan = planMerge(probed, options);
  await runMerge(plan, outputPath, { onProgress, signal });
  // An abort that lands as ffmpeg exits still means the caller has given up on this merge.
  if (signal?.aborted) {
    await rm(outputPath, { force: true });
    throw new MergeAbortedError();
  }
  onProgress?.({ stage: 'verifying', percent: 100 });
  return verifyMerged(outputPath, plan, toleranceMs);
}

export interface LocalTrackFile {
  path: string;
  startedAtMs: number;
  speaker: string;
}

/** For the CLI: local files in, one merged file out (track ids are the file names' positions). */
export async function mergeLocalFiles(args: {
  files: LocalTrackFile[];
  output: string;
  options?: MergeRecordingOptions;
}): Promise<MergeResult> {
  const tracks = args.files.map((file, i) => ({
    id: `track-${i + 1}`,
    source: file.path,
    startedAtMs: file.startedAtMs,
    speaker: file.speaker,
  }));
  return mergeRecording(tracks, args.output, args.options);
}
