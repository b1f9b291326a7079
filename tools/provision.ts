import {
  BROWSER_APT_BINARIES,
  ensureAptBinaries,
  ensureGoTool,
  ensureRecorder,
  LIVEKIT_SERVER,
  STACK_APT_BINARIES,
  VERSITYGW,
} from '@app/devstack';

// `npm run provision`: installs what the local stack needs and does not start anything.
// `npm start` and the e2e tests call the same functions; CI runs this first so the slow,
// cold-machine builds show up as their own step instead of inside a test hook.
async function main(): Promise<void> {
  const say = (message: string) => console.log(`[provision] ${message}`);
  const started = Date.now();
  await Promise.all([
    ensureAptBinaries(
      [
        ...STACK_APT_BINARIES,
        ...BROWSER_APT_BINARIES,
        // Only for the test that checks docker-compose.yml with `docker-compose config`.
        { binary: 'docker-compose', pkg: 'docker-compose' },
      ],
      say,
    ),
    ensureGoTool(LIVEKIT_SERVER, say).then((path) => say(`livekit-server: ${path}`)),
    ensureGoTool(VERSITYGW, say).then((path) => say(`versitygw: ${path}`)),
    ensureRecorder(say).then((path) => say(`parley-recorder: ${path}`)),
  ]);
  say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
