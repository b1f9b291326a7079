import type { MigrationInterface, QueryRunner } from 'typeorm';

// First migration: tenants (organizations) and their staff users. Never edit once landed;
// add a new migration instead.
export class CreateOrganizationsAndUsers1795231819593 implements MigrationInterface {
  name = 'CreateOrganizationsAndUsers1795231819593';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
        agent_auto_join boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE TYPE user_role AS ENUM ('admin', 'recruiter', 'hiring_manager', 'interviewer')`);
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        email text NOT NULL CHECK (length(email) <= 320),
        display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
        role user_role NOT NULL,
        password_hash text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Emails are unique case-insensitively across the platform: login looks a user up by email alone.
    await queryRunner.query(`CREATE UNIQUE INDEX users_email_unique ON users (lower(email))`);
    await queryRunner.query(`CREATE INDEX users_org_id_idx ON users (org_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE users`);
    await queryRunner.query(`DROP TYPE user_role`);
    await queryRunner.query(`DROP TABLE organizations`);
  }
}
