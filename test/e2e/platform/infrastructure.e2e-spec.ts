import { objectStoreFromEnv } from '../../support/object-store.util';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { revertMigrations, runMigrations } from '@app/database';
import { exec, recreateDatabase } from '@app/devstack';
import { ALL_MIGRATIONS } from '@app/migrations';
import { ObjectStore } from '@app/object-store';
import Redis from 'ioredis';
import { Client } from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';

const env = inject('stackEnv');

async function tablesIn(url: string): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    );
    return rows.map((r) => r.table_name);
  } finally {
    await client.end();
  }
}

describe('PostgreSQL migrations', () => {
  // Its own database, so up/down/up cannot disturb the schema the other tests use.
  const url = env.DATABASE_URL.replace(/(\/[^/]+)$/, '$1_migrations');
  const options = { url, applicationName: 'parley-test-migrations' };

  it('apply on an empty database, revert cleanly, and apply again', async () => {
    await recreateDatabase(url);
    const up = await runMigrations(options);
    expect(up.applied).toHaveLength(ALL_MIGRATIONS.length);
    expect(await tablesIn(url)).toEqual(expect.arrayContaining(['organizations', 'users', 'schema_migrations']));

    expect((await runMigrations(options)).applied).toEqual([]); // idempotent

    const down = await revertMigrations(options, Number.POSITIVE_INFINITY);
    expect(down.applied).toHaveLength(ALL_MIGRATIONS.length);
    expect(await tablesIn(url)).toEqual(['schema_migrations']);

    expect((await runMigrations(options)).applied).toHaveLength(ALL_MIGRATIONS.length);
  });

  it('enforce the schema rules the first migration declares', async () => {
    const client = new Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    try {
      const slug = `org-${randomUUID().slice(0, 8)}`;
      const { rows } = await client.query<{ id: string }>(
        'INSERT INTO organizations (name, slug) VALUES ($1, $2) RETURNING id',
        ['Acme', slug],
      );
      const email = `Ada.${randomUUID()}@example.com`;
      await client.query("INSERT INTO users (org_id, email, display_name, role) VALUES ($1, $2, 'Ada', 'recruiter')", [
        rows[0].id,
        email,
      ]);
      await expect(
        client.query("INSERT INTO users (org_id, email, display_name, role) VALUES ($1, $2, 'Ada again', 'admin')", [
          rows[0].id,
          email.toLowerCase(),
        ]),
      ).rejects.toThrow(/users_email_unique/);
      await expect(
        client.query(
          "INSERT INTO users (org_id, email, display_name, role) VALUES ($1, 'x@example.com', 'X', 'superuser')",
          [rows[0].id],
        ),
      ).rejects.toThrow(/invalid input value for enum user_role/);
    } finally {
      await client.end();
    }
  });
});

describe('object store (versitygw)', () => {
  const store = objectStoreFromEnv(env);
  afterAll(() => store.destroy());

  it('returns on get exactly the bytes it took on put', async () => {
    const key = `e2e/${randomUUID()}/blob.bin`;
    const bytes = randomBytes(300 * 1024);
    await store.put(key, bytes);
    const back = await store.get(key);
    expect(back.length).toBe(bytes.length);
    expect(back.equals(bytes)).toBe(true);
  });

  it('refuses wrong credentials', async () => {
    const intruder = ObjectStore.fromOptions({
      endpoint: env.S3_ENDPOINT,
      region: env.S3_REGION,
      bucket: env.S3_BUCKET,
      accessKeyId: env.S3_ACCESS_KEY_ID,
      secretAccessKey: 'not-the-secret',
      forcePathStyle: true,
    });
    await expect(intruder.put('e2e/intruder.bin', 'x')).rejects.toThrow();
    intruder.destroy();
  });
});

describe('Redis', () => {
  it('round-trips a value in the test DB index', async () => {
    const redis = new Redis(env.REDIS_URL);
    try {
      const key = `e2e:${randomUUID()}`;
      expect(await redis.set(key, 'héllo', 'PX', 10_000)).toBe('OK');
      expect(await redis.get(key)).toBe('héllo');
      expect(redis.options.db).toBe(15);
    } finally {
      redis.disconnect();
    }
  });
});

describe('ffmpeg and ffprobe', () => {
  let dir: string;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ffprobe reads back the codec and duration of a file ffmpeg generated', async () => {
    dir = await mkdtemp(join(tmpdir(), 'parley-ffmpeg-'));
    const file = join(dir, 'tone.ogg');
    await exec('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=1.5',
      '-c:a',
      'libopus',
      file,
    ]);
    const { stdout } = await exec('ffprobe', [
      '-v',
      'error',
      '-show_entries',
      'format=duration:stream=codec_name,sample_rate',
      '-of',
      'json',
      file,
    ]);
    const probe = JSON.parse(stdout);
    expect(probe.streams[0].codec_name).toBe('opus');
    expect(Number(probe.format.duration)).toBeCloseTo(1.5, 1);
  });
});
