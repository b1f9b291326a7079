import { describe, expect, it } from 'vitest';
import type { AvatarSessionGrant } from './avatar-provider';
import { TokenPool } from './token-pool';

let clock = 0;
const now = () => clock;
const grant = (token: string, expiresAt: number): AvatarSessionGrant => ({
  vendor: 'spatius',
  token,
  expiresAt,
  details: {},
});

describe('TokenPool', () => {
  it('hands out each token once, the soonest-expiring first', () => {
    clock = 0;
    const pool = new TokenPool({ target: 3, marginMs: 1_000, refreshAheadMs: 1_000, now });
    pool.put(grant('late', 60_000));
    pool.put(grant('early', 20_000));
    pool.put(grant('middle', 40_000));
    expect([pool.take()?.token, pool.take()?.token, pool.take()?.token, pool.take()]).toEqual([
      'early',
      'middle',
      'late',
      undefined,
    ]);
  });

  it('never hands out a token within the safety margin of its expiry', () => {
    clock = 0;
    const pool = new TokenPool({ target: 2, marginMs: 5_000, refreshAheadMs: 0, now });
    pool.put(grant('a', 10_000));
    pool.put(grant('b', 30_000));
    clock = 5_001; // a has 4 999 ms left: inside the margin
    expect(pool.take()?.token).toBe('b');
    clock = 24_999; // nothing left outside the margin
    pool.put(grant('c', 29_000));
    expect(pool.take()).toBeUndefined();
    expect(pool.size).toBe(0);
  });

  it('refuses a token that arrives already inside the margin', () => {
    clock = 1_000;
    const pool = new TokenPool({ target: 1, marginMs: 5_000, refreshAheadMs: 0, now });
    expect(pool.put(grant('stale', 5_999))).toBe(false);
    expect(pool.put(grant('ok', 6_000))).toBe(true);
    expect(pool.size).toBe(1);
  });

  it('asks for replacements before tokens expire (refresh ahead), still handing out the old ones', () => {
    clock = 0;
    const pool = new TokenPool({ target: 2, marginMs: 1_000, refreshAheadMs: 4_000, now });
    expect(pool.deficit(0)).toBe(2);
    pool.put(grant('a', 10_000));
    pool.put(grant('b', 10_000));
    expect(pool.deficit(0)).toBe(0);
    clock = 5_001; // 4 999 ms left < margin + refresh-ahead: no longer fresh
    expect(pool.deficit(0)).toBe(2);
    expect(pool.deficit(1)).toBe(1); // one replacement already on its way
    pool.put(grant('c', 20_000));
    pool.put(grant('d', 20_000));
    expect(pool.deficit(0)).toBe(0);
    expect(pool.take()?.token).toBe('a'); // the old, still valid, go first
    clock = 9_001;
    expect(pool.take()?.token).toBe('c'); // b is now inside the margin: dropped
  });

  it('never holds more than twice its target', () => {
    clock = 0;
    const pool = new TokenPool({ target: 2, marginMs: 0, refreshAheadMs: 0, now });
    for (let i = 1; i <= 6; i++) pool.put(grant(`t${i}`, i * 1_000));
    expect(pool.size).toBe(4);
    expect(pool.take()?.token).toBe('t3'); // the soonest-expiring were dropped
  });
});
