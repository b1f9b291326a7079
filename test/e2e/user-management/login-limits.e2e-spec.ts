import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { REDIS_CLIENT } from '@app/redis';
import type Redis from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { call, createTestOrg, startUm, TEST_PASSWORD, type TestOrg } from '../../support/um.util';

const env = inject('stackEnv');
// Budgets: 5 failures per account, 25 per address, in a window far longer than the test.
const MAX = 5;
let app: NestFastifyApplication;
let org: TestOrg;
let redis: Redis;

/** A sign-in through a proxy (TRUST_PROXY believes 127.0.0.1, where injected requests come from). */
const signIn = (email: string, password: string, clientAddress: string) =>
  call(app, {
    url: '/v1/auth/login',
    body: { email, password },
    headers: { 'x-forwarded-for': clientAddress },
  });

async function clearCounters() {
  const keys = await redis.keys('um:login:*');
  if (keys.length) await redis.del(...keys);
}

describe('sign-in limits count failures, not people signing in', () => {
  beforeAll(async () => {
    app = await startUm(env, {
      LOGIN_MAX_ATTEMPTS: String(MAX),
      LOGIN_WINDOW_SECONDS: '600',
      TRUST_PROXY: '127.0.0.1',
    });
    redis = app.get<Redis>(REDIS_CLIENT);
    // Start from empty counters: other files' sign-ins from 127.0.0.1 share the per-address one.
    await clearCounters();
    org = await createTestOrg(app, 'limits');
  });
  beforeEach(async () => {
    await clearCounters();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('60 successful sign-ins from one office address (one NAT) never lock anyone out', async () => {
    const emails = Object.values(org.emails);
    for (let i = 0; i < 60; i++) {
      const response = await signIn(emails[i % emails.length], TEST_PASSWORD, '198.51.100.7');
      expect(response.status, `sign-in ${i + 1}: ${response.body.slice(0, 200)}`).toBe(200);
    }
  });

  it('a success resets the account’s failure counter', async () => {
    const email = org.emails.recruiter;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < MAX - 1; i++)
        expect((await signIn(email, `wrong-${round}-${i}`, '198.51.100.8')).status).toBe(401);
      expect((await signIn(email, TEST_PASSWORD, '198.51.100.8')).status).toBe(200);
    }
    // 3 × (MAX - 1) failures in the window, and still not locked; MAX in a row do lock it.
    for (let i = 0; i < MAX; i++) expect((await signIn(email, `wrong-again-${i}`, '198.51.100.8')).status).toBe(401);
    const locked = await signIn(email, TEST_PASSWORD, '198.51.100.8');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('an address spraying wrong passwords is limited; other addresses behind the proxy are not', async () => {
    // Unknown accounts, so only the address budget (5 × MAX failures) is spent.
    for (let i = 0; i < 5 * MAX; i++)
      expect((await signIn(`nobody-${i}@example.com`, 'wrong', '203.0.113.66')).status).toBe(401);
    expect((await signIn(org.emails.admin, TEST_PASSWORD, '203.0.113.66')).status).toBe(429);
    // TRUST_PROXY: the forwarded client address counts, not the proxy's.
    expect((await signIn(org.emails.admin, TEST_PASSWORD, '203.0.113.67')).status).toBe(200);
  });
});
