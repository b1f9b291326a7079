import type { MigrationInterface, QueryRunner } from 'typeorm';

// The business schema of user-management (issue: orgs, people, job postings, interviews,
// meetings, recordings, audit log). Every tenant-owned table carries org_id, and child rows
// reference their parent through (org_id, id) pairs, so a row can never point into another org.
export class CreateHiringSchema1795231820593 implements MigrationInterface {
  name = 'CreateHiringSchema1795231820593';

  async up(q: QueryRunner): Promise<void> {
    // Composite keys for tenant-safe foreign keys.
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_org_id_id_unique UNIQUE (org_id, id)`);

    await q.query(`
      CREATE TABLE candidates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        email text NOT NULL CHECK (length(email) <= 320),
        full_name text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (org_id, id)
      )`);
    await q.query(`CREATE UNIQUE INDEX candidates_org_email_unique ON candidates (org_id, lower(email))`);

    await q.query(`CREATE TYPE recording_policy AS ENUM ('off', 'optional', 'mandatory')`);
    await q.query(`
      CREATE TABLE job_postings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        description text NOT NULL DEFAULT '' CHECK (length(description) <= 20000),
        competencies jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(competencies) = 'array'),
        questions jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(questions) = 'array'),
        time_budget_minutes integer NOT NULL CHECK (time_budget_minutes BETWEEN 5 AND 240),
        recording_policy recording_policy NOT NULL DEFAULT 'optional',
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (org_id, id),
        FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id) ON DELETE SET NULL (created_by)
      )`);

    await q.query(
      `CREATE TYPE interview_status AS ENUM ('scheduled', 'in_progress', 'completed', 'abandoned', 'expired')`,
    );
    await q.query(`CREATE TYPE consent_choice AS ENUM ('given', 'declined')`);
    await q.query(`
      CREATE TABLE interviews (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        job_posting_id uuid NOT NULL,
        candidate_id uuid NOT NULL,
        status interview_status NOT NULL DEFAULT 'scheduled',
        room_name text NOT NULL UNIQUE,
        invite_secret_hash text NOT NULL,
        invite_expires_at timestamptz NOT NULL,
        consent consent_choice,
        consent_at timestamptz,
        started_at timestamptz,
        ended_at timestamptz,
        transcript jsonb,
        scorecard jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (org_id, id),
        FOREIGN KEY (org_id, job_posting_id) REFERENCES job_postings (org_id, id) ON DELETE CASCADE,
        FOREIGN KEY (org_id, candidate_id) REFERENCES candidates (org_id, id) ON DELETE CASCADE,
        CHECK ((consent IS NULL) = (consent_at IS NULL))
      )`);
    await q.query(`CREATE INDEX interviews_org_status_idx ON interviews (org_id, status)`);

    await q.query(`CREATE TYPE meeting_status AS ENUM ('scheduled', 'live', 'ended', 'cancelled')`);
    await q.query(
      `CREATE TYPE meeting_recording_status AS ENUM ('none', 'recording', 'processing', 'ready', 'failed')`,
    );
    await q.query(`
      CREATE TABLE meetings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        status meeting_status NOT NULL DEFAULT 'scheduled',
        room_name text NOT NULL UNIQUE,
        recording_status meeting_recording_status NOT NULL DEFAULT 'none',
        recording_started_at timestamptz,
        recording_ended_at timestamptz,
        recording_id uuid,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (org_id, id),
        FOREIGN KEY (org_id, created_by) REFERENCES users (org_id, id) ON DELETE SET NULL (created_by),
        CHECK (ends_at > starts_at)
      )`);
    await q.query(`CREATE INDEX meetings_org_starts_idx ON meetings (org_id, starts_at)`);

    await q.query(`CREATE TYPE meeting_participant_role AS ENUM ('host', 'guest')`);
    await q.query(`
      CREATE TABLE meeting_participants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL,
        meeting_id uuid NOT NULL,
        user_id uuid,
        candidate_id uuid,
        role meeting_participant_role NOT NULL DEFAULT 'guest',
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (org_id, meeting_id) REFERENCES meetings (org_id, id) ON DELETE CASCADE,
        FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE,
        FOREIGN KEY (org_id, candidate_id) REFERENCES candidates (org_id, id) ON DELETE CASCADE,
        CHECK ((user_id IS NULL) <> (candidate_id IS NULL))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX meeting_participants_user_unique ON meeting_participants (meeting_id, user_id) WHERE user_id IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX meeting_participants_candidate_unique ON meeting_participants (meeting_id, candidate_id) WHERE candidate_id IS NOT NULL`,
    );

    await q.query(`CREATE TYPE recording_subject AS ENUM ('interview', 'meeting')`);
    await q.query(`CREATE TYPE recording_status AS ENUM ('pending', 'ready', 'failed')`);
    await q.query(`
      CREATE TABLE recordings (
        id uuid PRIMARY KEY,
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        subject_type recording_subject NOT NULL,
        subject_id uuid NOT NULL,
        object_key text NOT NULL CHECK (length(object_key) <= 1024),
        duration_ms bigint CHECK (duration_ms >= 0),
        size_bytes bigint CHECK (size_bytes >= 0),
        codecs text[] NOT NULL DEFAULT '{}',
        status recording_status NOT NULL DEFAULT 'pending',
        failure_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (org_id, id)
      )`);
    await q.query(`CREATE INDEX recordings_subject_idx ON recordings (org_id, subject_type, subject_id)`);

    await q.query(`
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        actor_type text NOT NULL CHECK (actor_type IN ('user', 'candidate', 'service')),
        actor_id text NOT NULL,
        action text NOT NULL,
        resource_type text NOT NULL,
        resource_id uuid NOT NULL,
        ip inet,
        user_agent text CHECK (length(user_agent) <= 512),
        details jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX audit_log_resource_idx ON audit_log (org_id, resource_type, resource_id, created_at DESC)`,
    );

    await q.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL,
        user_id uuid NOT NULL,
        token_hash text NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        replaced_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE refresh_tokens`);
    await q.query(`DROP TABLE audit_log`);
    await q.query(`DROP TABLE recordings`);
    await q.query(`DROP TYPE recording_status`);
    await q.query(`DROP TYPE recording_subject`);
    await q.query(`DROP TABLE meeting_participants`);
    await q.query(`DROP TYPE meeting_participant_role`);
    await q.query(`DROP TABLE meetings`);
    await q.query(`DROP TYPE meeting_recording_status`);
    await q.query(`DROP TYPE meeting_status`);
    await q.query(`DROP TABLE interviews`);
    await q.query(`DROP TYPE consent_choice`);
    await q.query(`DROP TYPE interview_status`);
    await q.query(`DROP TABLE job_postings`);
    await q.query(`DROP TYPE recording_policy`);
    await q.query(`DROP TABLE candidates`);
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_org_id_id_unique`);
  }
}
