import 'reflect-metadata';
import { DEV_PROFILE, loadOrCreateSecrets, stackEnv } from '@app/devstack';
import { mergeLocalFiles } from '@app/media';
import { NestFactory } from '@nestjs/core';
import { z } from 'zod';
import { loadVideoStreamingServerConfig } from '../apps/video-streaming-server/src/config';
import { FinalizeWorkerModule } from '../apps/video-streaming-server/src/finalize-worker';
import { FinalizeQueue } from '../apps/video-streaming-server/src/recordings/finalize/finalize.queue';
import { RecordingRepository } from '../apps/video-streaming-server/src/recordings/recording.repository';

// `npm run finalize -- …`: the operator's way to re-run R-R4's merge.
//   --recording <id>                              finalize a recording again from its raw tracks
//                                                 (the environment, or the dev stack's, says where)
//   --file <path>@<startedAtMs>@<speaker> … --out <file>   merge local track files into one file
const usage = `usage:
  npm run finalize -- --recording <recording id>
  npm run finalize -- --file <path>@<startedAtMs>@<speaker> [--file …] --out <output file>`;

const TrackArg = z
  .string()
  .regex(/^(.+)@(\d+)@([A-Za-z0-9._@:-]{1,128})$/, 'must be <path>@<startedAtMs>@<speaker>')
  .transform((arg) => {
    const [, path, startedAtMs, speaker] = /^(.+)@(\d+)@(.+)$/.exec(arg)!;
    return { path, startedAtMs: Number(startedAtMs), speaker };
  });
const Args = z.union([
  z.strictObject({ recording: z.uuid() }),
  z.strictObject({ file: z.array(TrackArg).min(1), out: z.string().min(1) }),
]);

function parseArgv(argv: string[]) {
  const raw: Record<string, string | string[]> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i]?.replace(/^--/, '');
    const value = argv[i + 1];
    if (!name || value === undefined) throw new Error(`missing a value after ${argv[i]}`);
    if (name === 'file') raw.file = [...((raw.file as string[]) ?? []), value];
    else raw[name] = value;
  }
  return Args.parse(raw);
}

const say = (message: string) => console.log(`[finalize] ${message}`);

async function finalizeRecording(recordingId: string): Promise<number> {
  const config = loadVideoStreamingServerConfig({
    ...stackEnv(DEV_PROFILE, loadOrCreateSecrets(), `http://127.0.0.1:${DEV_PROFILE.objectStorePort}`),
    ...process.env,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  });
  const app = await NestFactory.createApplicationContext(FinalizeWorkerModule.register(config), { logger: ['error'] });
  await app.init();
  try {
    const repository = app.get(RecordingRepository);
    const record = await repository.get(recordingId);
    if (!record) {
      say(`no recording ${recordingId} in Redis (its state expires after SESSION_RETENTION_SECONDS)`);
      return 2;
    }
    say(`recording ${recordingId} of ${record.room}: ${record.state}`);
    const queue = app.get(FinalizeQueue);
    // A failed job keeps its id: remove it so the new run is not taken for a duplicate.
    await (await queue.job(recordingId))?.remove();
    if (record.state === 'ready') await repository.transition(record, ['ready'], 'failed', 're-finalize requested');
    await queue.enqueue(recordingId);
    let last = '';
    for (;;) {
      const now = await repository.get(recordingId);
      const line = `${now?.state} ${now?.finalizeStage ?? ''} ${now?.finalizePercent ?? 0}%`;
      if (line !== last) say(line);
      last = line;
      if (now?.state === 'ready') {
        say(`ready: ${now.objectKey} (${now.durationMs} ms, ${now.sizeBytes} bytes, ${now.codecs?.join(', ')})`);
        return 0;
      }
      if (now?.state === 'failed' && now.finalizeStage === 'failed') {
        say(`failed: ${now.failureReason}`);
        return 1;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await app.close();
  }
}

async function main(): Promise<number> {
  let args: z.infer<typeof Args>;
  try {
    args = parseArgv(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof z.ZodError ? z.prettifyError(err) : (err as Error).message);
    console.error(usage);
    return 2;
  }
  if ('recording' in args) return finalizeRecording(args.recording);
  const result = await mergeLocalFiles({
    files: args.file,
    output: args.out,
    options: { onProgress: ({ stage, percent }) => say(`${stage} ${Math.round(percent)}%`) },
  });
  say(`wrote ${args.out}: ${result.container}, ${result.durationMs} ms, ${result.sizeBytes} bytes`);
  for (const s of result.streams) say(`  stream ${s.index}: ${s.type} ${s.codec} ${s.title ?? ''} ${s.role ?? ''}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
