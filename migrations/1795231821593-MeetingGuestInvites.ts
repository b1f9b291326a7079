import type { MigrationInterface, QueryRunner } from 'typeorm';

// Candidates have no account: a candidate taking part in a meeting joins with a personal invite
// code (only its SHA-256 is stored), like the invite of an AI interview.
export class MeetingGuestInvites1795231821593 implements MigrationInterface {
  name = 'MeetingGuestInvites1795231821593';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE meeting_participants ADD COLUMN invite_secret_hash text`);
    await q.query(
      `ALTER TABLE meeting_participants ADD CONSTRAINT meeting_participants_invite_only_candidates CHECK (invite_secret_hash IS NULL OR candidate_id IS NOT NULL)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE meeting_participants DROP CONSTRAINT meeting_participants_invite_only_candidates`);
    await q.query(`ALTER TABLE meeting_participants DROP COLUMN invite_secret_hash`);
  }
}
