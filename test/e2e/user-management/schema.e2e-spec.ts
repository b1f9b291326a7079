import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';

const env = inject('stackEnv');
let db: Client;

async function org(): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    'INSERT INTO organizations (name, slug) VALUES ($1, $2) RETURNING id',
    ['Org', `org-${randomUUID().slice(0, 8)}`],
  );
  return rows[0].id;
}
const one = async (sql: string, params: unknown[]) => (await db.query<{ id: string }>(sql, params)).rows[0].id;

describe('hiring schema: tenant isolation in the data layer', () => {
  beforeAll(async () => {
    db = new Client({ connectionString: env.DATABASE_URL });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
  });

  it('refuses an interview that points at another org’s candidate or job posting', async () => {
    const [a, b] = [await org(), await org()];
    const postingA = await one(
      "INSERT INTO job_postings (org_id, title, time_budget_minutes) VALUES ($1, 'Engineer', 30) RETURNING id",
      [a],
    );
    const candidateB = await one(
      "INSERT INTO candidates (org_id, email, full_name) VALUES ($1, 'c@example.com', 'C') RETURNING id",
      [b],
    );
    const candidateA = await one(
      "INSERT INTO candidates (org_id, email, full_name) VALUES ($1, 'c@example.com', 'C') RETURNING id",
      [a],
    );
    const insert = (candidate: string) =>
      db.query(
        "INSERT INTO interviews (org_id, job_posting_id, candidate_id, room_name, invite_secret_hash, invite_expires_at) VALUES ($1, $2, $3, $4, 'h', now() + interval '1 day')",
        [a, postingA, candidate, `interview_${randomUUID()}`],
      );
    await expect(insert(candidateB)).rejects.toThrow(/foreign key/);
    await expect(insert(candidateA)).resolves.toBeDefined();
  });

  it('refuses a meeting participant from another org, and rows with both or neither of user and candidate', async () => {
    const [a, b] = [await org(), await org()];
    const meeting = await one(
      "INSERT INTO meetings (org_id, title, starts_at, ends_at, room_name) VALUES ($1, 'Sync', now(), now() + interval '1 hour', $2) RETURNING id",
      [a, `meeting_${randomUUID()}`],
    );
    const userB = await one(
      "INSERT INTO users (org_id, email, display_name, role) VALUES ($1, $2, 'U', 'recruiter') RETURNING id",
      [b, `u-${randomUUID()}@example.com`],
    );
    const candidateA = await one(
      "INSERT INTO candidates (org_id, email, full_name) VALUES ($1, 'x@example.com', 'X') RETURNING id",
      [a],
    );
    await expect(
      db.query('INSERT INTO meeting_participants (org_id, meeting_id, user_id) VALUES ($1, $2, $3)', [
        a,
        meeting,
        userB,
      ]),
    ).rejects.toThrow(/foreign key/);
    await expect(
      db.query('INSERT INTO meeting_participants (org_id, meeting_id) VALUES ($1, $2)', [a, meeting]),
    ).rejects.toThrow(/check constraint/);
    await expect(
      db.query('INSERT INTO meeting_participants (org_id, meeting_id, candidate_id) VALUES ($1, $2, $3)', [
        a,
        meeting,
        candidateA,
      ]),
    ).resolves.toBeDefined();
    await expect(
      db.query('INSERT INTO meeting_participants (org_id, meeting_id, candidate_id) VALUES ($1, $2, $3)', [
        a,
        meeting,
        candidateA,
      ]),
    ).rejects.toThrow(/duplicate key/);
  });

  it('refuses meetings that end before they start and job postings outside the time budget range', async () => {
    const a = await org();
    await expect(
      db.query(
        "INSERT INTO meetings (org_id, title, starts_at, ends_at, room_name) VALUES ($1, 'x', now(), now() - interval '1 minute', $2)",
        [a, `meeting_${randomUUID()}`],
      ),
    ).rejects.toThrow(/check constraint/);
    await expect(
      db.query("INSERT INTO job_postings (org_id, title, time_budget_minutes) VALUES ($1, 'x', 1000)", [a]),
    ).rejects.toThrow(/check constraint/);
  });
});
