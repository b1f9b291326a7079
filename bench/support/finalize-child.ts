// One finalize in its own Node process, so bench/finalize.bench.ts can read this process's peak
// RSS (VmHWM) apart from its own: argv[2] is JSON { tracks, output }, stdout one JSON line.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { mergeRecording, type TrackInput } from '@app/media';

function vmHwmKb(): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) : Number.NaN;
}

async function main(): Promise<void> {
  const { tracks, output } = JSON.parse(process.argv[2] ?? '{}') as { tracks: TrackInput[]; output: string };
  const started = performance.now();
  const result = await mergeRecording(tracks, output);
  const wallMs = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ wallMs, vmHwmKb: vmHwmKb(), result })}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
