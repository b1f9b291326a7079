import type { MigrationInterface, QueryRunner } from 'typeorm';

// R-A2: an org's service tier. Only `premium` orgs get avatar sessions (a face for the
// interviewer); `standard` ones see the animated orb. Set by operators (billing), not by the org.
export class OrganizationTier1795231828593 implements MigrationInterface {
  name = 'OrganizationTier1795231828593';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TYPE org_tier AS ENUM ('standard', 'premium')`);
    await q.query(`ALTER TABLE organizations ADD COLUMN tier org_tier NOT NULL DEFAULT 'standard'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organizations DROP COLUMN tier`);
    await q.query(`DROP TYPE org_tier`);
  }
}
