import { redactUrls } from './source';

// Typed failures of a merge, so the caller can mark a recording failed with a reason a human can
// act on. Every message and stderr tail passes through redactUrls: a presigned URL's signature
// must not end up in a database row or a log line.

export type MergeErrorKind = 'input' | 'ffmpeg' | 'verification' | 'aborted';

export abstract class MergeError extends Error {
  abstract readonly kind: MergeErrorKind;
  /** The end of ffmpeg's/ffprobe's stderr (redacted), for diagnosis. */
  readonly stderrTail: string[];

  constructor(message: string, stderrTail: readonly string[] = []) {
    super(redactUrls(message));
    this.stderrTail = stderrTail.map(redactUrls);
  }
}

/** One track cannot be read: missing, corrupt, no audio/video, unsupported source. */
export class MergeInputError extends MergeError {
  readonly kind = 'input';
  override readonly name = 'MergeInputError';
  readonly source: string;

  constructor(
    readonly trackId: string,
    source: string,
    readonly reason: string,
    stderrTail: readonly string[] = [],
  ) {
    super(`track ${trackId} (${source}): ${reason}`, stderrTail);
    this.source = redactUrls(source);
  }
}

/** ffmpeg itself failed while merging readable tracks. */
export class MergeFfmpegError extends MergeError {
  readonly kind = 'ffmpeg';
  override readonly name = 'MergeFfmpegError';
}

/** ffmpeg finished, but the output is not what the plan promised (duration, streams). */
export class MergeVerificationError extends MergeError {
  readonly kind = 'verification';
  override readonly name = 'MergeVerificationError';

  constructor(readonly problems: string[]) {
    super(`merged output failed verification: ${problems.join('; ')}`);
  }
}

/** The caller's AbortSignal fired; the child was killed. */
export class MergeAbortedError extends MergeError {
  readonly kind = 'aborted';
  override readonly name = 'MergeAbortedError';

  constructor() {
    super('merge aborted');
  }
}

/** The last meaningful lines of stderr (ffmpeg prints its reason last). */
export function stderrTail(stderr: string, lines = 8): string[] {
  return stderr
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .slice(-lines)
    .map((line) => redactUrls(line).slice(0, 400));
}
