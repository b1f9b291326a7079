import { spawn } from 'node:child_process';
import { ProviderError } from './ports';

/**
 * Runs `command` with `input` on stdin and returns its stdout, killing it on timeout or abort.
 * Offline providers are processes: a hung one must not hold an interview turn.
 */
export function runWithInput(
  provider: string,
  command: string,
  args: readonly string[],
  input: Buffer | string,
  { timeoutMs, signal }: { timeoutMs: number; signal?: AbortSignal },
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ProviderError(provider, 'aborted', 'timeout'));
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let settled = false;
    const finish = (error?: ProviderError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (error) {
        child.kill('SIGKILL');
        reject(error);
      } else resolve(Buffer.concat(out));
    };
    const onAbort = () => finish(new ProviderError(provider, 'aborted', 'timeout'));
    const timer = setTimeout(() => finish(new ProviderError(provider, `no answer within ${timeoutMs} ms`, 'timeout')), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (e) => finish(new ProviderError(provider, `cannot run ${command}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) finish();
      else finish(new ProviderError(provider, `${command} exited with ${code}: ${Buffer.concat(err).toString().slice(0, 300)}`));
    });
    child.stdin.on('error', () => undefined); // the process may exit before reading everything
    child.stdin.end(input);
  });
}
