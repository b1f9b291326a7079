import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { REDIS_CLIENT } from '@app/redis';
import type Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../../support/eventually.util';
import { decodePayload } from '../../support/tickets.util';
import { as, call, createTestOrg, db, login, startUm, TEST_PASSWORD, type TestOrg } from '../../support/um.util';

const env = inject('stackEnv');
let app: NestFastifyApplication;
let org: TestOrg;
let otherOrg: TestOrg;

const me = (token: string) => as(app, token, { url: '/v1/users/me' });

describe('removing access takes effect on the next request', () => {
  beforeAll(async () => {
    app = await startUm(env, { USER_ACCESS_CACHE_MS: '1000' });
    org = await createTestOrg(app, 'access');
    otherOrg = await createTestOrg(app, 'access-other');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a deactivated user’s access token is refused on the next request; refresh and sign-in too', async () => {
    const session = await login(app, org.emails.interviewer, TEST_PASSWORD);
    expect((await me(session.accessToken)).status).toBe(200);

    const deactivated = await as(app, org.tokens.admin, {
      method: 'POST',
      url: `/v1/users/${org.users.interviewer}/deactivate`,
    });
    expect(deactivated.status, deactivated.body.slice(0, 300)).toBe(200);
    expect(deactivated.json).toMatchObject({ id: org.users.interviewer, active: false });
    expect(deactivated.json.deactivatedAt).toEqual(expect.any(String));

    const next = await me(session.accessToken);
    expect(next.status).toBe(401);
    expect(next.json.reason).toBe('account_deactivated');

    const refreshed = await call(app, { url: '/v1/auth/refresh', body: { refreshToken: session.refreshToken } });
    expect(refreshed.status).toBe(401);
    const signIn = await call(app, {
      url: '/v1/auth/login',
      body: { email: org.emails.interviewer, password: TEST_PASSWORD },
    });
    expect(signIn.status).toBe(401);
    expect(signIn.json.reason).toBe('account_deactivated');
    // A wrong password learns nothing about the account.
    const wrong = await call(app, { url: '/v1/auth/login', body: { email: org.emails.interviewer, password: 'nope' } });
    expect(wrong.status).toBe(401);
    expect(wrong.json.reason).toBeUndefined();

    const listed = await as(app, org.tokens.admin, { url: '/v1/users' });
    expect(listed.json.find((u: { id: string }) => u.id === org.users.interviewer)).toMatchObject({ active: false });
    // Idempotent.
    expect(
      (await as(app, org.tokens.admin, { method: 'POST', url: `/v1/users/${org.users.interviewer}/deactivate` })).json
        .deactivatedAt,
    ).toBe(deactivated.json.deactivatedAt);
  });

  it('a role change refuses the old access token on its next request; a refresh carries the new role', async () => {
    const session = await login(app, org.emails.recruiter, TEST_PASSWORD);
    expect(decodePayload(session.accessToken).role).toBe('recruiter');
    const changed = await as(app, org.tokens.admin, {
      method: 'PUT',
      url: `/v1/users/${org.users.recruiter}/role`,
      body: { role: 'hiring_manager' },
    });
    expect(changed.status, changed.body.slice(0, 300)).toBe(200);
    expect(changed.json).toMatchObject({ role: 'hiring_manager', active: true });

    const old = await as(app, session.accessToken, {
      url: '/v1/job-postings',
      body: { title: 'Still a recruiter?', timeBudgetMinutes: 30 },
    });
    expect(old.status).toBe(401);
    expect(old.json.reason).toBe('token_revoked');

    const refreshed = await call(app, { url: '/v1/auth/refresh', body: { refreshToken: session.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.user.role).toBe('hiring_manager');
    expect(decodePayload(refreshed.json.accessToken).role).toBe('hiring_manager');
    const now = await as(app, refreshed.json.accessToken, {
      url: '/v1/job-postings',
      body: { title: 'Still a recruiter?', timeBudgetMinutes: 30 },
    });
    expect(now.status).toBe(403);
    expect((await me(refreshed.json.accessToken)).json.role).toBe('hiring_manager');
  });

  it('a change made by another replica reaches this one through Redis within USER_ACCESS_CACHE_MS', async () => {
    const session = await login(app, otherOrg.emails.hiring_manager, TEST_PASSWORD);
    // This replica now holds the user's state in its own cache.
    expect((await me(session.accessToken)).status).toBe(200);
    // What another replica's deactivation writes: PostgreSQL, then the shared copy in Redis.
    const changedAt = Date.now();
    const [row] = await db(app).query(
      `UPDATE users SET deactivated_at = now(), token_version = token_version + 1 WHERE id = $1 RETURNING token_version`,
      [otherOrg.users.hiring_manager],
    );
    await app.get<Redis>(REDIS_CLIENT).set(`um:user-access:${otherOrg.users.hiring_manager}`, `${row.token_version}:0`);
    const refusedAt = await eventually(async () => {
      expect((await me(session.accessToken)).status).toBe(401);
      return Date.now();
    }, 10_000);
    // Within the 1 s cache, with a wide margin for a busy machine.
    expect(refusedAt - changedAt).toBeLessThan(6_000);
    await db(app).query(`UPDATE users SET deactivated_at = NULL WHERE id = $1`, [otherOrg.users.hiring_manager]);
    await app.get<Redis>(REDIS_CLIENT).del(`um:user-access:${otherOrg.users.hiring_manager}`);
  });

  it('only admins, never on themselves, only in their own org', async () => {
    const target = `/v1/users/${org.users.hiring_manager}`;
    expect((await as(app, org.tokens.hiring_manager, { method: 'POST', url: `${target}/deactivate` })).status).toBe(
      403,
    );
    expect(
      (await as(app, org.tokens.hiring_manager, { method: 'PUT', url: `${target}/role`, body: { role: 'admin' } }))
        .status,
    ).toBe(403);

    const self = await as(app, org.tokens.admin, { method: 'POST', url: `/v1/users/${org.users.admin}/deactivate` });
    expect(self.status).toBe(403);
    expect(self.json.reason).toBe('own_account');
    expect(
      (
        await as(app, org.tokens.admin, {
          method: 'PUT',
          url: `/v1/users/${org.users.admin}/role`,
          body: { role: 'interviewer' },
        })
      ).json.reason,
    ).toBe('own_account');

    const foreign = `/v1/users/${otherOrg.users.recruiter}`;
    expect((await as(app, org.tokens.admin, { method: 'POST', url: `${foreign}/deactivate` })).status).toBe(404);
    expect(
      (await as(app, org.tokens.admin, { method: 'PUT', url: `${foreign}/role`, body: { role: 'interviewer' } }))
        .status,
    ).toBe(404);
    // The other org's user was not touched.
    expect((await me(otherOrg.tokens.recruiter)).status).toBe(200);

    const badRole = await as(app, org.tokens.admin, { method: 'PUT', url: `${target}/role`, body: { role: 'owner' } });
    expect(badRole.status).toBe(400);
    expect(badRole.json.issues.map((i: { path: string }) => i.path)).toContain('role');
    expect((await as(app, org.tokens.admin, { method: 'POST', url: '/v1/users/not-a-uuid/deactivate' })).status).toBe(
      400,
    );
  });
});
