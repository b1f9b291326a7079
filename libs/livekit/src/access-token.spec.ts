import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { jwtExpiry, mintLiveKitToken } from './access-token';
import { grantFor, observerGrant } from './grants';

const key = { id: 'APItest', secret: 's'.repeat(40) };
const room = 'interview_3f2b8c1e-9d4a-4c6b-8e2f-1a2b3c4d5e6f';

describe(mintLiveKitToken.name, () => {
  it('signs with the key, for the identity and the grant, and reports the token’s own exp', async () => {
    const before = Math.floor(Date.now() / 1000);
    const minted = await mintLiveKitToken({
      key,
      identity: 'candidate-1',
      grant: grantFor('candidate', room),
      ttlSeconds: 600,
      metadata: '{"role":"candidate"}',
      attributes: { 'parley.role': 'candidate' },
    });
    const { payload } = await jwtVerify(minted.token, new TextEncoder().encode(key.secret), { issuer: key.id });
    expect(payload).toMatchObject({
      sub: 'candidate-1',
      metadata: '{"role":"candidate"}',
      attributes: { 'parley.role': 'candidate' },
      video: { room, roomJoin: true, canPublish: true },
    });
    expect(payload.exp! - before).toBeGreaterThanOrEqual(600);
    expect(payload.exp! - before).toBeLessThanOrEqual(601);
    expect(minted).toMatchObject({ room, identity: 'candidate-1' });
    expect(minted.expiresAt.getTime()).toBe(payload.exp! * 1000);
  });

  it('carries a display name when given one (observers’ labels)', async () => {
    const minted = await mintLiveKitToken({
      key,
      identity: 'observer~0123',
      grant: observerGrant(room),
      ttlSeconds: 60,
      name: 'ops',
    });
    const { payload } = await jwtVerify(minted.token, new TextEncoder().encode(key.secret));
    expect(payload).toMatchObject({ name: 'ops', video: { hidden: true, canPublish: false } });
  });
});

describe(jwtExpiry.name, () => {
  it('reads exp, and refuses a JWT without one', () => {
    const encode = (claims: object) => Buffer.from(JSON.stringify(claims)).toString('base64url');
    const header = encode({ alg: 'HS256' });
    expect(jwtExpiry(`${header}.${encode({ exp: 1_900_000_000 })}.sig`).toISOString()).toBe(
      new Date(1_900_000_000_000).toISOString(),
    );
    expect(() => jwtExpiry(`${header}.${encode({ sub: 'x' })}.sig`)).toThrow(/exp/);
  });
});
