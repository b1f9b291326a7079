import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { trustProxyEnv } from './env-fragments';

const schema = z.object(trustProxyEnv);
const parse = (value: string | undefined) => schema.safeParse({ TRUST_PROXY: value });

describe('TRUST_PROXY', () => {
  it('defaults to false (the socket address), also when empty', () => {
    expect(parse(undefined)).toMatchObject({ success: true, data: { TRUST_PROXY: false } });
    expect(parse('')).toMatchObject({ success: true, data: { TRUST_PROXY: false } });
    expect(parse('false')).toMatchObject({ success: true, data: { TRUST_PROXY: false } });
  });

  it('takes true, a hop count, or a list of addresses and CIDRs', () => {
    expect(parse('true').data?.TRUST_PROXY).toBe(true);
    expect(parse('2').data?.TRUST_PROXY).toBe(2);
    expect(parse(' 10.0.0.0/8, 127.0.0.1 ,::1,loopback').data?.TRUST_PROXY).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
      'loopback',
    ]);
  });

  it('refuses anything else with a message saying what it takes', () => {
    for (const bad of ['yes', '0', '99', '10.0.0.0/99', 'proxy.example.com', ',']) {
      const result = parse(bad);
      expect(result.success, bad).toBe(false);
      expect(result.error?.issues[0].message).toMatch(/false, true, a hop count|hop count must be/);
    }
  });
});
