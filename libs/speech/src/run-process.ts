import { spawn } from 'node:child_process';
import { ProviderError } from './ports';

// One short-lived child per utterance for the offline engines: no shell (arguments are never
// parsed), input on stdin, output collected with a cap, and SIGKILL on timeout or abort so a stuck
// engine never outlives the request that started it.

export interface RunOptions {
  /** ProviderError's provider. */
  label: string;
  command: string;
  args: readonly string[];
  input?: Uint8Array;
  timeoutMs: number;
  signal?: AbortSignal;
  /** stdout beyond this is an error (a runaway engine must not fill the heap). */
  maxOutputBytes?: number;
}

export interface RunResult {
  stdout: Buffer;
  /** The end of stderr, for error messages. */
  stderr: string;
  code: number | null;
}

const STDERR_TAIL_BYTES = 4096;

export function runProcess(options: RunOptions): Promise<RunResult> {
  const { label, signal } = options;
  const maxOutputBytes = options.maxOutputBytes ?? 64 * 1024 * 1024;
  if (signal?.aborted) return Promise.reject(new ProviderError(label, 'aborted', 'unavailable'));

  return new Promise<RunResult>((resolve, reject) => {
    const child = spawn(options.command, options.args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = '';
    // Set when we kill the child; the error is reported once it has exited, so nothing is left running.
    let failure: ProviderError | undefined;
    let spawnError: Error | undefined;

    const kill = (error: ProviderError) => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => kill(new ProviderError(label, `no result within ${options.timeoutMs} ms`, 'timeout')),
      options.timeoutMs,
    );
    const onAbort = () => kill(new ProviderError(label, 'aborted', 'unavailable'));
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > maxOutputBytes)
        kill(new ProviderError(label, `more than ${maxOutputBytes} bytes of output`, 'malformed'));
      else stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    // The child may exit (or be killed) before reading all its input: EPIPE is not our failure.
    child.stdin.on('error', () => undefined);
    child.on('error', (err) => {
      spawnError = err;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (spawnError) {
        const missing = (spawnError as NodeJS.ErrnoException).code === 'ENOENT';
        reject(
          new ProviderError(label, missing ? `${options.command} is not installed` : spawnError.message, 'unavailable'),
        );
      } else if (failure) reject(failure);
      else resolve({ stdout: Buffer.concat(stdout), stderr, code });
    });

    child.stdin.end(options.input ?? Buffer.alloc(0));
  });
}

/** The last meaningful stderr line, for a ProviderError message. */
export function lastLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return (lines.at(-1) ?? 'no message').slice(0, 300);
}
