import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ReadinessReport } from '@app/contracts';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureOrganizationWithStaff } from '../../../apps/user-management/src/seed/seed';
import { as, call, startUm, TEST_PASSWORD } from '../../support/um.util';

const env = inject('stackEnv');
let app: NestFastifyApplication;
let user: { id: string; orgId: string; email: string };

/** An access token as sign-in would issue it (sign-in itself needs Redis). */
async function accessToken() {
  const [id, secret] = env.STAFF_JWT_KEYS.split(',')[0].split(':');
  return new SignJWT({ org: user.orgId, role: 'admin', typ: 'staff_access', ver: 0 })
    .setProtectedHeader({ alg: 'HS256', kid: id })
    .setSubject(user.id)
    .setIssuer('parley:user-management')
    .setAudience('parley:user-management:staff')
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(secret));
}

describe('user-management with Redis unreachable', () => {
  beforeAll(async () => {
    // Port 9 (discard) on loopback: nothing listens, every Redis command fails.
    app = await startUm(env, { REDIS_URL: 'redis://127.0.0.1:9/0' });
    const slug = `no-redis-${randomUUID().slice(0, 8)}`;
    const email = `admin.${slug}@example.com`;
    const { org, users } = await ensureOrganizationWithStaff(app, { name: slug, slug }, [
      { email, displayName: 'Admin', role: 'admin', password: TEST_PASSWORD },
    ]);
    user = { id: users.admin.id, orgId: org.id, email };
  });
  afterAll(async () => {
    await app?.close();
  });

  it('is degraded, not out of rotation: Redis is not critical here', async () => {
    const response = await call(app, { method: 'GET', url: '/readyz' });
    expect(response.status).toBe(200);
    const report = ReadinessReport.parse(response.json);
    expect(report.status).toBe('degraded');
    expect(report.dependencies.find((d) => d.name === 'redis')).toMatchObject({ status: 'down', critical: false });
  });

  it('still serves signed-in staff (token versions come from PostgreSQL) and refuses sign-in with 503', async () => {
    const me = await as(app, await accessToken(), { url: '/v1/users/me' });
    expect(me.status, me.body.slice(0, 300)).toBe(200);
    expect(me.json.id).toBe(user.id);
    const signIn = await call(app, { url: '/v1/auth/login', body: { email: user.email, password: TEST_PASSWORD } });
    expect(signIn.status, signIn.body.slice(0, 300)).toBe(503);
    expect(signIn.json.code).toBe('DEPENDENCY_UNAVAILABLE');
  });
});
