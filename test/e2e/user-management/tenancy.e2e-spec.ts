import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { UserRole } from '../../../apps/user-management/src/persistence/entities';
import { OrgScopedRepository } from '../../../apps/user-management/src/persistence/org-scoped.repository';
import * as repositories from '../../../apps/user-management/src/persistence/repositories';
import {
  as,
  asService,
  call,
  createTestOrg,
  db,
  login,
  POSTING,
  STAFF_ROLES,
  startUm,
  TEST_PASSWORD,
  type TestOrg,
} from '../../support/um.util';

const env = inject('stackEnv');

let app: NestFastifyApplication;

/** Everything one org owns, created through the API (recordings through the internal API). */
interface Tenant {
  org: TestOrg;
  postingId: string;
  postingTitle: string;
  candidateId: string;
  candidateEmail: string;
  candidateName: string;
  interviewId: string;
  room: string;
  code: string;
  meetingId: string;
  meetingTitle: string;
  meetingRoom: string;
  recordingId: string;
  meetingRecordingId: string;
}

/** The ids the resource endpoints take: a tenant's, or random ones that exist nowhere. */
interface Ids {
  postingId: string;
  candidateId: string;
  userId: string;
  interviewId: string;
  meetingId: string;
  recordingId: string;
}

async function ok<T = any>(
  response: Promise<{ status: number; json: any; body: string }>,
  status: number,
  what: string,
): Promise<T> {
  const r = await response;
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${r.body.slice(0, 300)}`);
  return r.json as T;
}

async function reportReadyRecording(room: string, orgId: string): Promise<string> {
  const id = randomUUID();
  await ok(
    asService(app, env, {
      method: 'PUT',
      url: `/internal/v1/recordings/${id}`,
      body: {
        room,
        objectKey: `final-recordings/${orgId}/${id}.mp4`,
        phase: 'ready',
        durationMs: 61_000,
        sizeBytes: 123_456,
        codecs: ['opus', 'vp8'],
      },
    }),
    200,
    'recording',
  );
  return id;
}

async function populate(label: string): Promise<Tenant> {
  const org = await createTestOrg(app, label);
  const tag = randomUUID().slice(0, 8);
  const rec = org.tokens.recruiter;
  const postingTitle = `Principal ${label} Engineer ${tag}`;
  const posting = await ok(
    as(app, rec, { url: '/v1/job-postings', body: { ...POSTING, title: postingTitle } }),
    201,
    'posting',
  );
  const candidateEmail = `cand-${label}-${tag}@example.com`;
  const candidateName = `Candidate ${label} ${tag}`;
  const candidate = await ok(
    as(app, rec, { url: '/v1/candidates', body: { email: candidateEmail, fullName: candidateName } }),
    201,
    'candidate',
  );
  const interview = await ok(
    as(app, rec, { url: '/v1/interviews', body: { jobPostingId: posting.id, candidateId: candidate.id } }),
    201,
    'interview',
  );
  const meetingTitle = `Debrief ${label} ${tag}`;
  const startsAt = new Date(Date.now() + 5 * 60_000);
  const meeting = await ok(
    as(app, rec, {
      url: '/v1/meetings',
      body: {
        title: meetingTitle,
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 3_600_000).toISOString(),
        participants: [{ userId: org.users.hiring_manager }],
      },
    }),
    201,
    'meeting',
  );
  const tenant = {
    org,
    postingId: posting.id,
    postingTitle,
    candidateId: candidate.id,
    candidateEmail,
    candidateName,
    interviewId: interview.interview.id,
    room: interview.interview.roomName,
    code: interview.invite.code,
    meetingId: meeting.id,
    meetingTitle,
    meetingRoom: meeting.roomName,
    recordingId: '',
    meetingRecordingId: '',
  };
  tenant.recordingId = await reportReadyRecording(tenant.room, org.orgId);
  tenant.meetingRecordingId = await reportReadyRecording(tenant.meetingRoom, org.orgId);
  return tenant;
}

/** Every value of the tenant that must never show up in another org's answers. */
function secretsOf(t: Tenant): string[] {
  return [
    t.org.orgId,
    t.org.slug,
    ...Object.values(t.org.users),
    ...Object.values(t.org.emails),
    t.postingId,
    t.postingTitle,
    t.candidateId,
    t.candidateEmail,
    t.candidateName,
    t.interviewId,
    t.room,
    t.code.split('.')[1],
    t.meetingId,
    t.meetingTitle,
    t.meetingRoom,
    t.recordingId,
    t.meetingRecordingId,
  ];
}

const idsOf = (t: Tenant): Ids => ({
  postingId: t.postingId,
  candidateId: t.candidateId,
  userId: t.org.users.recruiter,
  interviewId: t.interviewId,
  meetingId: t.meetingId,
  recordingId: t.recordingId,
});
const randomIds = (): Ids => ({
  postingId: randomUUID(),
  candidateId: randomUUID(),
  userId: randomUUID(),
  interviewId: randomUUID(),
  meetingId: randomUUID(),
  recordingId: randomUUID(),
});

const ALL = STAFF_ROLES;
const RECRUITING: readonly UserRole[] = ['admin', 'recruiter'];
const HIRING_TEAM: readonly UserRole[] = ['admin', 'recruiter', 'hiring_manager'];

interface ResourceEndpoint {
  method: 'GET' | 'POST' | 'PATCH';
  path: (ids: Ids) => string;
  body?: unknown;
  /** roles the role guard lets through; everyone else gets the same 403 whether or not the id exists */
  roles: readonly UserRole[];
}

const RESOURCE_ENDPOINTS: ResourceEndpoint[] = [
  { method: 'GET', path: (i) => `/v1/job-postings/${i.postingId}`, roles: ALL },
  {
    method: 'PATCH',
    path: (i) => `/v1/job-postings/${i.postingId}`,
    body: { title: 'Hijacked posting' },
    roles: RECRUITING,
  },
  { method: 'GET', path: (i) => `/v1/candidates/${i.candidateId}`, roles: ALL },
  { method: 'GET', path: (i) => `/v1/users/${i.userId}`, roles: ALL },
  { method: 'GET', path: (i) => `/v1/interviews/${i.interviewId}`, roles: HIRING_TEAM },
  { method: 'POST', path: (i) => `/v1/interviews/${i.interviewId}/invite`, body: {}, roles: RECRUITING },
  { method: 'GET', path: (i) => `/v1/meetings/${i.meetingId}`, roles: ALL },
  { method: 'POST', path: (i) => `/v1/meetings/${i.meetingId}/cancel`, roles: ALL },
  { method: 'POST', path: (i) => `/v1/meetings/${i.meetingId}/token`, roles: ALL },
  { method: 'GET', path: (i) => `/v1/recordings/${i.recordingId}`, roles: ALL },
  { method: 'POST', path: (i) => `/v1/recordings/${i.recordingId}/playback`, roles: ALL },
  { method: 'GET', path: (i) => `/v1/recordings/${i.recordingId}/audit`, roles: ALL },
];

/** The error body without its per-request id, for comparing two answers. */
const answer = (r: { status: number; json: any }) => {
  const { requestId: _requestId, ...rest } = r.json ?? {};
  return { status: r.status, ...rest };
};

let A: Tenant;
let B: Tenant;

describe('user-management tenant isolation', () => {
  beforeAll(async () => {
    app = await startUm(env);
    [A, B] = await Promise.all([populate('tenanta'), populate('tenantb')]);
  });
  afterAll(async () => {
    await app?.close();
  });

  describe("org B's staff on org A's ids: the same answer as for ids that exist nowhere, never 200", () => {
    const cases = RESOURCE_ENDPOINTS.flatMap((endpoint) =>
      STAFF_ROLES.map(
        (role) =>
          [
            `${endpoint.method} ${endpoint.path({ postingId: ':id', candidateId: ':id', userId: ':id', interviewId: ':id', meetingId: ':id', recordingId: ':id' })} as B's ${role}`,
            endpoint,
            role,
          ] as const,
      ),
    );

    it.each(cases)('%s', async (_name, endpoint, role) => {
      const request = (ids: Ids) =>
        as(app, B.org.tokens[role], { method: endpoint.method, url: endpoint.path(ids), body: endpoint.body });
      const onA = await request(idsOf(A));
      const onNothing = await request(randomIds());
      const expected = endpoint.roles.includes(role) ? 404 : 403;
      expect(onA.status, onA.body).toBe(expected);
      expect(answer(onA)).toEqual(answer(onNothing));
      for (const secret of secretsOf(A)) expect(onA.body).not.toContain(secret);
    });

    it("left org A's rows untouched: posting title, invite code and meeting status are as they were", async () => {
      const posting = await as(app, A.org.tokens.recruiter, { url: `/v1/job-postings/${A.postingId}` });
      expect(posting.json.title).toBe(A.postingTitle);
      // The invite was not reissued: the original code still opens the interview.
      expect((await call(app, { url: '/v1/invites/inspect', body: { invite: A.code } })).status).toBe(200);
      const meeting = await as(app, A.org.tokens.recruiter, { url: `/v1/meetings/${A.meetingId}` });
      expect(meeting.json.status).toBe('scheduled');
      const { count } = (
        await db(app).query(
          `SELECT count(*)::int AS count FROM audit_log WHERE resource_id = $1 AND actor_id = ANY($2)`,
          [A.recordingId, Object.values(B.org.users)],
        )
      )[0];
      expect(count).toBe(0);
    });
  });

  describe("recordings listed by subject: org B sees none of org A's", () => {
    it.each(STAFF_ROLES)("B's %s listing A's interview and meeting recordings gets an empty list", async (role) => {
      for (const [subjectType, subjectId] of [
        ['interview', A.interviewId],
        ['meeting', A.meetingId],
      ]) {
        const response = await as(app, B.org.tokens[role], {
          url: `/v1/recordings?subjectType=${subjectType}&subjectId=${subjectId}`,
        });
        expect(response.status).toBe(200);
        expect(response.json).toEqual([]);
      }
    });

    it("control: A's hiring team lists them", async () => {
      const interview = await as(app, A.org.tokens.hiring_manager, {
        url: `/v1/recordings?subjectType=interview&subjectId=${A.interviewId}`,
      });
      expect(interview.json.map((r: { id: string }) => r.id)).toEqual([A.recordingId]);
      const meeting = await as(app, A.org.tokens.admin, {
        url: `/v1/recordings?subjectType=meeting&subjectId=${A.meetingId}`,
      });
      expect(meeting.json.map((r: { id: string }) => r.id)).toEqual([A.meetingRecordingId]);
    });
  });

  describe("list endpoints of org B contain none of org A's rows", () => {
    const lists: Array<[string, readonly UserRole[], (t: Tenant) => string]> = [
      ['/v1/job-postings?limit=200', ALL, (t) => t.postingId],
      ['/v1/candidates?limit=200', ALL, (t) => t.candidateId],
      ['/v1/users?limit=200', ALL, (t) => t.org.users.interviewer],
      ['/v1/interviews?limit=200', HIRING_TEAM, (t) => t.interviewId],
      ['/v1/meetings?limit=200', ALL, (t) => t.meetingId],
      ['/v1/organization', ALL, (t) => t.org.orgId],
    ];
    const cases = lists.flatMap(([url, roles, own]) => roles.map((role) => [url, role, own] as const));

    it.each(cases)('GET %s as B’s %s', async (url, role, own) => {
      const response = await as(app, B.org.tokens[role], { url });
      expect(response.status, response.body).toBe(200);
      // Control: the list does show B's own row, so an empty answer cannot pass for isolation.
      expect(response.body).toContain(own(B));
      for (const secret of secretsOf(A)) expect(response.body).not.toContain(secret);
    });

    it("GET /v1/meetings?mine=true as B's hiring manager lists only B's meeting", async () => {
      const response = await as(app, B.org.tokens.hiring_manager, { url: '/v1/meetings?mine=true' });
      expect(response.json.map((m: { id: string }) => m.id)).toEqual([B.meetingId]);
    });
  });

  describe("org A's ids in org B's request bodies are unknown", () => {
    it("an interview for A's posting or A's candidate → 404, and nothing is created", async () => {
      const before = (
        await db(app).query('SELECT count(*)::int AS n FROM interviews WHERE org_id = $1', [B.org.orgId])
      )[0].n;
      for (const body of [
        { jobPostingId: A.postingId, candidateId: B.candidateId },
        { jobPostingId: B.postingId, candidateId: A.candidateId },
      ]) {
        const response = await as(app, B.org.tokens.recruiter, { url: '/v1/interviews', body });
        expect(response.status).toBe(404);
        for (const secret of secretsOf(A)) expect(response.body).not.toContain(secret);
      }
      expect(
        (await db(app).query('SELECT count(*)::int AS n FROM interviews WHERE org_id = $1', [B.org.orgId]))[0].n,
      ).toBe(before);
    });

    it("a meeting with A's user or A's candidate as a participant → 404", async () => {
      const startsAt = new Date(Date.now() + 3_600_000);
      const endsAt = new Date(startsAt.getTime() + 1_800_000);
      for (const participant of [{ userId: A.org.users.interviewer }, { candidateId: A.candidateId }]) {
        const response = await as(app, B.org.tokens.recruiter, {
          url: '/v1/meetings',
          body: {
            title: 'Cross-org',
            startsAt: startsAt.toISOString(),
            endsAt: endsAt.toISOString(),
            participants: [participant],
          },
        });
        expect(response.status).toBe(404);
        expect(response.json.message).toMatch(/not found in your organization/);
      }
    });

    it("the internal API will not move A's recording into B's room: 409, and the row stays A's", async () => {
      const response = await asService(app, env, {
        method: 'PUT',
        url: `/internal/v1/recordings/${A.recordingId}`,
        body: { room: B.room, objectKey: `final-recordings/${B.org.orgId}/stolen.mp4`, phase: 'ready' },
      });
      expect(response.status).toBe(409);
      const [row] = await db(app).query('SELECT org_id, subject_id, object_key FROM recordings WHERE id = $1', [
        A.recordingId,
      ]);
      expect(row).toEqual({
        org_id: A.org.orgId,
        subject_id: A.interviewId,
        object_key: `final-recordings/${A.org.orgId}/${A.recordingId}.mp4`,
      });
    });
  });

  describe('roles inside one org', () => {
    type Case = [string, UserRole, 'GET' | 'POST' | 'PATCH', () => string, (() => unknown) | undefined, number];
    const newPosting = () => ({ ...POSTING, title: 'Role check' });
    const newCandidate = () => ({ email: `role-${randomUUID().slice(0, 8)}@example.com`, fullName: 'Role Check' });
    const newInterview = () => ({ jobPostingId: A.postingId, candidateId: A.candidateId });
    const cases: Case[] = [
      ['interviewer cannot create job postings', 'interviewer', 'POST', () => '/v1/job-postings', newPosting, 403],
      [
        'hiring manager cannot create job postings',
        'hiring_manager',
        'POST',
        () => '/v1/job-postings',
        newPosting,
        403,
      ],
      [
        'interviewer cannot edit job postings',
        'interviewer',
        'PATCH',
        () => `/v1/job-postings/${A.postingId}`,
        () => ({ title: 'x' }),
        403,
      ],
      [
        'hiring manager cannot edit job postings',
        'hiring_manager',
        'PATCH',
        () => `/v1/job-postings/${A.postingId}`,
        () => ({ title: 'x' }),
        403,
      ],
      ['interviewer cannot create candidates', 'interviewer', 'POST', () => '/v1/candidates', newCandidate, 403],
      ['hiring manager cannot create candidates', 'hiring_manager', 'POST', () => '/v1/candidates', newCandidate, 403],
      ['interviewer cannot schedule interviews', 'interviewer', 'POST', () => '/v1/interviews', newInterview, 403],
      [
        'hiring manager cannot schedule interviews',
        'hiring_manager',
        'POST',
        () => '/v1/interviews',
        newInterview,
        403,
      ],
      [
        'interviewer cannot list interviews (hiring team only)',
        'interviewer',
        'GET',
        () => '/v1/interviews',
        undefined,
        403,
      ],
      [
        'interviewer cannot read an interview',
        'interviewer',
        'GET',
        () => `/v1/interviews/${A.interviewId}`,
        undefined,
        403,
      ],
      [
        'interviewer cannot reissue invites',
        'interviewer',
        'POST',
        () => `/v1/interviews/${A.interviewId}/invite`,
        () => ({}),
        403,
      ],
      [
        'hiring manager cannot reissue invites',
        'hiring_manager',
        'POST',
        () => `/v1/interviews/${A.interviewId}/invite`,
        () => ({}),
        403,
      ],
      [
        'recruiter cannot add staff',
        'recruiter',
        'POST',
        () => '/v1/users',
        () => ({ email: `x-${randomUUID()}@example.com`, displayName: 'X', role: 'admin', password: TEST_PASSWORD }),
        403,
      ],
      [
        'hiring manager cannot change the org',
        'hiring_manager',
        'PATCH',
        () => '/v1/organization',
        () => ({ agentAutoJoin: false }),
        403,
      ],
      [
        'interviewer (not a participant) cannot cancel a meeting',
        'interviewer',
        'POST',
        () => `/v1/meetings/${A.meetingId}/cancel`,
        undefined,
        403,
      ],
      [
        'hiring manager (a guest) cannot cancel a meeting',
        'hiring_manager',
        'POST',
        () => `/v1/meetings/${A.meetingId}/cancel`,
        undefined,
        403,
      ],
      [
        'interviewer (not a participant) gets no meeting token',
        'interviewer',
        'POST',
        () => `/v1/meetings/${A.meetingId}/token`,
        undefined,
        403,
      ],
      [
        'recruiter cannot read the audit trail',
        'recruiter',
        'GET',
        () => `/v1/recordings/${A.recordingId}/audit`,
        undefined,
        404,
      ],
      [
        'hiring manager cannot read the audit trail',
        'hiring_manager',
        'GET',
        () => `/v1/recordings/${A.recordingId}/audit`,
        undefined,
        404,
      ],
      [
        'interviewer cannot read the audit trail',
        'interviewer',
        'GET',
        () => `/v1/recordings/${A.recordingId}/audit`,
        undefined,
        404,
      ],
      [
        'interviewer does not see a recording',
        'interviewer',
        'GET',
        () => `/v1/recordings/${A.recordingId}`,
        undefined,
        404,
      ],
      [
        'interviewer gets no replay URL',
        'interviewer',
        'POST',
        () => `/v1/recordings/${A.recordingId}/playback`,
        undefined,
        404,
      ],
      // Controls: the same requests by roles that may make them.
      ['control: hiring manager lists interviews', 'hiring_manager', 'GET', () => '/v1/interviews', undefined, 200],
      [
        'control: hiring manager reads an interview',
        'hiring_manager',
        'GET',
        () => `/v1/interviews/${A.interviewId}`,
        undefined,
        200,
      ],
      [
        'control: interviewer reads a job posting',
        'interviewer',
        'GET',
        () => `/v1/job-postings/${A.postingId}`,
        undefined,
        200,
      ],
      [
        'control: interviewer reads a candidate',
        'interviewer',
        'GET',
        () => `/v1/candidates/${A.candidateId}`,
        undefined,
        200,
      ],
      ['control: recruiter creates a candidate', 'recruiter', 'POST', () => '/v1/candidates', newCandidate, 201],
      [
        'control: hiring manager (a guest) gets a meeting token',
        'hiring_manager',
        'POST',
        () => `/v1/meetings/${A.meetingId}/token`,
        undefined,
        200,
      ],
      [
        'control: hiring manager sees a recording',
        'hiring_manager',
        'GET',
        () => `/v1/recordings/${A.recordingId}`,
        undefined,
        200,
      ],
      [
        'control: admin reads the audit trail',
        'admin',
        'GET',
        () => `/v1/recordings/${A.recordingId}/audit`,
        undefined,
        200,
      ],
    ];

    it.each(cases)('%s', async (_name, role, method, url, body, status) => {
      const response = await as(app, A.org.tokens[role], { method, url: url(), body: body?.() });
      expect(response.status, response.body.slice(0, 300)).toBe(status);
      if (status === 403) expect(response.json.code).toBe('FORBIDDEN');
    });

    it('a role that may not see recordings gets exactly the answer for a recording that does not exist', async () => {
      for (const [method, suffix] of [
        ['GET', ''],
        ['POST', '/playback'],
      ] as const) {
        const real = await as(app, A.org.tokens.interviewer, {
          method,
          url: `/v1/recordings/${A.recordingId}${suffix}`,
        });
        const none = await as(app, A.org.tokens.interviewer, {
          method,
          url: `/v1/recordings/${randomUUID()}${suffix}`,
        });
        expect(real.status).toBe(404);
        expect(answer(real)).toEqual(answer(none));
        expect(real.body).not.toContain(A.recordingId);
      }
      const audit = await as(app, A.org.tokens.hiring_manager, { url: `/v1/recordings/${A.recordingId}/audit` });
      const noAudit = await as(app, A.org.tokens.hiring_manager, { url: `/v1/recordings/${randomUUID()}/audit` });
      expect(answer(audit)).toEqual(answer(noAudit));
    });

    it('an interviewer listing recordings by subject gets an empty list; the hiring team gets the recording', async () => {
      const url = `/v1/recordings?subjectType=interview&subjectId=${A.interviewId}`;
      expect((await as(app, A.org.tokens.interviewer, { url })).json).toEqual([]);
      expect((await as(app, A.org.tokens.recruiter, { url })).json.map((r: { id: string }) => r.id)).toEqual([
        A.recordingId,
      ]);
    });

    it('the interviewer issued no replay URL: no audit row names them', async () => {
      const rows = await db(app).query(
        `SELECT 1 FROM audit_log WHERE org_id = $1 AND actor_id = $2 AND action = 'recording.playback_url_issued'`,
        [A.org.orgId, A.org.users.interviewer],
      );
      expect(rows).toHaveLength(0);
    });
  });

  describe('org-scoped repositories cannot be asked without an org', () => {
    type Class = { name: string; prototype: object };
    const orgScoped = (Object.entries(repositories) as Array<[string, unknown]>).filter(
      (entry): entry is [string, Class] =>
        typeof entry[1] === 'function' && (entry[1] as Class).prototype instanceof OrgScopedRepository,
    );

    /** Methods of a class (and its bases) declared without private/protected in the .ts source. */
    function declaredMethods(): Map<
      string,
      {
        extendsName?: string;
        methods: Map<string, { visibility: 'public' | 'protected' | 'private'; params: string[] }>;
      }
    > {
      const classes = new Map<
        string,
        {
          extendsName?: string;
          methods: Map<string, { visibility: 'public' | 'protected' | 'private'; params: string[] }>;
        }
      >();
      for (const file of [
        'apps/user-management/src/persistence/org-scoped.repository.ts',
        'apps/user-management/src/persistence/repositories.ts',
      ]) {
        const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
        source.forEachChild((node) => {
          if (!ts.isClassDeclaration(node) || !node.name) return;
          const heritage = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
          const methods = new Map<string, { visibility: 'public' | 'protected' | 'private'; params: string[] }>();
          for (const member of node.members) {
            if (!ts.isMethodDeclaration(member) || !member.name) continue;
            const mods = ts.getModifiers(member) ?? [];
            const visibility = mods.some((m) => m.kind === ts.SyntaxKind.PrivateKeyword)
              ? 'private'
              : mods.some((m) => m.kind === ts.SyntaxKind.ProtectedKeyword)
                ? 'protected'
                : 'public';
            methods.set(member.name.getText(source), {
              visibility,
              params: member.parameters.map((p) => p.name.getText(source)),
            });
          }
          classes.set(node.name.text, { extendsName: heritage?.expression.getText(source), methods });
        });
      }
      return classes;
    }

    /** The parameter names of a compiled method, from its source text. */
    const paramsOf = (fn: (...args: unknown[]) => unknown) => {
      const text = Function.prototype.toString.call(fn);
      const list = text.slice(text.indexOf('(') + 1, text.indexOf(')'));
      return list
        .split(',')
        .map((p) => p.trim().split(/[\s=]/)[0])
        .filter(Boolean);
    };

    it('finds the repositories: every TypeORM-backed tenant repository extends OrgScopedRepository', () => {
      const source = declaredMethods();
      const inSource = [...source]
        .filter(([, c]) => c.extendsName === 'OrgScopedRepository')
        .map(([name]) => name)
        .sort();
      expect(orgScoped.map(([name]) => name).sort()).toEqual(inSource);
      expect(inSource).toEqual(
        [
          'CandidateRepository',
          'InterviewRepository',
          'JobPostingRepository',
          'MeetingParticipantRepository',
          'MeetingRepository',
          'RecordingRepository',
          'RefreshTokenRepository',
          'UserRepository',
        ].sort(),
      );
    });

    it('every public method of every org-scoped repository takes orgId first, and uses it', () => {
      const source = declaredMethods();
      const checked: string[] = [];
      for (const [name, cls] of orgScoped) {
        // Walk the prototype chain up to the base class, so inherited methods are checked too.
        for (
          let proto: object = cls.prototype;
          proto && proto !== Object.prototype;
          proto = Object.getPrototypeOf(proto)
        ) {
          const owner = (proto as { constructor: { name: string } }).constructor.name;
          for (const method of Object.getOwnPropertyNames(proto)) {
            if (method === 'constructor') continue;
            const fn = (proto as Record<string, unknown>)[method];
            if (typeof fn !== 'function') continue;
            const declared = source.get(owner)?.methods.get(method);
            expect(declared, `${owner}.${method} is not in the persistence sources`).toBeDefined();
            if (declared!.visibility !== 'public') continue;
            const params = paramsOf(fn as (...args: unknown[]) => unknown);
            expect(params[0], `${name}: ${owner}.${method}(${params.join(', ')})`).toBe('orgId');
            expect(declared!.params[0], `${owner}.${method} in the .ts source`).toBe('orgId');
            // Taking the org is not enough: the body must put it somewhere.
            const body = Function.prototype.toString.call(fn);
            expect(body.slice(body.indexOf(')')).includes('orgId'), `${owner}.${method} ignores its orgId`).toBe(true);
            checked.push(`${name}.${method}`);
          }
        }
      }
      // The base methods are checked on every repository, plus each one's own.
      for (const base of ['findById', 'list', 'create', 'update'])
        expect(checked).toContain(`JobPostingRepository.${base}`);
      expect(checked).toContain('RecordingRepository.upsert');
      expect(checked).toContain('MeetingParticipantRepository.meetingIdsOfUser');
      expect(checked).toContain('RefreshTokenRepository.revokeAllOfUser');
    });

    it('the other repositories of tenant rows (organizations, audit log) take orgId first too; only TenantDirectory starts without one', () => {
      for (const cls of [repositories.OrganizationRepository, repositories.AuditLogRepository]) {
        for (const method of Object.getOwnPropertyNames(cls.prototype).filter((m) => m !== 'constructor')) {
          expect(
            paramsOf((cls.prototype as unknown as Record<string, (...args: unknown[]) => unknown>)[method])[0],
            `${cls.name}.${method}`,
          ).toBe('orgId');
        }
      }
      const providers = repositories.USER_MANAGEMENT_REPOSITORIES.filter(
        (r) => !(r.prototype instanceof OrgScopedRepository),
      ).map((r) => r.name);
      expect(providers.sort()).toEqual(['AuditLogRepository', 'OrganizationRepository', 'TenantDirectory']);
    });

    describe('called without a real org (undefined, empty, not a UUID), the live repositories refuse to run the query', () => {
      const BAD_ORGS = [undefined, '', 'not-a-uuid', null] as unknown as string[];
      const refuses = async (label: string, query: () => Promise<unknown>) => {
        // A synchronous throw counts as a refusal as much as a rejected promise.
        await expect(Promise.resolve().then(query), label).rejects.toThrow(/org id/);
      };

      it.each(BAD_ORGS.map((o) => [String(JSON.stringify(o)), o]))('orgId %s', async (_label, bad) => {
        const r = (cls: unknown) => app.get(cls as never) as any;
        const calls: Array<[string, () => Promise<unknown>]> = [
          ['JobPostingRepository.findById', () => r(repositories.JobPostingRepository).findById(bad, A.postingId)],
          ['JobPostingRepository.list', () => r(repositories.JobPostingRepository).list(bad)],
          [
            'JobPostingRepository.update',
            () => r(repositories.JobPostingRepository).update(bad, A.postingId, { title: 'Hijacked by a missing org' }),
          ],
          ['UserRepository.findByIds', () => r(repositories.UserRepository).findByIds(bad, [A.org.users.admin])],
          ['CandidateRepository.findByIds', () => r(repositories.CandidateRepository).findByIds(bad, [A.candidateId])],
          ['CandidateRepository.list', () => r(repositories.CandidateRepository).list(bad)],
          [
            'InterviewRepository.findWithInviteHash',
            () => r(repositories.InterviewRepository).findWithInviteHash(bad, A.interviewId),
          ],
          ['MeetingRepository.list', () => r(repositories.MeetingRepository).list(bad)],
          [
            'MeetingParticipantRepository.listForMeeting',
            () => r(repositories.MeetingParticipantRepository).listForMeeting(bad, A.meetingId),
          ],
          [
            'MeetingParticipantRepository.findUserInMeeting',
            () =>
              r(repositories.MeetingParticipantRepository).findUserInMeeting(bad, A.meetingId, A.org.users.recruiter),
          ],
          [
            'MeetingParticipantRepository.meetingIdsOfUser',
            () => r(repositories.MeetingParticipantRepository).meetingIdsOfUser(bad, A.org.users.recruiter),
          ],
          [
            'RecordingRepository.listForSubject',
            () => r(repositories.RecordingRepository).listForSubject(bad, 'interview', A.interviewId),
          ],
          [
            'RecordingRepository.upsert',
            () =>
              r(repositories.RecordingRepository).upsert(bad, {
                id: A.recordingId,
                subjectType: 'interview',
                subjectId: A.interviewId,
                objectKey: 'hijacked',
                status: 'failed',
                phase: 'failed',
                startedAt: null,
                endedAt: null,
                durationMs: null,
                sizeBytes: null,
                codecs: [],
                failureReason: 'x',
              }),
          ],
          [
            'RefreshTokenRepository.revokeAllOfUser',
            () => r(repositories.RefreshTokenRepository).revokeAllOfUser(bad, A.org.users.recruiter),
          ],
          [
            'RefreshTokenRepository.create',
            () =>
              r(repositories.RefreshTokenRepository).create(bad, {
                userId: A.org.users.recruiter,
                tokenHash: 'x',
                expiresAt: new Date(Date.now() + 60_000),
              }),
          ],
          [
            'OrganizationRepository.update',
            () => r(repositories.OrganizationRepository).update(bad, { name: 'Hijacked org' }),
          ],
          [
            'AuditLogRepository.listForResource',
            () => r(repositories.AuditLogRepository).listForResource(bad, 'recording', A.recordingId),
          ],
          [
            'AuditLogRepository.append',
            () =>
              r(repositories.AuditLogRepository).append(bad, {
                actorType: 'service',
                actorId: 'x',
                action: 'x',
                resourceType: 'recording',
                resourceId: A.recordingId,
              }),
          ],
        ];
        const session = await login(app, A.org.emails.recruiter, TEST_PASSWORD);
        for (const [label, query] of calls) await refuses(label, query);

        // Nothing of A changed: posting title, recording, org name; A's recruiter can still refresh.
        expect((await db(app).query('SELECT title FROM job_postings WHERE id = $1', [A.postingId]))[0].title).toBe(
          A.postingTitle,
        );
        expect(
          (await db(app).query('SELECT object_key FROM recordings WHERE id = $1', [A.recordingId]))[0].object_key,
        ).not.toBe('hijacked');
        expect(
          (await db(app).query("SELECT count(*)::int AS n FROM organizations WHERE name = 'Hijacked org'"))[0].n,
        ).toBe(0);
        expect(
          (await call(app, { url: '/v1/auth/refresh', body: { refreshToken: session.refreshToken } })).status,
        ).toBe(200);
      });

      it('control: the same calls with the org succeed and stay inside it', async () => {
        const postings = await (app.get(repositories.JobPostingRepository) as any).list(A.org.orgId);
        expect(postings.map((p: { id: string }) => p.id)).toEqual([A.postingId]);
        expect(await app.get(repositories.UserRepository).findByIds(B.org.orgId, [A.org.users.admin])).toEqual([]);
        expect(
          await app.get(repositories.MeetingParticipantRepository).meetingIdsOfUser(A.org.orgId, A.org.users.recruiter),
        ).toEqual([A.meetingId]);
      });
    });
  });
});
