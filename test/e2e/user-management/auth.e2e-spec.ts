import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { REDIS_CLIENT } from '@app/redis';
import { signServiceToken } from '@app/service-auth';
import type Redis from 'ioredis';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { decodePayload, signTicket, ticketKeyFromEnv, unsignedJwt } from '../../support/tickets.util';
import {
  as,
  asService,
  call,
  createInterview,
  createTestOrg,
  db,
  login,
  startUm,
  TEST_PASSWORD,
  type TestOrg,
} from '../../support/um.util';
import { startVss } from '../../support/vss.util';

const env = inject('stackEnv');
let app: NestFastifyApplication;
let vss: NestFastifyApplication;
let org: TestOrg;

const staffKey = () => {
  const [id, secret] = env.STAFF_JWT_KEYS.split(':');
  return { id, secret };
};

/** A staff access token like the real one, with overridable parts. */
async function staffToken(
  overrides: {
    secret?: string;
    kid?: string;
    aud?: string;
    iss?: string;
    exp?: number;
    typ?: string;
    sub?: string;
  } = {},
) {
  const key = staffKey();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ org: org.orgId, role: 'admin', typ: overrides.typ ?? 'staff_access' })
    .setProtectedHeader({ alg: 'HS256', kid: overrides.kid ?? key.id })
    .setSubject(overrides.sub ?? org.users.admin)
    .setIssuer(overrides.iss ?? 'parley:user-management')
    .setAudience(overrides.aud ?? 'parley:user-management:staff')
    .setIssuedAt(now - 60)
    .setExpirationTime(overrides.exp ?? now + 600)
    .sign(new TextEncoder().encode(overrides.secret ?? key.secret));
}

describe('user-management staff auth', () => {
  beforeAll(async () => {
    app = await startUm(env, { LOGIN_MAX_ATTEMPTS: '5', LOGIN_WINDOW_SECONDS: '60' });
    // Start from empty counters: other files' sign-ins from 127.0.0.1 share the per-address one.
    const redis = app.get<Redis>(REDIS_CLIENT);
    const keys = await redis.keys('um:login:*');
    if (keys.length) await redis.del(...keys);
    vss = await startVss(env);
    org = await createTestOrg(app, 'auth');
  });
  afterAll(async () => {
    await app?.close();
    await vss?.close();
  });

  it('signs in with email and password, case-insensitively, and the token opens staff endpoints', async () => {
    const session = await login(app, org.emails.recruiter.toUpperCase(), TEST_PASSWORD);
    const claims = decodePayload(session.accessToken);
    expect(claims).toMatchObject({
      sub: org.users.recruiter,
      org: org.orgId,
      role: 'recruiter',
      aud: 'parley:user-management:staff',
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(15 * 60);
    const me = await as(app, session.accessToken, { url: '/v1/users/me' });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ id: org.users.recruiter, role: 'recruiter' });
    expect(me.body).not.toContain('passwordHash');
  });

  it('answers a wrong password and an unknown email the same way, 401', async () => {
    const wrong = await call(app, {
      url: '/v1/auth/login',
      body: { email: org.emails.admin, password: 'not the password' },
    });
    const unknown = await call(app, {
      url: '/v1/auth/login',
      body: { email: 'nobody@example.com', password: 'not the password' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json.message).toBe(unknown.json.message);
  });

  it('rate-limits sign-in attempts per account with 429 and Retry-After, even with the right password', async () => {
    const email = org.emails.interviewer;
    for (let i = 0; i < 5; i++) {
      expect((await call(app, { url: '/v1/auth/login', body: { email, password: `wrong-${i}` } })).status).toBe(401);
    }
    const blocked = await call(app, { url: '/v1/auth/login', body: { email, password: TEST_PASSWORD } });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.json.message).toMatch(/too many sign-in attempts/);
    // Another account from the same address is still fine.
    expect(
      (await call(app, { url: '/v1/auth/login', body: { email: org.emails.hiring_manager, password: TEST_PASSWORD } }))
        .status,
    ).toBe(200);
  });

  it('rotates refresh tokens, and a reused one (after the grace) signs the account out everywhere', async () => {
    const first = await login(app, org.emails.hiring_manager, TEST_PASSWORD);
    const second = await call(app, { url: '/v1/auth/refresh', body: { refreshToken: first.refreshToken } });
    expect(second.status).toBe(200);
    expect(second.json.refreshToken).not.toBe(first.refreshToken);
    expect((await as(app, second.json.accessToken, { url: '/v1/users/me' })).status).toBe(200);

    // Presented again well after its rotation (past REFRESH_REUSE_GRACE_SECONDS): it leaked.
    await db(app).query(`UPDATE refresh_tokens SET revoked_at = now() - interval '5 minutes' WHERE id = $1`, [
      first.refreshToken.split('.')[0],
    ]);
    const replay = await call(app, { url: '/v1/auth/refresh', body: { refreshToken: first.refreshToken } });
    expect(replay.status).toBe(401);
    expect(replay.json.message).toMatch(/already used/);
    // The family is revoked: the newer refresh token stops working too.
    expect(
      (await call(app, { url: '/v1/auth/refresh', body: { refreshToken: second.json.refreshToken } })).status,
    ).toBe(401);
  });

  const refresh = (refreshToken: string) => call(app, { url: '/v1/auth/refresh', body: { refreshToken } });

  it('two tabs refreshing the same token (one just after the other, or at once) sign nobody out', async () => {
    const otherDevice = await login(app, org.emails.recruiter, TEST_PASSWORD);
    const tabs = await login(app, org.emails.recruiter, TEST_PASSWORD);
    // One after the other: the second tab presents the token the first has just rotated.
    const firstTab = await refresh(tabs.refreshToken);
    expect(firstTab.status).toBe(200);
    const secondTab = await refresh(tabs.refreshToken);
    expect(secondTab.status).toBe(401);
    expect(secondTab.json.reason).toBe('refresh_token_rotated');
    // At once: exactly one rotates it, the other is the same 401.
    const raced = await Promise.all([refresh(firstTab.json.refreshToken), refresh(firstTab.json.refreshToken)]);
    expect(raced.map((r) => r.status).sort()).toEqual([200, 401]);
    expect(raced.find((r) => r.status === 401)!.json.reason).toBe('refresh_token_rotated');
    // The winner's successor and the other device's session still work.
    expect((await refresh(raced.find((r) => r.status === 200)!.json.refreshToken)).status).toBe(200);
    expect((await refresh(otherDevice.refreshToken)).status).toBe(200);
  });

  it('a refresh token presented again after logout is a 401 that signs nobody out', async () => {
    const otherDevice = await login(app, org.emails.admin, TEST_PASSWORD);
    const session = await login(app, org.emails.admin, TEST_PASSWORD);
    expect((await call(app, { url: '/v1/auth/logout', body: { refreshToken: session.refreshToken } })).status).toBe(
      204,
    );
    const again = await refresh(session.refreshToken);
    expect(again.status).toBe(401);
    expect(again.json.message).not.toMatch(/signed out/);
    // Long after the logout too: a logged-out token has no successor, so it is no reuse.
    await db(app).query(`UPDATE refresh_tokens SET revoked_at = now() - interval '5 minutes' WHERE id = $1`, [
      session.refreshToken.split('.')[0],
    ]);
    expect((await refresh(session.refreshToken)).status).toBe(401);
    expect((await refresh(otherDevice.refreshToken)).status).toBe(200);
  });

  it('logout revokes the refresh token', async () => {
    const session = await login(app, org.emails.admin, TEST_PASSWORD);
    expect((await call(app, { url: '/v1/auth/logout', body: { refreshToken: session.refreshToken } })).status).toBe(
      204,
    );
    expect((await call(app, { url: '/v1/auth/refresh', body: { refreshToken: session.refreshToken } })).status).toBe(
      401,
    );
    const tampered = session.refreshToken.slice(0, -2) + (session.refreshToken.endsWith('AA') ? 'BB' : 'AA');
    expect((await call(app, { url: '/v1/auth/refresh', body: { refreshToken: tampered } })).status).toBe(401);
  });

  it('enforces roles: 403 naming the roles allowed', async () => {
    const response = await as(app, org.tokens.interviewer, {
      url: '/v1/job-postings',
      body: { title: 'x', timeBudgetMinutes: 30 },
    });
    expect(response.status).toBe(403);
    expect(response.json.message).toMatch(/admin, recruiter/);
    expect(
      (await as(app, org.tokens.admin, { method: 'PATCH', url: '/v1/organization', body: { agentAutoJoin: false } }))
        .status,
    ).toBe(200);
    expect(
      (await as(app, org.tokens.recruiter, { method: 'PATCH', url: '/v1/organization', body: { agentAutoJoin: true } }))
        .status,
    ).toBe(403);
  });

  describe('negative JWT matrix: each of these is a 401 on a staff endpoint', () => {
    const cases: Array<[string, () => Promise<string>]> = [
      [
        'alg none',
        async () =>
          unsignedJwt(
            {
              sub: org.users.admin,
              org: org.orgId,
              role: 'admin',
              typ: 'staff_access',
              aud: 'parley:user-management:staff',
              iss: 'parley:user-management',
              exp: Math.floor(Date.now() / 1000) + 600,
            },
            staffKey().id,
          ),
      ],
      ['wrong key (same kid)', () => staffToken({ secret: 'x'.repeat(43) })],
      ['unknown kid', () => staffToken({ kid: 'nope' })],
      ['expired', () => staffToken({ exp: Math.floor(Date.now() / 1000) - 5 })],
      ['wrong audience', () => staffToken({ aud: 'parley:video-streaming-server' })],
      ['wrong issuer', () => staffToken({ iss: 'someone-else' })],
      ['not a staff token type', () => staffToken({ typ: 'refresh' })],
      ['a candidate session ticket', () => signTicket(ticketKeyFromEnv(env), { org: org.orgId })],
      [
        'a service token',
        () => {
          const [id, secret] = env.INTERNAL_API_KEYS.split(':');
          return signServiceToken({ id, secret }, 'video-streaming-server');
        },
      ],
      ['garbage', async () => 'not-a-jwt'],
    ];
    it.each(cases)('%s', async (_name, make) => {
      const response = await as(app, await make(), { url: '/v1/users/me' });
      expect(response.status).toBe(401);
      expect(response.json.code).toBe('UNAUTHENTICATED');
    });

    it('no Authorization header', async () => {
      expect((await call(app, { method: 'GET', url: '/v1/users/me' })).status).toBe(401);
    });

    it('control: the same construction with the right parts is accepted', async () => {
      expect((await as(app, await staffToken(), { url: '/v1/users/me' })).status).toBe(200);
    });
  });

  it('a staff access token is refused as a session ticket by the media plane (the reverse direction)', async () => {
    const { room } = await createInterview(app, org);
    const response = await call(vss, {
      url: '/v1/tokens/participant',
      body: { ticket: org.tokens.admin, room, identity: `user-${org.users.admin}` },
    });
    expect(response.status).toBe(401);
  });

  it('staff and candidate credentials are refused by the internal API, service tokens accepted', async () => {
    const { room, code } = await createInterview(app, org);
    const redeemed = await call(app, { url: '/v1/invites/redeem', body: { invite: code } });
    expect(redeemed.status).toBe(200);
    for (const token of [org.tokens.admin, redeemed.json.ticket]) {
      expect((await as(app, token, { url: `/internal/v1/rooms/${room}` })).status).toBe(401);
    }
    expect((await asService(app, env, { url: `/internal/v1/rooms/${room}` })).status).toBe(200);
  });
});
