import { ComponentError } from './errors';

export interface WaitOptions {
  component: string;
  timeoutMs: number;
  intervalMs?: number;
  hint?: string;
  /** Stop waiting early, e.g. when the process under test has exited. */
  abortReason?: () => string | undefined;
}

/** Polls `probe` until it resolves; on timeout the error names the component and the last failure. */
export async function waitUntilReady(probe: () => Promise<unknown>, options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: string;
  for (;;) {
    const aborted = options.abortReason?.();
    if (aborted) throw new ComponentError(options.component, aborted, options.hint);
    try {
      await probe();
      return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) {
      throw new ComponentError(
        options.component,
        `not ready after ${Math.round(options.timeoutMs / 1000)} s (last error: ${lastError})`,
        options.hint,
      );
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 200));
  }
}

export async function httpOk(url: string, timeoutMs = 1_000): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
}
