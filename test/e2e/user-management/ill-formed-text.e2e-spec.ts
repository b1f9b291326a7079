import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  as,
  asService,
  call,
  createInterview,
  createTestOrg,
  POSTING,
  startUm,
  type TestOrg,
} from '../../support/um.util';

const env = inject('stackEnv');
let app: NestFastifyApplication;
let org: TestOrg;

// JSON's "\ud800" parses to a lone UTF-16 surrogate, which PostgreSQL text and jsonb cannot store.
// Bodies are written as raw JSON text so the escapes reach the server exactly as a client sends them.
const LONE_HIGH = '\\ud800';
const LONE_LOW = '\\udfff';
const json = { 'content-type': 'application/json' };
const withCompetencyName = (name: string) =>
  JSON.stringify({
    ...POSTING,
    competencies: [{ ...POSTING.competencies[0], name: '__NAME__' }],
    questions: [],
  }).replace('"__NAME__"', `"${name}"`);

describe('user-management: ill-formed text is a 400 naming the field, never a 500', () => {
  beforeAll(async () => {
    app = await startUm(env);
    org = await createTestOrg(app, 'illformed');
  });
  afterAll(async () => {
    await app?.close();
  });

  it.each([
    ['a lone high surrogate', `Design ${LONE_HIGH}`],
    ['a lone low surrogate', `${LONE_LOW} Design`],
    ['a high surrogate followed by another high one', `\\ud800\\ud800`],
  ])('a job posting whose competency name holds %s → 400 naming it', async (_label, name) => {
    const response = await as(app, org.tokens.recruiter, {
      method: 'POST',
      url: '/v1/job-postings',
      payload: withCompetencyName(name),
      headers: json,
    });
    expect(response.status, response.body.slice(0, 300)).toBe(400);
    expect(response.json.code).toBe('VALIDATION_FAILED');
    expect(response.json.message).toMatch(/competencies\.0\.name: contains a lone UTF-16 surrogate/);
    expect(response.json.issues).toContainEqual({
      path: 'competencies.0.name',
      message: 'contains a lone UTF-16 surrogate',
    });
  });

  it('control: a well-formed surrogate pair (an emoji) is stored and read back as it was', async () => {
    const response = await as(app, org.tokens.recruiter, {
      method: 'POST',
      url: '/v1/job-postings',
      payload: withCompetencyName('Design \\ud83d\\ude80'),
      headers: json,
    });
    expect(response.status, response.body.slice(0, 300)).toBe(201);
    expect(response.json.competencies[0].name).toBe('Design 🚀');
  });

  it('in a PATCH, in a nested array → 400 naming the path', async () => {
    const created = await as(app, org.tokens.recruiter, { url: '/v1/job-postings', body: POSTING });
    expect(created.status).toBe(201);
    const response = await as(app, org.tokens.recruiter, {
      method: 'PATCH',
      url: `/v1/job-postings/${created.json.id}`,
      payload: `{"questions":[{"text":"Design a cache.","followUps":["ok","bad ${LONE_HIGH}"]}]}`,
      headers: json,
    });
    expect(response.status, response.body.slice(0, 300)).toBe(400);
    expect(response.json.issues.map((i: { path: string }) => i.path)).toContain('questions.0.followUps.1');
  });

  it('in an object key → 400 (a key is text too), also where the schema would drop the key', async () => {
    // The sign-in body is not strict: zod would strip the unknown key, the check still names it.
    const response = await call(app, {
      url: '/v1/auth/login',
      payload: `{"email":"${org.emails.interviewer}","password":"whatever","${LONE_HIGH}":1}`,
      headers: json,
    });
    expect(response.status, response.body.slice(0, 300)).toBe(400);
    expect(response.json.message).toMatch(/key contains a lone UTF-16 surrogate/);
  });

  it('in a candidate name, a display name and a meeting title → 400 naming each', async () => {
    const cases: Array<[string, string, string]> = [
      ['/v1/candidates', `{"email":"s-${Date.now()}@example.com","fullName":"Sam ${LONE_HIGH}"}`, 'fullName'],
      [
        '/v1/meetings',
        JSON.stringify({
          title: '__T__',
          startsAt: new Date(Date.now() + 3_600_000).toISOString(),
          endsAt: new Date(Date.now() + 7_200_000).toISOString(),
          participants: [],
        }).replace('"__T__"', `"Sync ${LONE_LOW}"`),
        'title',
      ],
    ];
    for (const [url, payload, field] of cases) {
      const response = await as(app, org.tokens.admin, { method: 'POST', url, payload, headers: json });
      expect(response.status, `${url}: ${response.body.slice(0, 300)}`).toBe(400);
      expect(response.json.issues.map((i: { path: string }) => i.path)).toContain(field);
    }
  });

  it('in sign-in and invite bodies (no sign-in needed) → 400, not a 401 or 500', async () => {
    const login = await call(app, {
      url: '/v1/auth/login',
      payload: `{"email":"a@example.com","password":"pass ${LONE_HIGH} word"}`,
      headers: json,
    });
    expect(login.status, login.body.slice(0, 300)).toBe(400);
    expect(login.json.issues.map((i: { path: string }) => i.path)).toContain('password');
  });

  it('in a query string → 400 naming the parameter', async () => {
    // A lone surrogate cannot be percent-encoded as UTF-8; NUL can, and is refused the same way.
    const response = await as(app, org.tokens.admin, { url: '/v1/users?limit=5&note=%00' });
    expect(response.status, response.body.slice(0, 300)).toBe(400);
    expect(response.json.issues).toContainEqual({ path: 'note', message: 'must not contain NUL characters (U+0000)' });
  });

  it('in an agent’s transcript → 400 naming the line, and the interview can still be saved once clean', async () => {
    const { interviewId } = await createInterview(app, org);
    const results = (text: string) =>
      `{"startedAt":"2030-01-01T10:00:00Z",` +
      `"transcript":[{"speaker":"candidate","text":"${text}","offsetMs":0,"mode":"typed"}],` +
      `"scorecard":{"competencies":[{"name":"Design","score":3,"justification":"Fine.","evidence":[]}],` +
      `"recommendation":"no","summary":"Fine."}}`;
    const url = `/internal/v1/interviews/${interviewId}/results`;
    const bad = await asService(
      app,
      env,
      { method: 'PUT', url, payload: results(`I think ${LONE_HIGH}`), headers: json },
      'interviewer-agent',
    );
    expect(bad.status, bad.body.slice(0, 300)).toBe(400);
    expect(bad.json.issues.map((i: { path: string }) => i.path)).toContain('transcript.0.text');
    const good = await asService(
      app,
      env,
      { method: 'PUT', url, payload: results('I think so.'), headers: json },
      'interviewer-agent',
    );
    expect(good.status, good.body.slice(0, 300)).toBe(200);
  });

  it('after all of that, the service still answers normally', async () => {
    expect((await as(app, org.tokens.recruiter, { url: '/v1/job-postings' })).status).toBe(200);
  });
});
