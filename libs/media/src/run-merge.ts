import { rm } from 'node:fs/promises';
import ffmpeg from 'fluent-ffmpeg';
import { MergeAbortedError, MergeFfmpegError, MergeInputError, stderrTail } from './errors';
import { ffmpegBinaries } from './ffmpeg-binaries';
import type { MergePlan } from './merge-plan';
import { redactUrls } from './source';

// Runs a MergePlan: one ffmpeg child (through fluent-ffmpeg), killed on abort. ffmpeg streams
// every input and writes the output as it goes; Node holds only the last stderr lines, so memory
// does not grow with the recording's length.

export type MergeStage = 'probing' | 'merging' | 'verifying';

export interface MergeProgress {
  stage: MergeStage;
  /** 0..100: for `merging`, output time over the expected duration. */
  percent: number;
}

export interface RunMergeOptions {
  onProgress?: (progress: MergeProgress) => void;
  signal?: AbortSignal;
}

const STDERR_LINES = 60;

export async function runMerge(plan: MergePlan, outputPath: string, options: RunMergeOptions = {}): Promise<void> {
  const { signal, onProgress } = options;
  if (signal?.aborted) throw new MergeAbortedError();

  const command = ffmpeg({ stdoutLines: STDERR_LINES });
  command.setFfmpegPath(ffmpegBinaries().ffmpeg);
  for (const input of plan.inputs) {
    command.input(input.url);
    // Several arguments at once: fluent-ffmpeg then passes each as given (a single string
    // with one space would be split in two).
    if (input.options.length > 0) command.inputOptions(...input.options);
  }
  if (plan.filterComplex) command.complexFilter(plan.filterComplex);
  // -nostdin: ffmpeg otherwise reads keystrokes from the pipe fluent-ffmpeg gives it.
  command.outputOptions('-nostdin', '-hide_banner', ...plan.outputOptions).output(outputPath);

  let lastPercent = -1;
  let callbackError: Error | undefined;
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => command.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    command
      // fluent-ffmpeg spawns asynchronously: an abort before the child existed killed nothing.
      .on('start', () => {
        if (signal?.aborted) command.kill('SIGKILL');
      })
      .on('progress', (progress: { timemark?: string }) => {
        const ms = timemarkMs(progress.timemark);
        if (ms === undefined || !onProgress) return;
        const percent = Math.min(99, Math.max(0, Math.floor((ms / Math.max(1, plan.expectedDurationMs)) * 100)));
        if (percent <= lastPercent) return;
        lastPercent = percent;
        try {
          onProgress({ stage: 'merging', percent });
        } catch (err) {
          // Thrown inside fluent-ffmpeg's stderr handler it would be uncaught: fail the merge instead.
          callbackError ??= err instanceof Error ? err : new Error(String(err));
          command.kill('SIGKILL');
        }
      })
      .on('error', (err: Error, _stdout: string | null, stderr: string | null) => {
        signal?.removeEventListener('abort', onAbort);
        if (callbackError !== undefined) reject(callbackError);
        else reject(signal?.aborted ? new MergeAbortedError() : failure(plan, err, stderr ?? ''));
      })
      .on('end', () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      })
      .run();
  }).catch(async (err: unknown) => {
    // A half-written file must not be mistaken for a recording.
    await rm(outputPath, { force: true });
    throw err;
  });
  onProgress?.({ stage: 'merging', percent: 100 });
}

/** `HH:MM:SS.xx` (ffmpeg's time=) in ms. */
export function timemarkMs(timemark: string | undefined): number | undefined {
  const match = /^(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(timemark ?? '');
  if (!match) return undefined;
  const ms = (Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4])) * 1000;
  return match[1] ? -ms : ms;
}

/**
 * ffmpeg names a failing input by index (`Error while decoding stream #2:0`) or by its URL (an
 * input that cannot be opened); such a failure is that track's MergeInputError, anything else a
 * MergeFfmpegError.
 */
function failure(plan: MergePlan, err: Error, stderr: string): Error {
  const tail = stderrTail(stderr, 12);
  for (const line of tail.slice().reverse()) {
    const byIndex = /^Error while decoding stream #(\d+):/.exec(line);
    const index = byIndex
      ? Number(byIndex[1])
      : plan.inputs.findIndex((input) => line.startsWith(`${redactUrls(input.url)}: `));
    const input = index >= 0 ? plan.inputs[index] : undefined;
    if (input) return new MergeInputError(input.trackId, input.url.replace(/^file:/, ''), line, tail);
  }
  return new MergeFfmpegError(`ffmpeg failed: ${tail.at(-1) ?? err.message}`, tail);
}
