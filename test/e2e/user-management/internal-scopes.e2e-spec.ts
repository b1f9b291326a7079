import { randomUUID } from 'node:crypto';
import { signServiceToken, type ServiceCaller } from '@app/service-auth';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { loadUserManagementConfig } from '../../../apps/user-management/src/config';
import {
  call,
  createInterview,
  createTestOrg,
  db,
  serviceHeaders,
  serviceKeyOf,
  startUm,
  type TestOrg,
} from '../../support/um.util';

// Item 11: each calling service has its own key, a key only speaks for its owner, each internal
// route admits only the services that need it, and a recording can only point at its own org's files.
const env = inject('stackEnv');

let app: NestFastifyApplication;
let org: TestOrg;
let other: TestOrg;

const RESULTS = {
  startedAt: '2030-01-01T10:00:00.000Z',
  transcript: [],
  scorecard: { competencies: [], recommendation: 'no', summary: 'x' },
};

describe('internal API: per-caller keys and scopes', () => {
  beforeAll(async () => {
    app = await startUm(env);
    org = await createTestOrg(app, 'scopes');
    other = await createTestOrg(app, 'scopes-other');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('the media plane and the agent have different keys', () => {
    expect(serviceKeyOf(env, 'video-streaming-server').id).not.toBe(serviceKeyOf(env, 'interviewer-agent').id);
    expect(serviceKeyOf(env, 'video-streaming-server').secret).not.toBe(serviceKeyOf(env, 'interviewer-agent').secret);
  });

  it.each([
    ['the agent’s key', 'interviewer-agent', 'video-streaming-server'],
    ['the media plane’s key', 'video-streaming-server', 'interviewer-agent'],
  ] as const)('%s cannot speak for the other service (401)', async (_name, owner, claimed) => {
    const { room } = await createInterview(app, org);
    const token = await signServiceToken(serviceKeyOf(env, owner), claimed);
    const response = await call(app, {
      method: 'GET',
      url: `/internal/v1/rooms/${room}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(401);
    expect(response.json.message).toMatch(new RegExp(`belongs to ${owner}`));
  });

  describe('each route admits only its callers', () => {
    let interview: Awaited<ReturnType<typeof createInterview>>;
    beforeAll(async () => {
      interview = await createInterview(app, org);
    });

    const routes = (): Array<[string, 'GET' | 'POST' | 'PUT', string, unknown, ServiceCaller[]]> => [
      [
        'room context',
        'GET',
        `/internal/v1/rooms/${interview.room}`,
        undefined,
        ['video-streaming-server', 'interviewer-agent'],
      ],
      [
        'interview plan',
        'GET',
        `/internal/v1/interviews/${interview.interviewId}/plan`,
        undefined,
        ['interviewer-agent'],
      ],
      [
        'interview status',
        'POST',
        `/internal/v1/interviews/${interview.interviewId}/status`,
        { status: 'in_progress' },
        ['interviewer-agent'],
      ],
      [
        'interview abandoned',
        'POST',
        `/internal/v1/interviews/${interview.interviewId}/status`,
        { status: 'abandoned' },
        ['video-streaming-server'],
      ],
      [
        'results (scorecard)',
        'PUT',
        `/internal/v1/interviews/${interview.interviewId}/results`,
        RESULTS,
        ['interviewer-agent'],
      ],
      [
        'recording report',
        'PUT',
        `/internal/v1/recordings/${randomUUID()}`,
        { room: interview.room, objectKey: `raw/${org.orgId}/a.ogg`, phase: 'recording' },
        ['video-streaming-server'],
      ],
    ];

    it('a caller outside the route’s list gets 403 with a reason; a caller on it gets 200', async () => {
      const seen: string[] = [];
      for (const [name, method, url, body, allowed] of routes()) {
        for (const caller of ['video-streaming-server', 'interviewer-agent'] as const) {
          const response = await call(app, { method, url, body, headers: await serviceHeaders(env, caller) });
          seen.push(`${name} as ${caller}: ${response.status}`);
          if (allowed.includes(caller)) {
            expect(response.status, `${name} as ${caller}: ${response.body}`).toBe(200);
          } else {
            expect(response.status, `${name} as ${caller}`).toBe(403);
            expect(response.json).toMatchObject({ code: 'FORBIDDEN', reason: 'caller_not_allowed' });
          }
        }
      }
      expect(seen).toHaveLength(12);
    });

    it('the agent cannot report a recording, and nothing is stored', async () => {
      const id = randomUUID();
      const response = await call(app, {
        method: 'PUT',
        url: `/internal/v1/recordings/${id}`,
        body: { room: interview.room, objectKey: `raw/${org.orgId}/${id}.ogg`, phase: 'ready' },
        headers: await serviceHeaders(env, 'interviewer-agent'),
      });
      expect(response.status).toBe(403);
      expect(await db(app).query('SELECT 1 FROM recordings WHERE id = $1', [id])).toHaveLength(0);
    });

    it('the media plane cannot post a scorecard, and the interview keeps none', async () => {
      const fresh = await createInterview(app, org);
      const response = await call(app, {
        method: 'PUT',
        url: `/internal/v1/interviews/${fresh.interviewId}/results`,
        body: { ...RESULTS, scorecard: { competencies: [], recommendation: 'strong_yes', summary: 'forged' } },
        headers: await serviceHeaders(env, 'video-streaming-server'),
      });
      expect(response.status).toBe(403);
      const [row] = await db(app).query('SELECT scorecard, status FROM interviews WHERE id = $1', [fresh.interviewId]);
      expect(row).toEqual({ scorecard: null, status: 'scheduled' });
    });
  });

  describe('recording object keys stay inside the recording’s org', () => {
    const report = async (id: string, room: string, objectKey: string) =>
      call(app, {
        method: 'PUT',
        url: `/internal/v1/recordings/${id}`,
        body: { room, objectKey, phase: 'ready' },
        headers: await serviceHeaders(env, 'video-streaming-server'),
      });

    it.each([
      ['another org’s raw tracks', (_o: string, x: string) => `raw/${x}/stolen.ogg`],
      ['another org’s final file', (_o: string, x: string) => `final-recordings/${x}/stolen.mp4`],
      ['no org folder at all', () => 'recordings/stolen.mp4'],
      ['a bare name', () => 'stolen.mp4'],
      ['the org folder itself', (o: string) => `raw/${o}`],
      ['climbing out of the org folder', (o: string, x: string) => `raw/${o}/../../final-recordings/${x}/a.mp4`],
      ['an empty segment', (o: string) => `final-recordings/${o}//a.mp4`],
      ['the org id in another case', (o: string) => `raw/${o.toUpperCase()}/a.ogg`],
      ['another root', (o: string) => `public/${o}/a.mp4`],
    ])('%s → 403 object_key_outside_org, no row', async (_name, key) => {
      const { room } = await createInterview(app, org);
      const id = randomUUID();
      const response = await report(id, room, key(org.orgId, other.orgId));
      expect(response.status, response.body).toBe(403);
      expect(response.json.reason).toBe('object_key_outside_org');
      expect(response.json.message).toMatch(/objectKey/);
      expect(await db(app).query('SELECT 1 FROM recordings WHERE id = $1', [id])).toHaveLength(0);
    });

    it('the same keys under the room’s own org are accepted', async () => {
      const { room } = await createInterview(app, org);
      for (const key of [`raw/${org.orgId}/${randomUUID()}/track.ogg`, `final-recordings/${org.orgId}/a.mp4`]) {
        const response = await report(randomUUID(), room, key);
        expect(response.status, response.body).toBe(200);
      }
    });

    it('the other org’s own room takes its own keys (the check follows the room, not the caller)', async () => {
      const { room } = await createInterview(app, other);
      expect((await report(randomUUID(), room, `final-recordings/${other.orgId}/b.mp4`)).status).toBe(200);
      expect((await report(randomUUID(), room, `final-recordings/${org.orgId}/b.mp4`)).status).toBe(403);
    });
  });

  describe('configuration', () => {
    it('refuses INTERNAL_API_KEYS entries that do not name their caller, naming the entry', () => {
      const secret = 'x'.repeat(40);
      for (const keys of [`k1:${secret}`, `k1:${secret}:someone-else`, `k1:${secret}:interviewer-agent:extra`]) {
        expect(() => loadUserManagementConfig({ ...env, INTERNAL_API_KEYS: keys })).toThrow(
          /INTERNAL_API_KEYS.*entry 1/s,
        );
      }
      expect(() =>
        loadUserManagementConfig({
          ...env,
          INTERNAL_API_KEYS: `k1:${secret}:video-streaming-server,k1:${secret}:interviewer-agent`,
        }),
      ).toThrow(/appears twice/);
      const config = loadUserManagementConfig({
        ...env,
        INTERNAL_API_KEYS: `k1:${secret}:video-streaming-server, k2:${secret}:interviewer-agent`,
      });
      expect(config.internalApiKeys.map((k) => [k.id, k.caller])).toEqual([
        ['k1', 'video-streaming-server'],
        ['k2', 'interviewer-agent'],
      ]);
    });
  });
});
