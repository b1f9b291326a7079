import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { MergeAbortedError } from './errors';
import { ffmpegBinaries } from './ffmpeg-binaries';

// ffprobe is run directly (not through fluent-ffmpeg, whose ffprobe wrapper always adds
// -show_format/-show_streams and buffers everything): JSON for headers, and a line-by-line packet
// scan whose memory does not depend on the file's length. No shell; SIGKILL on timeout or abort.

export interface FfprobeRun {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

interface RunOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called per stdout line instead of collecting stdout (which is then empty). */
  onLine?: (line: string) => void;
}

const MAX_STDOUT_CHARS = 8 * 1024 * 1024;
const STDERR_TAIL_CHARS = 8 * 1024;

export function runFfprobe(args: readonly string[], options: RunOptions): Promise<FfprobeRun> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new MergeAbortedError());

  return new Promise<FfprobeRun>((resolve, reject) => {
    const child = spawn(ffmpegBinaries().ffprobe, args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let aborted = false;
    let spawnError: Error | undefined;

    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    const onAbort = () => {
      aborted = true;
      child.kill('SIGKILL');
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    if (options.onLine) {
      createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', options.onLine);
    } else {
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        // Headers of one track are a few kB; more means something is wrong, not a bigger buffer.
        if (stdout.length + chunk.length > MAX_STDOUT_CHARS) child.kill('SIGKILL');
        else stdout += chunk;
      });
    }
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
    });
    child.on('error', (err) => {
      spawnError = err;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (aborted) reject(new MergeAbortedError());
      else if (spawnError) {
        const missing = (spawnError as NodeJS.ErrnoException).code === 'ENOENT';
        reject(new Error(missing ? `${ffmpegBinaries().ffprobe} is not installed` : spawnError.message));
      } else resolve({ code, stdout, stderr, timedOut });
    });
  });
}
