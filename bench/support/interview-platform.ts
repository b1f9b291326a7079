import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { runMigrations } from '@app/database';
import {
  DATA_DIR,
  DIST_DIR,
  httpOk,
  LOG_DIR,
  ManagedProcess,
  randomSecrets,
  startLocalStack,
  testProfile,
  waitUntilReady,
  type StackProfile,
} from '@app/devstack';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadUserManagementConfig } from '../../apps/user-management/src/config';
import { createUserManagement } from '../../apps/user-management/src/create-app';
import { ensureOrganizationWithStaff } from '../../apps/user-management/src/seed/seed';
import { loadVideoStreamingServerConfig } from '../../apps/video-streaming-server/src/config';
import { createVideoStreamingServer } from '../../apps/video-streaming-server/src/create-app';
import { DEMO_POSTING } from '../../tools/demo-script';

const PASSWORD = 'bench password that is long enough';

export interface BenchInterview {
  room: string;
  /** the candidate's LiveKit identity */
  identity: string;
  /** the invite code (for the candidate's link) */
  code: string;
}

export interface InterviewPlatform {
  profile: StackProfile;
  env: Record<string, string>;
  um: NestFastifyApplication;
  /** the media plane, when asked for */
  vss: NestFastifyApplication | undefined;
  worker: ManagedProcess;
  /** A new candidate and interview on the demo posting, through the staff API. */
  newInterview(): Promise<BenchInterview>;
  stop(): Promise<void>;
}

/**
 * What the interview benchmarks share: their own stack on the test profile of `slot`, the real
 * migrations, user-management (and the media plane if `withMediaPlane`) in this process on the
 * profile's ports, an org with a recruiter and the demo posting, and the agent worker from dist/.
 */
export async function startInterviewPlatform(options: {
  slot: number;
  name: string;
  log: (line: string) => void;
  withMediaPlane?: boolean;
  umEnv?: Record<string, string>;
  workerEnv?: Record<string, string>;
}): Promise<InterviewPlatform> {
  const profile = { ...testProfile(options.slot), name: options.name };
  const stack = await startLocalStack(profile, randomSecrets(), options.log);
  const env = stack.env;
  let um: NestFastifyApplication | undefined;
  let vss: NestFastifyApplication | undefined;
  let worker: ManagedProcess | undefined;
  const stop = async () => {
    await worker?.stop();
    await vss?.close();
    await um?.close();
    await stack.stop();
  };
  try {
    await runMigrations({ url: env.DATABASE_URL, applicationName: 'parley-bench' });
    um = await createUserManagement(
      loadUserManagementConfig({ ...env, LOG_LEVEL: 'silent', LOGIN_MAX_ATTEMPTS: '1000', ...options.umEnv }),
    );
    await um.listen(profile.ports.userManagement, '127.0.0.1');
    if (options.withMediaPlane) {
      vss = await createVideoStreamingServer(loadVideoStreamingServerConfig({ ...env, LOG_LEVEL: 'silent' }));
      await vss.listen(profile.ports.videoStreamingServer, '127.0.0.1');
    }

    const slug = `bench-${randomUUID().slice(0, 6)}`;
    await ensureOrganizationWithStaff(um, { name: 'Bench', slug }, [
      { email: `recruiter@${slug}.test`, displayName: 'Recruiter', role: 'recruiter', password: PASSWORD },
    ]);
    const login = await um.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: `recruiter@${slug}.test`, password: PASSWORD },
    });
    const token = (login.json() as { accessToken: string }).accessToken;
    const app = um;
    const staff = async (url: string, body: object) => {
      const res = await app.inject({
        method: 'POST',
        url,
        payload: body,
        headers: { authorization: `Bearer ${token}` },
      });
      if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.json() as Record<string, unknown>;
    };
    const posting = (await staff('/v1/job-postings', DEMO_POSTING)) as { id: string };
    const newInterview = async (): Promise<BenchInterview> => {
      const candidate = (await staff('/v1/candidates', {
        email: `c-${randomUUID().slice(0, 8)}@example.com`,
        fullName: 'Sam Rivera',
      })) as { id: string };
      const created = (await staff('/v1/interviews', { jobPostingId: posting.id, candidateId: candidate.id })) as {
        interview: { roomName: string };
        invite: { code: string };
      };
      return { room: created.interview.roomName, identity: `candidate-${candidate.id}`, code: created.invite.code };
    };

    // The worker gets no internal API keys of its own: it calls user-management as the agent.
    const { INTERNAL_API_KEYS: _keys, VSS_INTERNAL_API_KEY: _vss, ...agentEnv } = env;
    const started = ManagedProcess.start({
      name: 'interviewer-agent',
      command: process.execPath,
      args: [join(DIST_DIR, 'agents/interviewer/main.js'), 'start'],
      env: {
        ...process.env,
        ...agentEnv,
        AGENT_HEALTH_PORT: String(profile.ports.agentHealth),
        AGENT_IDLE_PROCESSES: '1',
        AGENT_OUTBOX_DIR: join(DATA_DIR, profile.name, 'agent-outbox'),
        LOG_LEVEL: 'info',
        ...options.workerEnv,
      },
      logDir: join(LOG_DIR, profile.name),
    });
    worker = started;
    await waitUntilReady(() => httpOk(`http://127.0.0.1:${profile.ports.agentHealth}/`), {
      component: 'interviewer-agent',
      timeoutMs: 60_000,
      abortReason: () => started.exitDescription(),
    });
    return { profile, env, um, vss, worker: started, newInterview, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
