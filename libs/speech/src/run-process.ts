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

export interface PipelineOptions {
  /** ProviderError's provider. */
  label: string;
  /** Each stage's stdout feeds the next one's stdin; the first reads `input`, the last is streamed. */
  stages: ReadonlyArray<{ command: string; args: readonly string[] }>;
  input: Uint8Array;
  /** The whole pipeline is killed after this long. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Output beyond this is an error. */
  maxOutputBytes?: number;
}

/**
 * Children piped into each other (espeak-ng | ffmpeg), the last one's stdout yielded as it comes.
 * Same rules as runProcess: no shell, SIGKILL on timeout or abort, and nothing outlives the
 * iteration: leaving the loop early kills every stage and waits for it to exit. A stage that fails
 * (exit code, not installed) throws once the output has ended, naming its own stderr.
 */
export async function* streamPipeline(options: PipelineOptions): AsyncGenerator<Buffer> {
  const { label, signal } = options;
  const maxOutputBytes = options.maxOutputBytes ?? 64 * 1024 * 1024;
  if (signal?.aborted) throw new ProviderError(label, 'aborted', 'unavailable');
  if (options.stages.length === 0) throw new Error('streamPipeline needs at least one stage');

  let failure: ProviderError | undefined;
  const stages = options.stages.map((stage) => {
    const child = spawn(stage.command, stage.args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
    const state = { command: stage.command, child, stderr: '', spawnError: undefined as Error | undefined };
    child.stderr.on('data', (chunk: Buffer) => {
      state.stderr = (state.stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    child.stdin.on('error', () => undefined);
    child.on('error', (err) => {
      state.spawnError = err;
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    return { child, state, closed };
  });
  const killAll = (error: ProviderError) => {
    failure ??= error;
    for (const { child } of stages) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const timer = setTimeout(
    () => killAll(new ProviderError(label, `no result within ${options.timeoutMs} ms`, 'timeout')),
    options.timeoutMs,
  );
  const onAbort = () => killAll(new ProviderError(label, 'aborted', 'unavailable'));
  signal?.addEventListener('abort', onAbort, { once: true });
  for (let i = 0; i + 1 < stages.length; i++) {
    const from = stages[i].child.stdout;
    const to = stages[i + 1].child.stdin;
    from.pipe(to);
    // A stage that dies (or is killed) unpipes its input; drain it, or the stage before never
    // reaches 'close'.
    to.once('close', () => from.resume());
  }
  stages[0].child.stdin.end(options.input);
  const last = stages.at(-1)!;

  let finished = false;
  try {
    let bytes = 0;
    for await (const chunk of last.child.stdout as AsyncIterable<Buffer>) {
      if (failure) break;
      bytes += chunk.length;
      if (bytes > maxOutputBytes) {
        killAll(new ProviderError(label, `more than ${maxOutputBytes} bytes of output`, 'malformed'));
        break;
      }
      yield chunk;
    }
    const codes = await Promise.all(stages.map((s) => s.closed));
    finished = true;
    if (failure) throw failure;
    for (const [i, { state }] of stages.entries()) {
      if (state.spawnError) {
        const missing = (state.spawnError as NodeJS.ErrnoException).code === 'ENOENT';
        throw new ProviderError(
          label,
          missing ? `${state.command} is not installed` : state.spawnError.message,
          'unavailable',
        );
      }
      if (codes[i] !== 0) {
        throw new ProviderError(
          label,
          `${state.command} exited with ${codes[i]}: ${lastLine(state.stderr)}`,
          'unavailable',
        );
      }
    }
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    if (!finished) {
      killAll(new ProviderError(label, 'stopped', 'unavailable'));
      await Promise.all(stages.map((s) => s.closed));
    }
  }
}
