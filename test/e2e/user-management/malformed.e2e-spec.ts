import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  as,
  call,
  createInterview,
  createTestOrg,
  POSTING,
  serviceHeaders,
  startUm,
  TEST_PASSWORD,
  type TestOrg,
} from '../../support/um.util';
import type { InjectOptions } from '../../support/vss.util';

const env = inject('stackEnv');
const BODY_LIMIT = 256 * 1024;

let app: NestFastifyApplication;
let org: TestOrg;
let fixture: {
  postingId: string;
  candidateId: string;
  inviteCode: string;
  resultsInterviewId: string;
  statusInterviewId: string;
  room: string;
  refreshToken: string;
};

type Method = NonNullable<InjectOptions['method']>;
type Body = Record<string, unknown>;

/** One endpoint that takes a JSON body, with a body it accepts and the string field to abuse. */
interface Target {
  name: string;
  method: Method;
  url: () => string;
  headers: () => Promise<Record<string, string>>;
  valid: () => Body;
  /** the status the valid body gets (the control that proves the malformed cases reach validation) */
  validStatus: number;
  /** a copy of the body with one string field set to the value */
  withString: (body: Body, value: unknown) => Body;
  /** z.strictObject: unknown keys are refused */
  strict: boolean;
  /** every field is optional: an empty object is a valid body */
  emptyIsValid?: boolean;
  /** the body has arrays or nested objects */
  nested?: boolean;
}

// Each service signs with its own key, and each internal route admits only its callers.
const agent = () => serviceHeaders(env, 'interviewer-agent');
const mediaPlane = () => serviceHeaders(env, 'video-streaming-server');
const staff = (role: keyof TestOrg['tokens']) => async () => ({ authorization: `Bearer ${org.tokens[role]}` });
const none = async () => ({});
const set = (key: string) => (body: Body, value: unknown) => ({ ...body, [key]: value });
const hour = 3_600_000;

const TARGETS: Target[] = [
  {
    name: 'POST /v1/auth/login',
    method: 'POST',
    url: () => '/v1/auth/login',
    headers: none,
    valid: () => ({ email: org.emails.interviewer, password: TEST_PASSWORD }),
    validStatus: 200,
    withString: set('email'),
    strict: false,
  },
  {
    name: 'POST /v1/auth/refresh',
    method: 'POST',
    url: () => '/v1/auth/refresh',
    headers: none,
    // A well-formed token that is not live: 401, after validation.
    valid: () => ({ refreshToken: `${randomUUID()}.${'A'.repeat(43)}` }),
    validStatus: 401,
    withString: set('refreshToken'),
    strict: false,
  },
  {
    name: 'POST /v1/job-postings',
    method: 'POST',
    url: () => '/v1/job-postings',
    headers: staff('recruiter'),
    valid: () => ({ ...POSTING }),
    validStatus: 201,
    withString: set('title'),
    strict: true,
    nested: true,
  },
  {
    name: 'PATCH /v1/job-postings/:id',
    method: 'PATCH',
    url: () => `/v1/job-postings/${fixture.postingId}`,
    headers: staff('recruiter'),
    valid: () => ({ title: 'Renamed posting' }),
    validStatus: 200,
    withString: set('title'),
    strict: true,
  },
  {
    name: 'POST /v1/candidates',
    method: 'POST',
    url: () => '/v1/candidates',
    headers: staff('recruiter'),
    valid: () => ({ email: `m-${randomUUID().slice(0, 8)}@example.com`, fullName: 'Morgan Malformed' }),
    validStatus: 201,
    withString: set('fullName'),
    strict: true,
  },
  {
    name: 'POST /v1/users',
    method: 'POST',
    url: () => '/v1/users',
    headers: staff('admin'),
    valid: () => ({
      email: `u-${randomUUID().slice(0, 8)}@example.com`,
      displayName: 'Una User',
      role: 'interviewer',
      password: TEST_PASSWORD,
    }),
    validStatus: 201,
    withString: set('displayName'),
    strict: true,
  },
  {
    name: 'POST /v1/interviews',
    method: 'POST',
    url: () => '/v1/interviews',
    headers: staff('recruiter'),
    valid: () => ({ jobPostingId: fixture.postingId, candidateId: fixture.candidateId }),
    validStatus: 201,
    withString: set('jobPostingId'),
    strict: true,
  },
  {
    name: 'POST /v1/interviews/:id/invite',
    method: 'POST',
    url: () => `/v1/interviews/${fixture.statusInterviewId}/invite`,
    headers: staff('recruiter'),
    valid: () => ({ inviteValidHours: 24 }),
    validStatus: 200,
    withString: set('inviteValidHours'),
    strict: true,
    emptyIsValid: true,
  },
  {
    name: 'POST /v1/invites/inspect',
    method: 'POST',
    url: () => '/v1/invites/inspect',
    headers: none,
    valid: () => ({ invite: fixture.inviteCode }),
    validStatus: 200,
    withString: set('invite'),
    strict: true,
  },
  {
    name: 'POST /v1/invites/consent',
    method: 'POST',
    url: () => '/v1/invites/consent',
    headers: none,
    valid: () => ({ invite: fixture.inviteCode, choice: 'given' }),
    validStatus: 200,
    withString: set('choice'),
    strict: true,
  },
  {
    name: 'POST /v1/invites/redeem',
    method: 'POST',
    url: () => '/v1/invites/redeem',
    headers: none,
    valid: () => ({ invite: fixture.inviteCode }),
    validStatus: 200,
    withString: set('invite'),
    strict: true,
  },
  {
    name: 'POST /v1/meetings',
    method: 'POST',
    url: () => '/v1/meetings',
    headers: staff('recruiter'),
    valid: () => ({
      title: 'Malformed sync',
      startsAt: new Date(Date.now() + hour).toISOString(),
      endsAt: new Date(Date.now() + 2 * hour).toISOString(),
      participants: [],
    }),
    validStatus: 201,
    withString: set('title'),
    strict: true,
    nested: true,
  },
  {
    name: 'PATCH /v1/organization',
    method: 'PATCH',
    url: () => '/v1/organization',
    headers: staff('admin'),
    valid: () => ({ name: 'Malformed Inc.' }),
    validStatus: 200,
    withString: set('name'),
    strict: true,
  },
  {
    name: 'PUT /internal/v1/recordings/:id',
    method: 'PUT',
    url: () => `/internal/v1/recordings/${recordingId}`,
    headers: mediaPlane,
    valid: () => ({ room: fixture.room, objectKey: `raw/${org.orgId}/${recordingId}.mp4`, phase: 'recording' }),
    validStatus: 200,
    withString: set('objectKey'),
    strict: true,
  },
  {
    name: 'PUT /internal/v1/interviews/:id/results',
    method: 'PUT',
    url: () => `/internal/v1/interviews/${fixture.resultsInterviewId}/results`,
    headers: agent,
    valid: () => ({
      startedAt: '2030-01-01T10:00:00Z',
      transcript: [{ speaker: 'candidate', text: 'Hello.', offsetMs: 0, mode: 'spoken' }],
      scorecard: {
        competencies: [
          { name: 'Design', score: 3, justification: 'Fine.', evidence: [{ quote: 'Hello', offsetMs: 0 }] },
        ],
        recommendation: 'no',
        summary: 'Fine.',
      },
    }),
    validStatus: 200,
    withString: (body, value) => ({ ...body, scorecard: { ...(body.scorecard as Body), summary: value } }),
    strict: true,
    nested: true,
  },
  {
    name: 'POST /internal/v1/interviews/:id/status',
    method: 'POST',
    url: () => `/internal/v1/interviews/${fixture.statusInterviewId}/status`,
    headers: agent,
    valid: () => ({ status: 'in_progress' }),
    validStatus: 200,
    withString: set('status'),
    strict: true,
  },
];
const recordingId = randomUUID();

/** Every field of the body with a value of the wrong JSON type. */
function wrongTypes(body: Body): Body {
  const flip = (v: unknown): unknown =>
    typeof v === 'string'
      ? 12345
      : typeof v === 'number'
        ? 'twelve'
        : typeof v === 'boolean'
          ? 'yes'
          : Array.isArray(v)
            ? { not: 'an array' }
            : v === null
              ? []
              : 'not an object';
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, flip(v)]));
}

/** The same shape with junk inside: nulls, numbers and strings in every array, nulls for nested fields. */
function junkInside(body: Body): Body {
  const junk = (v: unknown): unknown =>
    Array.isArray(v)
      ? [null, 7, 'x', [], ...v.map(junk)]
      : v && typeof v === 'object'
        ? Object.fromEntries(Object.keys(v).map((k) => [k, null]))
        : v;
  return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, junk(v)]));
}

interface Malformed {
  label: string;
  request: (target: Target) => Pick<InjectOptions, 'body' | 'payload' | 'headers'>;
  status?: number;
  message?: RegExp;
  onlyStrict?: boolean;
  /** not malformed for a target whose fields are all optional */
  needsFields?: boolean;
  /** only for bodies with arrays or nested objects */
  needsNesting?: boolean;
}

const json = { 'content-type': 'application/json' };
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

const MALFORMED: Malformed[] = [
  { label: 'invalid JSON', request: () => ({ payload: '{"title": "x",', headers: json }), status: 400 },
  { label: 'an empty body', request: () => ({ payload: '', headers: json }), status: 400 },
  { label: 'null', request: () => ({ payload: 'null', headers: json }), status: 400 },
  { label: 'a number', request: () => ({ body: 42 }), status: 400 },
  { label: 'a string', request: () => ({ body: 'hello' }), status: 400 },
  { label: 'an array of numbers', request: () => ({ body: [1, 2, 3] }), status: 400 },
  { label: 'an array holding the valid object', request: (t) => ({ body: [t.valid()] }), status: 400 },
  { label: 'every field of the wrong type', request: (t) => ({ body: wrongTypes(t.valid()) }), status: 400 },
  {
    label: 'junk inside arrays and nested objects',
    request: (t) => ({ body: junkInside(t.valid()) }),
    status: 400,
    needsNesting: true,
  },
  { label: 'no fields', request: () => ({ body: {} }), status: 400, needsFields: true },
  {
    label: 'an unknown extra field',
    request: (t) => ({ body: { ...t.valid(), surprise: 'field' } }),
    status: 400,
    message: /surprise/,
    onlyStrict: true,
  },
  {
    label: 'a 100 kB string',
    request: (t) => ({ body: t.withString(t.valid(), 'x'.repeat(100 * 1024)) }),
    status: 400,
  },
  {
    label: 'an object where a string goes',
    request: (t) => ({ body: t.withString(t.valid(), { $gt: '' }) }),
    status: 400,
  },
  // PostgreSQL text and jsonb cannot store U+0000 (the stored fields are pinned to 400 below).
  { label: 'a NUL character in a string', request: (t) => ({ body: t.withString(t.valid(), 'nul\u0000byte') }) },
  // Nor a lone UTF-16 surrogate (JSON.stringify writes it as the escape "\ud800").
  {
    label: 'a lone UTF-16 surrogate in a string',
    request: (t) => ({ body: t.withString(t.valid(), 'lone \ud800 surrogate') }),
    status: 400,
  },
  {
    label: 'a body over HTTP_BODY_LIMIT_BYTES',
    request: (t) => ({ body: { ...t.valid(), blob: 'x'.repeat(BODY_LIMIT + 1) } }),
    status: 413,
    message: /too large/i,
  },
  { label: 'JSON nested 10 000 deep', request: () => ({ payload: nested(10_000), headers: json }), status: 400 },
  {
    label: 'a __proto__ key',
    request: (t) => ({
      payload: JSON.stringify(t.valid()).replace(/^\{/, '{"__proto__":{"admin":true},'),
      headers: json,
    }),
    status: 400,
  },
  // Fastify parses text/plain into a string, which no body schema takes.
  {
    label: 'a text/plain body',
    request: (t) => ({ payload: JSON.stringify(t.valid()), headers: { 'content-type': 'text/plain' } }),
  },
  // Nest's Fastify adapter parses form bodies too; the fields still have to be right.
  {
    label: 'a form-encoded body of unknown fields',
    request: () => ({
      payload: 'surprise=x&other=%00',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
  },
];

const expect4xx = (response: { status: number; json: any; body: string }) => {
  expect(response.status, response.body.slice(0, 300)).toBeGreaterThanOrEqual(400);
  expect(response.status, response.body.slice(0, 300)).toBeLessThan(500);
  expect(typeof response.json?.message, response.body.slice(0, 300)).toBe('string');
  expect(response.json.message.length).toBeGreaterThan(0);
};

describe('user-management: malformed input is a 4xx with a message, never a 5xx', () => {
  beforeAll(async () => {
    app = await startUm(env, { HTTP_BODY_LIMIT_BYTES: String(BODY_LIMIT) });
    org = await createTestOrg(app, 'malformed');
    const main = await createInterview(app, org);
    const results = await createInterview(app, org);
    const status = await createInterview(app, org);
    const session = await call(app, {
      url: '/v1/auth/login',
      body: { email: org.emails.admin, password: TEST_PASSWORD },
    });
    fixture = {
      postingId: main.postingId,
      candidateId: main.candidateId,
      inviteCode: main.code,
      resultsInterviewId: results.interviewId,
      statusInterviewId: status.interviewId,
      room: main.room,
      refreshToken: session.json.refreshToken,
    };
  });
  afterAll(async () => {
    await app?.close();
  });

  describe.each(TARGETS.map((t) => [t.name, t] as const))('%s', (_name, target) => {
    it('control: the valid body is accepted', async () => {
      const response = await call(app, {
        method: target.method,
        url: target.url(),
        body: target.valid(),
        headers: await target.headers(),
      });
      expect(response.status, response.body.slice(0, 300)).toBe(target.validStatus);
    });

    const cases = MALFORMED.filter(
      (m) =>
        (!m.onlyStrict || target.strict) &&
        (!m.needsFields || !target.emptyIsValid) &&
        (!m.needsNesting || target.nested),
    ).map((m) => [m.label, m] as const);
    it.each(cases)('%s → 4xx', async (_label, malformed) => {
      const request = malformed.request(target);
      const response = await call(app, {
        method: target.method,
        url: target.url(),
        ...request,
        headers: { ...(await target.headers()), ...request.headers },
      });
      expect4xx(response);
      if (malformed.status) expect(response.status, response.body.slice(0, 300)).toBe(malformed.status);
      if (malformed.message) expect(response.json.message).toMatch(malformed.message);
      if (response.status === 400 && !malformed.status)
        expect(response.json.code).toMatch(/VALIDATION_FAILED|BAD_REQUEST/);
    });
  });

  describe('non-UUID path ids → 400 naming the parameter', () => {
    const BAD_IDS = [
      'not-a-uuid',
      '123',
      "1' OR '1'='1",
      '00000000-0000-0000-0000-00000000000g',
      `${randomUUID()}x`,
      `{${randomUUID()}}`,
      'null',
      ' ',
      'nul\u0000byte',
    ];
    const ROUTES: Array<[Method, string, () => Promise<Record<string, string>>, unknown?]> = [
      ['GET', '/v1/job-postings/:id', staff('recruiter')],
      ['PATCH', '/v1/job-postings/:id', staff('recruiter'), { title: 'x' }],
      ['GET', '/v1/candidates/:id', staff('recruiter')],
      ['GET', '/v1/users/:id', staff('recruiter')],
      ['GET', '/v1/interviews/:id', staff('recruiter')],
      ['POST', '/v1/interviews/:id/invite', staff('recruiter'), {}],
      ['GET', '/v1/meetings/:id', staff('recruiter')],
      ['POST', '/v1/meetings/:id/cancel', staff('recruiter')],
      ['POST', '/v1/meetings/:id/token', staff('recruiter')],
      ['GET', '/v1/recordings/:id', staff('recruiter')],
      ['POST', '/v1/recordings/:id/playback', staff('recruiter')],
      ['GET', '/v1/recordings/:id/audit', staff('admin')],
      ['GET', '/internal/v1/interviews/:id/plan', agent],
      ['POST', '/internal/v1/interviews/:id/status', agent, { status: 'in_progress' }],
      [
        'PUT',
        '/internal/v1/interviews/:id/results',
        agent,
        {
          startedAt: '2030-01-01T10:00:00Z',
          transcript: [],
          scorecard: { competencies: [], recommendation: 'no', summary: '' },
        },
      ],
      [
        'PUT',
        '/internal/v1/recordings/:id',
        mediaPlane,
        { room: `interview_${randomUUID()}`, objectKey: 'x', phase: 'recording' },
      ],
    ];
    const cases = ROUTES.flatMap(([method, path, headers, body]) =>
      BAD_IDS.map((id) => [`${method} ${path}`, JSON.stringify(id), method, path, headers, body, id] as const),
    );

    it.each(cases)('%s with id %s', async (_name, _label, method, path, headers, body, id) => {
      const response = await call(app, {
        method,
        url: path.replace(':id', encodeURIComponent(id)),
        body,
        headers: await headers(),
      });
      expect(response.status, response.body.slice(0, 300)).toBe(400);
      expect(response.json.message).toMatch(/\bid: must be a UUID/);
      expect(response.json.issues.map((i: { path: string }) => i.path)).toContain('id');
    });

    it.each([
      ['GET /internal/v1/rooms/:room', '/internal/v1/rooms/lobby'],
      ['GET /internal/v1/rooms/:room (uppercase id)', `/internal/v1/rooms/interview_${randomUUID().toUpperCase()}`],
    ])('%s → 400 naming the room', async (_name, url) => {
      const response = await call(app, { method: 'GET', url, headers: await mediaPlane() });
      expect(response.status).toBe(400);
      expect(response.json.issues.map((i: { path: string }) => i.path)).toContain('room');
    });

    it('an id longer than the router takes is a 4xx with a message, not a 5xx', async () => {
      for (const url of [`/v1/job-postings/${'a'.repeat(5_000)}`, `/internal/v1/rooms/${'x'.repeat(5_000)}`]) {
        expect4xx(
          await call(app, {
            method: 'GET',
            url,
            headers: url.startsWith('/internal') ? await mediaPlane() : await staff('recruiter')(),
          }),
        );
      }
    });
  });

  describe('malformed query strings → 400', () => {
    it.each([
      ['/v1/recordings', 'subjectType'],
      ['/v1/recordings?subjectType=webinar&subjectId=x', 'subjectType'],
      [`/v1/recordings?subjectType=interview&subjectId=not-a-uuid`, 'subjectId'],
      ['/v1/job-postings?limit=abc', 'limit'],
      ['/v1/job-postings?limit=0', 'limit'],
      ['/v1/job-postings?limit=100000', 'limit'],
      ['/v1/job-postings?limit=1&limit=2', 'limit'],
      ['/v1/candidates?offset=-1', 'offset'],
      ['/v1/users?limit=1.5', 'limit'],
      ['/v1/interviews?status=bogus', 'status'],
      ['/v1/interviews?candidateId=1%27%20OR%201%3D1', 'candidateId'],
      ['/v1/meetings?mine=perhaps', 'mine'],
    ])('GET %s names %s', async (url, field) => {
      const response = await as(app, org.tokens.admin, { url });
      expect(response.status, response.body.slice(0, 300)).toBe(400);
      expect(response.json.issues.map((i: { path: string }) => i.path)).toContain(field);
    });
  });

  describe('field rules, each a 400 naming the field', () => {
    type Rule = [string, Method, () => string, () => Promise<Record<string, string>>, () => unknown, RegExp];
    const meetingAt = (startInMs: number, lengthMs: number) => ({
      startsAt: new Date(Date.now() + startInMs).toISOString(),
      endsAt: new Date(Date.now() + startInMs + lengthMs).toISOString(),
    });
    const RULES: Rule[] = [
      [
        'login: not an email',
        'POST',
        () => '/v1/auth/login',
        none,
        () => ({ email: 'not-an-email', password: 'x' }),
        /email/,
      ],
      [
        'login: empty password',
        'POST',
        () => '/v1/auth/login',
        none,
        () => ({ email: 'a@example.com', password: '' }),
        /password/,
      ],
      [
        'posting: time budget out of range',
        'POST',
        () => '/v1/job-postings',
        staff('recruiter'),
        () => ({ ...POSTING, timeBudgetMinutes: 1_000 }),
        /timeBudgetMinutes/,
      ],
      [
        'posting: fractional time budget',
        'POST',
        () => '/v1/job-postings',
        staff('recruiter'),
        () => ({ ...POSTING, timeBudgetMinutes: 30.5 }),
        /timeBudgetMinutes/,
      ],
      [
        'posting: whitespace-only title',
        'POST',
        () => '/v1/job-postings',
        staff('recruiter'),
        () => ({ ...POSTING, title: '   ' }),
        /title/,
      ],
      [
        'posting: duplicate competency names',
        'POST',
        () => '/v1/job-postings',
        staff('recruiter'),
        () => ({ ...POSTING, competencies: [POSTING.competencies[0], POSTING.competencies[0]] }),
        /competencies/,
      ],
      [
        'posting: a question naming an unknown competency',
        'POST',
        () => '/v1/job-postings',
        staff('recruiter'),
        () => ({ ...POSTING, questions: [{ text: 'Q?', competency: 'Telepathy' }] }),
        /questions/,
      ],
      [
        'posting: unknown recording policy',
        'POST',
        () => '/v1/job-postings',
        staff('recruiter'),
        () => ({ ...POSTING, recordingPolicy: 'sometimes' }),
        /recordingPolicy/,
      ],
      [
        'posting patch: empty',
        'PATCH',
        () => `/v1/job-postings/${fixture.postingId}`,
        staff('recruiter'),
        () => ({}),
        /at least one field/,
      ],
      [
        'posting patch: competencies that orphan a question',
        'PATCH',
        () => `/v1/job-postings/${fixture.postingId}`,
        staff('recruiter'),
        () => ({ competencies: [POSTING.competencies[1]] }),
        /competency/,
      ],
      [
        'candidate: not an email',
        'POST',
        () => '/v1/candidates',
        staff('recruiter'),
        () => ({ email: 'nope', fullName: 'X' }),
        /email/,
      ],
      [
        'user: short password',
        'POST',
        () => '/v1/users',
        staff('admin'),
        () => ({ email: `s-${randomUUID()}@example.com`, displayName: 'S', role: 'admin', password: 'short' }),
        /password/,
      ],
      [
        'user: unknown role',
        'POST',
        () => '/v1/users',
        staff('admin'),
        () => ({ email: `r-${randomUUID()}@example.com`, displayName: 'R', role: 'owner', password: TEST_PASSWORD }),
        /role/,
      ],
      [
        'interview: inviteValidHours 0',
        'POST',
        () => '/v1/interviews',
        staff('recruiter'),
        () => ({ jobPostingId: fixture.postingId, candidateId: fixture.candidateId, inviteValidHours: 0 }),
        /inviteValidHours/,
      ],
      [
        'interview: non-UUID posting id',
        'POST',
        () => '/v1/interviews',
        staff('recruiter'),
        () => ({ jobPostingId: 'posting-1', candidateId: fixture.candidateId }),
        /jobPostingId/,
      ],
      ['invite: not an invite code', 'POST', () => '/v1/invites/inspect', none, () => ({ invite: 'hello' }), /invite/],
      [
        'consent: unknown choice',
        'POST',
        () => '/v1/invites/consent',
        none,
        () => ({ invite: fixture.inviteCode, choice: 'maybe' }),
        /choice/,
      ],
      [
        'meeting: ends before it starts',
        'POST',
        () => '/v1/meetings',
        staff('recruiter'),
        () => ({ title: 'M', ...meetingAt(2 * hour, -hour) }),
        /endsAt/,
      ],
      [
        'meeting: longer than 12 hours',
        'POST',
        () => '/v1/meetings',
        staff('recruiter'),
        () => ({ title: 'M', ...meetingAt(hour, 13 * hour) }),
        /endsAt/,
      ],
      [
        'meeting: already over',
        'POST',
        () => '/v1/meetings',
        staff('recruiter'),
        () => ({ title: 'M', ...meetingAt(-3 * hour, hour) }),
        /endsAt/,
      ],
      // zod 4 runs the object's refine even after a string format check failed, on the raw strings.
      [
        'meeting: a date that is not ISO',
        'POST',
        () => '/v1/meetings',
        staff('recruiter'),
        () => ({ title: 'M', startsAt: 'tomorrow', endsAt: 'the day after' }),
        /startsAt/,
      ],
      [
        'meeting: a participant with both user and candidate',
        'POST',
        () => '/v1/meetings',
        staff('recruiter'),
        () => ({
          title: 'M',
          ...meetingAt(hour, hour),
          participants: [{ userId: org.users.admin, candidateId: fixture.candidateId }],
        }),
        /participants/,
      ],
      [
        'meeting: 51 participants',
        'POST',
        () => '/v1/meetings',
        staff('recruiter'),
        () => ({
          title: 'M',
          ...meetingAt(hour, hour),
          participants: Array.from({ length: 51 }, () => ({ userId: randomUUID() })),
        }),
        /participants/,
      ],
      [
        'recording: unknown phase',
        'PUT',
        () => `/internal/v1/recordings/${randomUUID()}`,
        mediaPlane,
        () => ({ room: fixture.room, objectKey: 'x', phase: 'paused' }),
        /phase/,
      ],
      [
        'recording: negative duration',
        'PUT',
        () => `/internal/v1/recordings/${randomUUID()}`,
        mediaPlane,
        () => ({ room: fixture.room, objectKey: 'x', phase: 'ready', durationMs: -1 }),
        /durationMs/,
      ],
      [
        'recording: 11 codecs',
        'PUT',
        () => `/internal/v1/recordings/${randomUUID()}`,
        mediaPlane,
        () => ({
          room: fixture.room,
          objectKey: 'x',
          phase: 'ready',
          codecs: Array.from({ length: 11 }, (_, i) => `c${i}`),
        }),
        /codecs/,
      ],
      [
        'recording: a room off the convention',
        'PUT',
        () => `/internal/v1/recordings/${randomUUID()}`,
        mediaPlane,
        () => ({ room: 'lobby', objectKey: 'x', phase: 'ready' }),
        /room/,
      ],
      [
        'recording: failed without a reason',
        'PUT',
        () => `/internal/v1/recordings/${randomUUID()}`,
        mediaPlane,
        () => ({ room: fixture.room, objectKey: 'x', phase: 'failed' }),
        /failureReason/,
      ],
      [
        'results: a score of 6',
        'PUT',
        () => `/internal/v1/interviews/${fixture.resultsInterviewId}/results`,
        agent,
        () => ({
          startedAt: '2030-01-01T10:00:00Z',
          transcript: [],
          scorecard: {
            competencies: [{ name: 'D', score: 6, justification: 'x', evidence: [] }],
            recommendation: 'no',
            summary: '',
          },
        }),
        /score/,
      ],
      [
        'results: an unknown speaker',
        'PUT',
        () => `/internal/v1/interviews/${fixture.resultsInterviewId}/results`,
        agent,
        () => ({
          startedAt: '2030-01-01T00:00:00Z',
          transcript: [{ speaker: 'narrator', text: 'x', offsetMs: 0, mode: 'spoken' }],
          scorecard: { competencies: [], recommendation: 'no', summary: '' },
        }),
        /speaker/,
      ],
      [
        'posting: a NUL in the title',
        'POST',
        () => '/v1/job-postings',
        staff('recruiter'),
        () => ({ ...POSTING, title: 'Eng\u0000ineer' }),
        /title: must not contain NUL/,
      ],
      [
        'posting: a NUL in a rubric',
        'PATCH',
        () => `/v1/job-postings/${fixture.postingId}`,
        staff('recruiter'),
        () => ({
          competencies: POSTING.competencies.map((c, i) =>
            i === 1 ? { ...c, rubric: { ...c.rubric, five: 'ok\u0000' } } : c,
          ),
        }),
        /competencies\.1\.rubric\.five: must not contain NUL/,
      ],
      [
        'candidate: a NUL in the name',
        'POST',
        () => '/v1/candidates',
        staff('recruiter'),
        () => ({ email: `n-${randomUUID().slice(0, 8)}@example.com`, fullName: 'Nul\u0000' }),
        /fullName: must not contain NUL/,
      ],
      [
        'user: a NUL in the display name',
        'POST',
        () => '/v1/users',
        staff('admin'),
        () => ({
          email: `n-${randomUUID().slice(0, 8)}@example.com`,
          displayName: 'Nul\u0000',
          role: 'interviewer',
          password: TEST_PASSWORD,
        }),
        /displayName: must not contain NUL/,
      ],
      [
        'organization: a NUL in the name',
        'PATCH',
        () => '/v1/organization',
        staff('admin'),
        () => ({ name: 'Nul\u0000 Inc.' }),
        /name: must not contain NUL/,
      ],
      [
        'meeting: a NUL in the title',
        'POST',
        () => '/v1/meetings',
        staff('recruiter'),
        () => ({ title: 'Sync\u0000', ...meetingAt(hour, hour) }),
        /title: must not contain NUL/,
      ],
      [
        'recording: a NUL in the object key',
        'PUT',
        () => `/internal/v1/recordings/${randomUUID()}`,
        mediaPlane,
        () => ({ room: fixture.room, objectKey: 'a\u0000.mp4', phase: 'ready' }),
        /objectKey: must not contain NUL/,
      ],
      [
        'results: a NUL in a transcript line',
        'PUT',
        () => `/internal/v1/interviews/${fixture.resultsInterviewId}/results`,
        agent,
        () => ({
          startedAt: '2030-01-01T00:00:00Z',
          transcript: [{ speaker: 'candidate', text: 'hi\u0000', offsetMs: 0, mode: 'spoken' }],
          scorecard: { competencies: [], recommendation: 'no', summary: '' },
        }),
        /transcript\.0\.text: must not contain NUL/,
      ],
      [
        'results: a NUL in a scorecard key',
        'PUT',
        () => `/internal/v1/interviews/${fixture.resultsInterviewId}/results`,
        agent,
        () => ({
          startedAt: '2030-01-01T00:00:00Z',
          transcript: [],
          scorecard: {
            competencies: [{ name: 'D\u0000', score: 3, justification: 'x', evidence: [] }],
            recommendation: 'no',
            summary: '',
          },
        }),
        /scorecard\.competencies\.0\.name: must not contain NUL/,
      ],
      [
        'posting: a lone surrogate in a competency name',
        'POST',
        () => '/v1/job-postings',
        staff('recruiter'),
        () => ({
          ...POSTING,
          competencies: POSTING.competencies.map((c, i) => (i === 0 ? { ...c, name: 'Design \ud800' } : c)),
          questions: [],
        }),
        /competencies\.0\.name: contains a lone UTF-16 surrogate/,
      ],
      [
        'results: a lone surrogate in a transcript line',
        'PUT',
        () => `/internal/v1/interviews/${fixture.resultsInterviewId}/results`,
        agent,
        () => ({
          startedAt: '2030-01-01T00:00:00Z',
          transcript: [{ speaker: 'candidate', text: 'hi \udfff', offsetMs: 0, mode: 'spoken' }],
          scorecard: { competencies: [], recommendation: 'no', summary: '' },
        }),
        /transcript\.0\.text: contains a lone UTF-16 surrogate/,
      ],
      [
        'status: completed is not reported here',
        'POST',
        () => `/internal/v1/interviews/${fixture.statusInterviewId}/status`,
        mediaPlane,
        () => ({ status: 'completed' }),
        /status/,
      ],
    ];

    it.each(RULES)('%s', async (_name, method, url, headers, body, field) => {
      const response = await call(app, { method, url: url(), body: body(), headers: await headers() });
      expect(response.status, response.body.slice(0, 300)).toBe(400);
      expect(response.json.message).toMatch(field);
    });
  });

  it('after all of that, the service still answers normally', async () => {
    expect((await as(app, org.tokens.recruiter, { url: `/v1/job-postings/${fixture.postingId}` })).status).toBe(200);
    expect((await call(app, { method: 'GET', url: '/healthz' })).status).toBe(200);
  });
});
