import type { MigrationInterface, QueryRunner } from 'typeorm';

// Removing access takes effect on the next request, not when the 15-minute access token expires:
// every access token carries the user's token version, and a deactivation or role change bumps it.
export class UserDeactivationAndTokenVersion1795231825593 implements MigrationInterface {
  name = 'UserDeactivationAndTokenVersion1795231825593';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN deactivated_at timestamptz`);
    await q.query(`ALTER TABLE users ADD COLUMN token_version integer NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE users ADD CONSTRAINT users_token_version_non_negative CHECK (token_version >= 0)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_token_version_non_negative`);
    await q.query(`ALTER TABLE users DROP COLUMN token_version`);
    await q.query(`ALTER TABLE users DROP COLUMN deactivated_at`);
  }
}
