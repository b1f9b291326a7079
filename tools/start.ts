import 'reflect-metadata';
import { join } from 'node:path';
import { runMigrations } from '@app/database';
import {
  ComponentError,
  DEV_PROFILE,
  DIST_DIR,
  httpOk,
  loadOrCreateSecrets,
  LOG_DIR,
  ManagedProcess,
  startLocalStack,
  waitUntilReady,
  type LocalStack,
} from '@app/devstack';
import { describeDemo, runDemoSeed } from './seed';

// `npm start`: provisions what is missing, starts the local stack (LiveKit, object store; uses or
// starts PostgreSQL and Redis), migrates, starts both apps and the agent worker, prints the URLs.
// Ctrl-C stops everything it started, in reverse order, and nothing else.

const say = (message: string) => console.log(`[parley] ${message}`);

async function main(): Promise<void> {
  const started = Date.now();
  const profile = DEV_PROFILE;
  const stops: Array<() => Promise<void>> = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping…');
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    say('stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    const stack: LocalStack = await startLocalStack(profile, loadOrCreateSecrets(), say);
    stops.push(() => stack.stop());
    const { applied } = await runMigrations({ url: stack.env.DATABASE_URL, applicationName: 'parley-start' });
    if (applied.length) say(`migrations applied: ${applied.join(', ')}`);
    const demo = await runDemoSeed({ ...process.env, ...stack.env });

    // user-management's internal API keys: user-management verifies all (tagged with their owner),
    // each caller gets only its own.
    const { INTERNAL_API_KEYS, VSS_INTERNAL_API_KEY, AGENT_INTERNAL_API_KEY, ...shared } = stack.env;
    const env = { ...process.env, ...shared, NODE_ENV: process.env.NODE_ENV ?? 'development' };
    const services = [
      {
        name: 'user-management',
        entry: 'apps/user-management/src/main.js',
        env: { PORT: String(profile.ports.userManagement), INTERNAL_API_KEYS },
        ready: `http://127.0.0.1:${profile.ports.userManagement}/readyz`,
      },
      {
        name: 'video-streaming-server',
        entry: 'apps/video-streaming-server/src/main.js',
        env: { PORT: String(profile.ports.videoStreamingServer), VSS_INTERNAL_API_KEY },
        ready: `http://127.0.0.1:${profile.ports.videoStreamingServer}/readyz`,
      },
      {
        name: 'interviewer-agent',
        entry: 'agents/interviewer/main.js',
        args: ['start'],
        env: { AGENT_HEALTH_PORT: String(profile.ports.agentHealth), AGENT_INTERNAL_API_KEY },
        ready: `http://127.0.0.1:${profile.ports.agentHealth}/`,
      },
    ];
    await Promise.all(
      services.map(async (service) => {
        const proc = ManagedProcess.start({
          name: service.name,
          command: process.execPath,
          args: ['--enable-source-maps', join(DIST_DIR, service.entry), ...(service.args ?? [])],
          env: { ...env, ...service.env },
          logDir: join(LOG_DIR, profile.name),
          echo: true,
        });
        stops.push(() => proc.stop());
        await waitUntilReady(() => httpOk(service.ready), {
          component: service.name,
          timeoutMs: 60_000,
          abortReason: () => proc.exitDescription(),
          hint: `see ${proc.logFile}`,
        });
        void proc.exited.then(() => {
          if (!stopping) {
            say(`${service.name} stopped unexpectedly: ${proc.exitDescription()}`);
            void shutdown(1);
          }
        });
      }),
    );

    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    say(`Parley is running (ready in ${seconds} s). Ctrl-C stops it.`);
    console.table({
      'user-management': {
        url: `http://127.0.0.1:${profile.ports.userManagement}`,
        docs: `http://127.0.0.1:${profile.ports.userManagement}/docs`,
      },
      'video-streaming-server': {
        url: `http://127.0.0.1:${profile.ports.videoStreamingServer}`,
        docs: `http://127.0.0.1:${profile.ports.videoStreamingServer}/docs`,
      },
      'interviewer agent (health)': { url: `http://127.0.0.1:${profile.ports.agentHealth}`, docs: '' },
      'LiveKit (ws)': { url: stack.env.LIVEKIT_URL, docs: '' },
      'object store (S3)': { url: `${stack.env.S3_ENDPOINT} bucket ${stack.env.S3_BUCKET}`, docs: '' },
      PostgreSQL: { url: stack.env.DATABASE_URL, docs: '' },
      Redis: { url: stack.env.REDIS_URL, docs: '' },
    });
    console.log(describeDemo(demo, `http://127.0.0.1:${profile.ports.userManagement}`));
    say(
      `logs: ${join(LOG_DIR, profile.name)}; local keys: .parley/dev-secrets.json; demo passwords: .parley/demo-credentials.json`,
    );
  } catch (err) {
    console.error(err instanceof ComponentError ? `\n${err.message}\n` : err);
    await shutdown(1);
  }
}

void main();
