import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureAptBinaries, exec, PROJECT_ROOT } from '@app/devstack';
import { beforeAll, describe, expect, it } from 'vitest';

// No Docker engine runs here, but the compose CLI can still validate and render the file.
const secrets = {
  LIVEKIT_API_KEY: 'APIcompose',
  LIVEKIT_API_SECRET: 'c'.repeat(40),
  S3_ACCESS_KEY_ID: 'compose',
  S3_SECRET_ACCESS_KEY: 'compose-secret',
  POSTGRES_PASSWORD: 'compose-pg',
  SESSION_TICKET_PRIVATE_KEY: '{"kty":"OKP","crv":"Ed25519","x":"x","d":"d","kid":"k"}',
  SESSION_TICKET_PUBLIC_KEYS: '{"keys":[]}',
  STAFF_JWT_KEYS: 'staff:compose-staff-secret',
  VSS_INTERNAL_API_KEY: 'vss-key:compose-vss-internal-secret',
  AGENT_INTERNAL_API_KEY: 'agent-key:compose-agent-internal-secret',
  TELEMETRY_SIGNING_KEYS: 'tm:compose-telemetry-secret',
  OBSERVER_SHARED_SECRET: 'compose-observer-secret',
};

// Each app's secrets, and only those, reach its container.
const APP_SECRETS: Record<string, string[]> = {
  'user-management': ['SESSION_TICKET_PRIVATE_KEY', 'STAFF_JWT_KEYS', 'INTERNAL_API_KEYS'],
  'video-streaming-server': [
    'SESSION_TICKET_PUBLIC_KEYS',
    'TELEMETRY_SIGNING_KEYS',
    'OBSERVER_SHARED_SECRET',
    'VSS_INTERNAL_API_KEY',
  ],
  'interviewer-agent': ['AGENT_INTERNAL_API_KEY'],
};
const compose = (env: Record<string, string>) =>
  exec('docker-compose', ['-f', join(PROJECT_ROOT, 'docker-compose.yml'), 'config'], {
    env: { PATH: process.env.PATH, ...env },
    cwd: PROJECT_ROOT,
  });

describe('docker-compose.yml', () => {
  beforeAll(async () => {
    await ensureAptBinaries([{ binary: 'docker-compose', pkg: 'docker-compose' }], () => undefined);
  }, 300_000);

  it('is accepted by docker-compose config and runs every process from the one image', async () => {
    const { stdout } = await compose(secrets);
    for (const service of [
      'livekit',
      'egress',
      'redis',
      'postgres',
      'object-store',
      'migrate',
      'user-management',
      'video-streaming-server',
      'finalize-worker',
      'interviewer-agent',
    ]) {
      expect(stdout).toMatch(new RegExp(`^  ${service}:$`, 'm'));
    }
    expect(stdout.match(/image: parley:latest/g)).toHaveLength(5);
    expect(stdout).toContain('v1.13.5');
    const sections = stdout.split(/^ {2}(?=[a-z-]+:$)/m);
    for (const [service, names] of Object.entries(APP_SECRETS)) {
      const section = sections.find((s) => s.startsWith(`${service}:`)) ?? '';
      for (const name of names) expect(section, `${service} gets ${name}`).toContain(`${name}:`);
    }
    const vss = sections.find((s) => s.startsWith('video-streaming-server:')) ?? '';
    expect(vss).not.toContain('SESSION_TICKET_PRIVATE_KEY');
    expect(vss).not.toContain('STAFF_JWT_KEYS');
    // Production records with LiveKit egress; ffmpeg runs in the finalize workers (R-R4).
    expect(vss).toContain('RECORDER: egress');
    expect(vss).toMatch(/FINALIZE_INLINE: ["']false["']/);
    const finalizer = sections.find((s) => s.startsWith('finalize-worker:')) ?? '';
    expect(finalizer).toContain('finalize-worker');
    expect(finalizer).not.toContain('SESSION_TICKET_PRIVATE_KEY');
    // Each caller of user-management's internal API gets its own key only; user-management gets
    // both, each tagged with its owner.
    const agent = sections.find((s) => s.startsWith('interviewer-agent:')) ?? '';
    const um = sections.find((s) => s.startsWith('user-management:')) ?? '';
    for (const section of [vss, agent]) expect(section).not.toContain('INTERNAL_API_KEYS');
    expect(vss).not.toContain(secrets.AGENT_INTERNAL_API_KEY);
    expect(agent).not.toContain(secrets.VSS_INTERNAL_API_KEY);
    expect(um).toContain(
      `INTERNAL_API_KEYS: ${secrets.VSS_INTERNAL_API_KEY}:video-streaming-server,${secrets.AGENT_INTERNAL_API_KEY}:interviewer-agent`,
    );
  });

  it('refuses to render without the secrets instead of falling back to defaults', async () => {
    await expect(compose({})).rejects.toThrow(/set [A-Z_]+/);
  });

  it('builds the image from one Dockerfile whose entry point knows every process', async () => {
    const entrypoint = await readFile(join(PROJECT_ROOT, 'docker/entrypoint.sh'), 'utf8');
    for (const name of ['video-streaming-server', 'user-management', 'interviewer-agent', 'migrate'])
      expect(entrypoint).toContain(`${name})`);
    const { stdout } = await exec('sh', [join(PROJECT_ROOT, 'docker/entrypoint.sh'), 'nonsense']).catch(
      (err: Error) => ({ stdout: err.message }),
    );
    expect(stdout).toContain('usage: parley');
  });
});
