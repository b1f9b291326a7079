import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { signServiceToken, type ServiceCaller } from '@app/service-auth';
import { DataSource } from 'typeorm';
import { loadUserManagementConfig } from '../../apps/user-management/src/config';
import { createUserManagement } from '../../apps/user-management/src/create-app';
import type { UserRole } from '../../apps/user-management/src/persistence/entities';
import { ensureOrganizationWithStaff } from '../../apps/user-management/src/seed/seed';
import { call, type InjectOptions } from './vss.util';

export { call };

/** user-management in this process, on the test stack (real PostgreSQL, Redis, object store). */
export async function startUm(
  env: Record<string, string>,
  overrides: Record<string, string> = {},
  listenPort?: number,
): Promise<NestFastifyApplication> {
  // Every injected request comes from 127.0.0.1, so all test files share one per-address sign-in
  // budget: it is raised here, and only the rate-limit test sets a small one.
  const app = await createUserManagement(
    loadUserManagementConfig({ ...env, LOG_LEVEL: 'silent', LOGIN_MAX_ATTEMPTS: '1000', ...overrides }),
  );
  if (listenPort !== undefined) {
    // Reachable over HTTP too (for a client in another app, e.g. the media plane's reports).
    await app.listen(listenPort, '127.0.0.1');
  } else {
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  }
  return app;
}

export const STAFF_ROLES: readonly UserRole[] = ['admin', 'recruiter', 'hiring_manager', 'interviewer'];
export const TEST_PASSWORD = 'correct horse battery staple';

export interface TestOrg {
  orgId: string;
  slug: string;
  /** user id per role */
  users: Record<UserRole, string>;
  emails: Record<UserRole, string>;
  /** access token per role */
  tokens: Record<UserRole, string>;
}

/** A fresh org with one signed-in user of every role (created directly, signed in through the API). */
export async function createTestOrg(app: NestFastifyApplication, label = 'org'): Promise<TestOrg> {
  const slug = `${label}-${randomUUID().slice(0, 8)}`;
  const staff = STAFF_ROLES.map((role) => ({
    email: `${role}.${slug}@example.com`,
    displayName: `${role} of ${slug}`,
    role,
    password: TEST_PASSWORD,
  }));
  const { org, users } = await ensureOrganizationWithStaff(app, { name: `Org ${slug}`, slug }, staff);
  const result = { orgId: org.id, slug, users: {}, emails: {}, tokens: {} } as TestOrg;
  for (const s of staff) {
    result.users[s.role] = users[s.role].id;
    result.emails[s.role] = s.email;
    result.tokens[s.role] = (await login(app, s.email, TEST_PASSWORD)).accessToken;
  }
  return result;
}

export async function login(app: NestFastifyApplication, email: string, password: string) {
  const response = await call(app, { url: '/v1/auth/login', body: { email, password } });
  if (response.status !== 200) throw new Error(`login ${email}: ${response.status} ${response.body}`);
  return response.json as { accessToken: string; refreshToken: string; user: { id: string; orgId: string } };
}

/** A request as a signed-in staff member. */
export function as(app: NestFastifyApplication, token: string, options: InjectOptions) {
  return call(app, {
    method: options.method ?? (options.body !== undefined ? 'POST' : 'GET'),
    ...options,
    headers: { authorization: `Bearer ${token}`, ...options.headers },
  });
}

/** The caller's own key from user-management's INTERNAL_API_KEYS (id:secret:caller,…). */
export function serviceKeyOf(env: Record<string, string>, caller: ServiceCaller): { id: string; secret: string } {
  const entry = env.INTERNAL_API_KEYS.split(',').find((e) => e.endsWith(`:${caller}`));
  if (!entry) throw new Error(`INTERNAL_API_KEYS has no key of ${caller}`);
  const [id, secret] = entry.split(':');
  return { id, secret };
}

/** Authorization headers of `caller` with a fresh service token signed with its own key. */
export async function serviceHeaders(env: Record<string, string>, caller: ServiceCaller) {
  return { authorization: `Bearer ${await signServiceToken(serviceKeyOf(env, caller), caller)}` };
}

/** A request as a service (the media plane by default) with a fresh service token of its own key. */
export async function asService(
  app: NestFastifyApplication,
  env: Record<string, string>,
  options: InjectOptions,
  caller: ServiceCaller = 'video-streaming-server',
) {
  const token = await signServiceToken(serviceKeyOf(env, caller), caller);
  return call(app, {
    method: options.method ?? 'GET',
    ...options,
    headers: { authorization: `Bearer ${token}`, ...options.headers },
  });
}

export const POSTING = {
  title: 'Backend Engineer',
  description: 'Builds services.',
  timeBudgetMinutes: 30,
  competencies: [
    {
      name: 'Design',
      description: '',
      rubric: { one: 'vague', five: 'precise trade-offs', keyPoints: ['failure modes'] },
    },
    { name: 'Debugging', description: '', rubric: { one: 'guesses', five: 'measures', keyPoints: [] } },
    { name: 'Communication', description: '', rubric: { one: 'unclear', five: 'clear', keyPoints: [] } },
  ],
  questions: [{ text: 'Design a rate limiter.', competency: 'Design', followUps: ['What about bursts?'] }],
};

/** A job posting, a candidate and an interview in the org, created through the API as its recruiter. */
export async function createInterview(
  app: NestFastifyApplication,
  org: TestOrg,
  recordingPolicy: 'off' | 'optional' | 'mandatory' = 'optional',
) {
  const posting = await as(app, org.tokens.recruiter, {
    url: '/v1/job-postings',
    body: { ...POSTING, recordingPolicy },
  });
  if (posting.status !== 201) throw new Error(`posting: ${posting.status} ${posting.body}`);
  const candidate = await as(app, org.tokens.recruiter, {
    url: '/v1/candidates',
    body: { email: `cand-${randomUUID().slice(0, 8)}@example.com`, fullName: 'Casey Candidate' },
  });
  if (candidate.status !== 201) throw new Error(`candidate: ${candidate.status} ${candidate.body}`);
  const interview = await as(app, org.tokens.recruiter, {
    url: '/v1/interviews',
    body: { jobPostingId: posting.json.id, candidateId: candidate.json.id },
  });
  if (interview.status !== 201) throw new Error(`interview: ${interview.status} ${interview.body}`);
  return {
    postingId: posting.json.id as string,
    candidateId: candidate.json.id as string,
    interviewId: interview.json.interview.id as string,
    room: interview.json.interview.roomName as string,
    code: interview.json.invite.code as string,
  };
}

/** A meeting of the org (host: its recruiter) with the given window, created through the API. */
export async function createMeeting(
  app: NestFastifyApplication,
  org: TestOrg,
  startsInMs: number,
  durationMs = 3_600_000,
  extraUsers: UserRole[] = ['hiring_manager'],
) {
  const startsAt = new Date(Date.now() + startsInMs);
  const response = await as(app, org.tokens.recruiter, {
    url: '/v1/meetings',
    body: {
      title: 'Sync',
      startsAt: startsAt.toISOString(),
      endsAt: new Date(startsAt.getTime() + durationMs).toISOString(),
      participants: extraUsers.map((role) => ({ userId: org.users[role] })),
    },
  });
  if (response.status !== 201) throw new Error(`meeting: ${response.status} ${response.body}`);
  return response.json as { id: string; roomName: string };
}

/** Direct SQL for arranging states the API deliberately cannot reach (a meeting in the past). */
export function db(app: NestFastifyApplication): DataSource {
  return app.get(DataSource);
}
