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
};
const compose = (env: Record<string, string>) =>
  exec('docker-compose', ['-f', join(PROJECT_ROOT, 'docker-compose.yml'), 'config'], { env: { PATH: process.env.PATH, ...env }, cwd: PROJECT_ROOT });

describe('docker-compose.yml', () => {
  beforeAll(async () => {
    await ensureAptBinaries([{ binary: 'docker-compose', pkg: 'docker-compose' }], () => undefined);
  }, 300_000);

  it('is accepted by docker-compose config and runs every process from the one image', async () => {
    const { stdout } = await compose(secrets);
    for (const service of ['livekit', 'egress', 'redis', 'postgres', 'object-store', 'migrate', 'user-management', 'video-streaming-server', 'interviewer-agent']) {
      expect(stdout).toMatch(new RegExp(`^  ${service}:$`, 'm'));
    }
    expect(stdout.match(/image: parley:latest/g)).toHaveLength(4);
    expect(stdout).toContain('v1.13.5');
  });

  it('refuses to render without the secrets instead of falling back to defaults', async () => {
    await expect(compose({})).rejects.toThrow(/set (LIVEKIT_API_KEY|LIVEKIT_API_SECRET|S3_ACCESS_KEY_ID|S3_SECRET_ACCESS_KEY|POSTGRES_PASSWORD)/);
  });

  it('builds the image from one Dockerfile whose entry point knows every process', async () => {
    const entrypoint = await readFile(join(PROJECT_ROOT, 'docker/entrypoint.sh'), 'utf8');
    for (const name of ['video-streaming-server', 'user-management', 'interviewer-agent', 'migrate']) expect(entrypoint).toContain(`${name})`);
    const { stdout } = await exec('sh', [join(PROJECT_ROOT, 'docker/entrypoint.sh'), 'nonsense']).catch((err: Error) => ({ stdout: err.message }));
    expect(stdout).toContain('usage: parley');
  });
});
